; expect-error: 3:28: bad escape '\q'
        .data
msg:    .string "tab\tquote\q"
        .code
main:   push 0
        sys 1
