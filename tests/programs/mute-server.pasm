; mute-server.pasm — a server that reads every request on its $RECEIVE and never answers one.
;
; For the invariant "no hung request" (docs/scenarios.md, "Invariants"; tests/system/test_invariants.py):
; its requesters wait in writeread for as long as the run lasts, while the server and they are alive.
        include "sys.pasm"

        .data
receive: .string "$RECEIVE"
buf:     .space 64

        .code
main:   push receive
        push receive.len
        push 0
        sys SYS_OPEN
        drop
loop:   push RECEIVE_FILE
        push buf
        push 256
        sys SYS_READUPDATE
        drop
        jmp loop
