; Faults: division by zero, underflow, a call outside the code, overflow; the harness moves on past each trap.
        .code
main:   push 1
        push 0
        div
        drop
        drop
        ret 0
        push 999
        calli
        adds 100
        push 1
        sys 0
        .stack 8
