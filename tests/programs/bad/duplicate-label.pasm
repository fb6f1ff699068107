; expect-error: 5:1: duplicate label 'again'
        .code
again:  push 1
        drop
again:  jmp again
