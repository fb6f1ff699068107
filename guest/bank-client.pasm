; bank-client.pasm — sends numbered transfers to $BANK and checks that each was done exactly once.
;
; What it shows: the requester's side of exactly-once. It opens $BANK with sync depth 1, so when the
; bank's primary CPU fails under a request, its own kernel resends the same request (same sync ID) to the
; backup once that has taken over; the program itself sees nothing but a slower reply. Every reply carries
; the request's number and how many transfers of this client the bank has applied: after transfer i that
; must be exactly i — one lost would make it i-1, one done twice i+1.
;
; Arguments: 0 this client's number (0..7), 1 how many transfers (20), 2 microseconds between them
; (5000), 3 the bank's number of accounts (10). Transfer i moves (i*37 + client*11) mod 1000 + 1 from
; account (i*7 + client*3) mod accounts to another one. At the end it asks for the total and prints
; "total <sum of all balances>" and "applied <transfers of this client the bank applied>".
; Exit 0: every reply right and the count equal to the transfers sent. 1: a wrong reply ("bad reply i").
; 2: an error from the bank ("error E", e.g. 201 when the pair was lost). 3: the final count is wrong.
;
; After "bad reply i" it prints what the reply said: "reply length L", "reply seq S" and "reply count C"
; (this client's transfers applied, by the bank's count): C below i means a transfer was lost, above i
; that one was done twice (tests/system/test_promise.py classifies failures this way).
;
; Run it:  pairsim run scenarios/pair-bank.scn
        include "sys.pasm"
        include "args.pasm"             ; arg_or
        include "open.pasm"             ; open_wait

        .data
bank:    .string "$BANK"
badmsg:  .string "bad reply "
errmsg:  .string "error "
totmsg:  .string "total "
appmsg:  .string "applied "
lenmsg:  .string "reply length "
seqmsg:  .string "reply seq "
cntmsg:  .string "reply count "
me:      .word 0
count:   .word 0
pause:   .word 0
naccts:  .word 0
file:    .word 0
i:       .word 0
result:  .word 0
req:     .space 6                       ; [1, client, seq, from, to, amount] or [2, client]
rep:     .space 4

        .code
main:   push 0
        push 0
        call arg_or
        store me
        push 1
        push 20
        call arg_or
        store count
        push 2
        push 5000
        call arg_or
        store pause
        push 3
        push 10
        call arg_or
        store naccts
        push bank
        push bank.len
        push 1                          ; sync depth 1: resent after a takeover
        push 100
        call open_wait
        dup
        store file
        push 0
        lt
        jnz open_failed
        push 1
        store req
        load me
        store req + 1

next:   load i
        load count
        lt
        jz totals
        load i
        addi 1
        dup
        store i
        store req + 2                   ; seq
        load i                          ; from = (i*7 + me*3) mod accounts
        push 7
        mul
        load me
        push 3
        mul
        add
        load naccts
        modu
        store req + 3
        load i                          ; to = (from + 1 + i mod (accounts-1)) mod accounts: never from
        load naccts
        addi -1
        modu
        load req + 3
        add
        addi 1
        load naccts
        modu
        store req + 4
        load i                          ; amount = (i*37 + me*11) mod 1000 + 1
        push 37
        mul
        load me
        push 11
        mul
        add
        push 1000
        modu
        addi 1
        store req + 5
        load file
        push req
        push 24
        push rep
        push 16
        sys SYS_WRITEREAD
        dup
        store result
        push 0
        lt
        jnz failed
        load result                     ; 16 bytes, our number, and our count = our number
        push 16
        ne
        load rep
        load i
        ne
        or
        load rep + 1
        load i
        ne
        or
        jnz bad_reply
        load pause
        sys SYS_DELAY
        drop
        jmp next

totals: push 2
        store req
        load file
        push req
        push 8
        push rep
        push 16
        sys SYS_WRITEREAD
        dup
        store result
        push 0
        lt
        jnz failed
        push totmsg
        push totmsg.len
        load rep
        sys SYS_PRINTS
        drop
        push appmsg
        push appmsg.len
        load rep + 2
        sys SYS_PRINTS
        drop
        load rep + 2
        load count
        ne
        push 3
        mul
        sys SYS_STOP                    ; 0, or 3 when the count is wrong

bad_reply:
        push badmsg
        push badmsg.len
        load i
        sys SYS_PRINTS
        drop
        push lenmsg                     ; what the reply said: length, number, count
        push lenmsg.len
        load result
        sys SYS_PRINTS
        drop
        push seqmsg
        push seqmsg.len
        load rep
        sys SYS_PRINTS
        drop
        push cntmsg
        push cntmsg.len
        load rep + 1
        sys SYS_PRINTS
        drop
        push 1
        sys SYS_STOP
open_failed:
        load file
        store result
failed: push errmsg
        push errmsg.len
        load result
        neg
        sys SYS_PRINTS
        push 2
        sys SYS_STOP
