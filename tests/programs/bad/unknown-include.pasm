; expect-error: 2:17: include file 'nosuchlib.pasm' not found
        include "nosuchlib.pasm"
        .code
main:   push 0
        sys 1
