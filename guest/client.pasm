; client.pasm — a requester: sends numbered requests to $SERV and checks every answer.
;
; What it shows: the requester side of Guardian's message system. SYS_OPEN of a process name gives a file
; number; SYS_WRITEREAD sends a request on it and waits for the reply, which it writes into our buffer and
; whose length it returns (or a negative file-system error). The server is echo.pasm, so every reply must
; equal its request, byte for byte.
;
; Arguments (`start ... args N SIZE`): N requests (default 100) of SIZE bytes each (default 64, 4..4096).
; Request i holds i in its first word, then a pattern that depends on i, so a reply to the wrong request
; or a damaged one shows. Prints "reply i" for every good reply, "bad reply i" for a wrong one, and at
; the end "requests: N" and "bad replies: E". Exit code 0 when every reply was right, 1 otherwise, 2 when $SERV could
; not be opened.
;
; Run it:  pairsim run scenarios/guest-echo.scn      (and guest-echo-big.scn for 2 KiB messages)
        include "sys.pasm"
        include "args.pasm"             ; arg_or
        include "bytes.pasm"            ; fill_pattern, same_bytes
        include "open.pasm"             ; open_wait

        .data
server:  .string "$SERV"
good:    .string "reply "
bad:     .string "bad reply "
wrongs:  .string "bad replies: "
total:   .string "requests: "
noopen:  .string "cannot open $SERV, error "
file:    .word 0
count:   .word 0                        ; N
size:    .word 0                        ; SIZE
i:       .word 0                        ; the request number
errors:  .word 0
request: .space 1024                    ; MAX_MESSAGE bytes
reply:   .space 1024

        .code
main:   push 0
        push 100
        call arg_or
        store count
        push 1
        push 64
        call arg_or
        store size

        push server
        push server.len
        push 1                          ; sync depth 1: the file system may resend after a path error
        push 100                        ; wait up to 100 ms for the name to reach this CPU
        call open_wait
        dup
        store file
        push 0
        lt
        jz .opened
        push noopen
        push noopen.len
        load file
        neg
        sys SYS_PRINTS
        drop
        push 2
        sys SYS_STOP
.opened:

next:   load i
        load count
        lt
        jz finish                       ; i < N ?
        load i
        addi 1
        store i                         ; requests are numbered from 1

        push request
        load size
        load i
        call fill_pattern               ; bytes (i + k) mod 256 ...
        load i
        store request                   ; ... with i in the first word

        load file
        push request
        load size
        push reply
        push MAX_MESSAGE
        sys SYS_WRITEREAD               ; -> reply length, or -error
        load size
        ne
        jnz wrong                       ; a short reply or an error is wrong too
        push request
        push reply
        load size
        call same_bytes
        jz wrong

        push good
        push good.len
        load i
        sys SYS_PRINTS                  ; "reply i"
        drop
        jmp next

wrong:  push bad
        push bad.len
        load i
        sys SYS_PRINTS                  ; "bad reply i"
        drop
        load errors
        addi 1
        store errors
        jmp next

finish: push total
        push total.len
        load count
        sys SYS_PRINTS                  ; "requests: N"
        drop
        push wrongs
        push wrongs.len
        load errors
        sys SYS_PRINTS                  ; "bad replies: E"
        drop
        load errors
        push 0
        ne                              ; exit 1 when any reply was wrong, else 0
        sys SYS_STOP
