; pathclient.pasm — a requester that sees its server's CPU fail: the path error.
;
; What it shows: what a requester sees when the server's CPU dies and nobody takes over. The client
; opens $SERV (echo.pasm) with sync depth 0, which tells its file system NOT to resend a request after a
; path error, and sends one request every 100 ms. While the server lives, each reply comes back
; ("reply i"). When the server's CPU fails, the outstanding or next SYS_WRITEREAD returns -FE_PATHDOWN
; (-201) — either once the survivors agree the CPU is down, or at once when the server's name is already
; gone from the destination table. The client prints "path error 201" and stops.
;
; Exit codes: 3 — a path error was seen (what guest-path-error.scn expects); 0 — all N requests were
; answered (no failure happened); 1 — another error; 2 — $SERV could not be opened.
; Arguments: N, the number of requests (default 1000).
;
; With a server process *pair* and sync depth 1 instead, the file system would resend the request to the
; backup after its takeover, and the client would never see the failure.
        include "sys.pasm"
        include "args.pasm"             ; arg_or
        include "open.pasm"             ; open_wait

        .data
server:  .string "$SERV"
good:    .string "reply "
patherr: .string "path error "
other:   .string "error "
noopen:  .string "cannot open $SERV, error "
file:    .word 0
count:   .word 0
i:       .word 0
result:  .word 0
request: .word 0
reply:   .word 0

        .code
main:   push 0
        push 1000
        call arg_or
        store count

        push server
        push server.len
        push 0                          ; sync depth 0: report path errors, do not resend
        push 100
        call open_wait
        dup
        store file
        push 0
        lt
        jz next
        push noopen
        push noopen.len
        load file
        neg
        sys SYS_PRINTS
        drop
        push 2
        sys SYS_STOP

next:   load i
        load count
        lt
        jz alldone
        load i
        addi 1
        dup
        store i
        store request                   ; the request is its number, one word
        load file
        push request
        push 4
        push reply
        push 4
        sys SYS_WRITEREAD               ; -> 4, or -error
        dup
        store result
        push 0
        lt
        jnz failed
        push good
        push good.len
        load reply
        sys SYS_PRINTS                  ; "reply i"
        drop
        pushw 100000
        sys SYS_DELAY                   ; 100 ms between requests
        drop
        jmp next

failed: load result
        push -FE_PATHDOWN
        eq
        jz otherr
        push patherr
        push patherr.len
        push FE_PATHDOWN
        sys SYS_PRINTS                  ; "path error 201"
        drop
        push 3
        sys SYS_STOP

otherr: push other
        push other.len
        load result
        neg
        sys SYS_PRINTS                  ; "error N"
        drop
        push 1
        sys SYS_STOP

alldone:
        push 0
        sys SYS_STOP
