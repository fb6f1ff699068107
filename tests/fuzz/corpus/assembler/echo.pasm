; echo.pasm — a server: answers every request with the same bytes.
;
; What it shows: the server side of Guardian's message system. A server reads requests from its $RECEIVE
; file with SYS_READUPDATE (which waits until one comes), asks SYS_LASTTAG which request that was, and
; answers it with SYS_REPLY. The requester (client.pasm) waits in SYS_WRITEREAD meanwhile. System messages
; (a CPU went down, a process ended) arrive on $RECEIVE too, with tag 0; they need no reply.
;
; For every request it prints "echo N", N being the request's first word (client.pasm puts its request
; number there). It never stops by itself: a scenario expects it to be `running` at the end.
; Argument (optional): QUIET — when given and not 0, it prints nothing (the benchmark uses that).
;
; Run it:  pairsim run scenarios/guest-echo.scn
        include "sys.pasm"
        include "args.pasm"             ; arg_or

        .data
receive: .string "$RECEIVE"
label:   .string "echo "
length:  .word 0                        ; bytes in the request just read
quiet:   .word 0
buf:     .space 1024                     ; the largest request there can be (MAX_MESSAGE = 4096 bytes)

        .code
main:   push receive
        push receive.len
        push 0                          ; sync depth: not used for $RECEIVE
        sys SYS_OPEN                    ; always file 0 (RECEIVE_FILE)
        drop
        push 0
        push 0
        call arg_or
        store quiet

loop:   push 0
        store buf                       ; so a request shorter than a word prints 0
        push RECEIVE_FILE
        push buf
        push MAX_MESSAGE
        sys SYS_READUPDATE              ; waits for the next message -> its length
        store length
        sys SYS_LASTTAG                 ; 0: a system message, nothing to answer
        jz loop

        load quiet
        jnz answer
        push label
        push label.len
        load buf                        ; the request's first word
        sys SYS_PRINTS                  ; "echo N"
        drop

answer: sys SYS_LASTTAG                 ; which request we answer
        push buf                        ; the same bytes ...
        load length                     ; ... all of them
        push FE_OK                      ; no error
        sys SYS_REPLY                   ; the requester's writeread returns now
        drop
        jmp loop
