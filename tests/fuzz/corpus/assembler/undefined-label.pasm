; expect-error: 6:13: undefined label or constant 'lop'
; A misspelt label: the jump names 'lop', the label is 'loop'.
        .code
main:   push 3
loop:   addi -1
        jmp lop
