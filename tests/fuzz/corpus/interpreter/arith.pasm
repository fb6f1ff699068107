; Every arithmetic, logic and comparison instruction on edge values (pushw constants, signed/unsigned).
        .code
main:   pushw 0x80000000
        push -1
        div
        pushw 0x7FFFFFFF
        push 3
        mod
        push -7
        push 2
        divu
        push -7
        push 2
        modu
        push 5
        neg
        mul
        sub
        add
        push 33
        shl
        push 31
        shr
        pushw 0x80000000
        push 4
        sar
        and
        push 6
        or
        push 3
        xor
        not
        dup
        push -2
        lt
        over
        push -2
        ltu
        eq
        over
        push 9
        ge
        ne
        over
        push 9
        geu
        le
        over
        push 1
        gtu
        gt
        push 1
        leu
        drop
        drop
        nop
        sys 0
        .stack 32
