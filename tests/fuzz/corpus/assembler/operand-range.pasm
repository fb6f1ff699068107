; expect-error: 3:14: does not fit in a signed 24-bit field
        .code
main:   push 9000000            ; needs pushw
        sys 1
