; expect-error: 3:9: missing operand: 'push' needs a signed value
        .code
main:   push
        sys 1
