; expect-error: 3:17: unterminated string
        .data
msg:    .string "hello, world
        .code
main:   push 0
        sys 1
