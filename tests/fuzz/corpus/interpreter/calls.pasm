; Procedures: a recursive fib (call, retv, parameters below the frame), a procedure variable (calli),
; a reference parameter (laddr, loadi, storei) and ret.
        .data
table:  .word 0
        .code
main:   adds 1
        push 7
        call fib
        storel 1
        laddr 1
        call twice
        push inc
        calli
        sys 0

        .proc fib
        loadl -2
        push 2
        lt
        jz .rec
        loadl -2
        retv 1
.rec:   loadl -2
        addi -1
        call fib
        loadl -2
        addi -2
        call fib
        add
        retv 1
        .endproc

        .proc twice                     ; twice(&x): x = 2x
        loadl -2
        dup
        loadi
        dup
        add
        swap
        storei
        ret 1
        .endproc

        .proc inc
        load table
        addi 1
        store table
        ret 0
        .endproc
        .stack 128
