; expect-error: 4:9: instruction 'push' in the .data section
        .data
x:      .word 1
        push 2
        .code
main:   sys 1
