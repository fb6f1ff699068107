; open.pasm — open a server by name, waiting for the name to become known.
;
; A `start` makes a process and its kernel tells every other CPU its name over the bus. That message takes
; a little simulated time, so a client started at the same moment in another CPU may ask for the name
; before its own CPU has heard of it: SYS_OPEN then returns -FE_NOSUCHNAME (-14). open_wait tries again
; every millisecond, up to `tries` times, and returns the file number, or the last error (negative).
        include "sys.pasm"

        .code
        .proc open_wait         ; open_wait(name addr, name len, sync depth, tries) -> file | -error
        adds 1                  ; local 1: the last result
.again: loadl -5                ; name addr
        loadl -4                ; name len
        loadl -3                ; sync depth
        sys SYS_OPEN
        dup
        storel 1
        push -FE_NOSUCHNAME
        ne
        jnz .done               ; opened, or an error that waiting does not cure
        loadl -2                ; tries left?
        jz .done
        loadl -2
        addi -1
        storel -2
        push 1000
        sys SYS_DELAY           ; 1 ms
        drop
        jmp .again
.done:  loadl 1
        retv 4
        .endproc
