; Data: indexed and byte access, stores through pointers, and a fall off the data space (bad address).
        .data
buf:    .word 0, 0, 0, 0
        .code
main:   push 2
        push 77
        storex buf
        push 2
        loadx buf
        push 5
        push 65
        storeb
        push 5
        loadb
        push buf
        push 99
        storei
        push buf
        loadi
        add
        add
        push 3
        loadx 100000
        sys 0
        .stack 16
