; bank-reply-first.pasm — a broken $BANK: it answers each transfer BEFORE it checkpoints it.
;
; For the invariant "no stale takeover" (docs/scenarios.md, "Invariants"; tests/system/test_invariants.py).
; The accounts and the requests are guest/bank.pasm's, so guest/bank-client.pasm checks every reply, but a
; transfer goes
;   1. readupdate and the work; 2. reply; 3. a pause of P µs; 4. checkpoint the state, $RECEIVE and the stack.
; The right order is bank.pasm's: savereply, checkpoint, and only then reply. Here, if the primary's CPU
; fails between 2 and the arrival of 4, the requester has its answer while the backup takes over without
; the transfer: it is lost, and the client's next reply is one short. The kernel sees it too: the reply is
; traced as `reply_ahead` (the checkpointed accounts changed since the last checkpoint), and the takeover
; comes with fewer checkpoints applied than the reply needed — the run breaks "no stale takeover" whatever
; the client checks. The pause only widens the window; without it the window is the checkpoint's trip.
;
; Arguments: 0 the backup's CPU (default: this CPU xor 1), 1 the pause P in µs (default 2000). 10 accounts
; of 10000. It does not make a new backup after a takeover, and ignores system messages.
        include "sys.pasm"
        include "args.pasm"             ; arg_or

        .const MAXCLIENTS 8
        .const NACCTS 10

        .data
receive: .string "$RECEIVE"
tookmsg: .string "took over, status "
len:     .word 0
tag:     .word 0
pause:   .word 0
req:     .space 16                      ; [kind, client, seq, from, to, amount, …]
; The pair's state, one checkpoint buffer.
state:
applied: .word 0                        ; transfers applied in all
byclient: .space MAXCLIENTS             ; transfers applied per client
acct:    .space NACCTS                  ; the balances
rep:     .space 4                       ; the reply being given
state_end:
ckdesc:  .word CKPT_STACK, 1, state, state_end - state, 1, RECEIVE_FILE

        .code
main:   sys SYS_ISBACKUP
        jz primary
        sys SYS_CHECKMONITOR            ; returns only if the primary died before its first checkpoint
        drop

primary:
        push receive
        push receive.len
        push 0
        sys SYS_OPEN
        drop
        push 1
        push 2000
        call arg_or
        store pause
        push 0
        store len
.fill:  load len
        push NACCTS
        lt
        jz .filled
        load len
        push 10000
        storex acct
        load len
        addi 1
        store len
        jmp .fill
.filled:
        push 0                          ; the backup, where argument 0 says
        sys SYS_MYCPU
        push 1
        xor
        call arg_or
        sys SYS_NEWBACKUP
        push 0
        gt
        jz serve                        ; no backup: serve alone
        push RECEIVE_FILE
        sys SYS_CHECKOPEN
        drop
        push ckdesc                     ; the first restart point
        sys SYS_CHECKPOINT
        call after_checkpoint
        drop

serve:  push RECEIVE_FILE
        push req
        push 64
        sys SYS_READUPDATE
        store len
        sys SYS_LASTTAG
        dup
        store tag
        jz serve                        ; a system message: nothing to do
        load len
        push 8
        lt
        jnz bad
        load req + 1                    ; client < MAXCLIENTS (unsigned)
        push MAXCLIENTS
        geu
        jnz bad
        load req
        push 2
        eq
        jnz total
        load req
        push 1
        ne
        jnz bad
        load len                        ; a transfer: 24 bytes, from and to < NACCTS
        push 24
        lt
        jnz bad
        load req + 3
        push NACCTS
        geu
        jnz bad
        load req + 4
        push NACCTS
        geu
        jnz bad

transfer:                               ; 1. the work
        load req + 3                    ; acct[from] -= amount
        dup
        loadx acct
        load req + 5
        sub
        storex acct
        load req + 4                    ; acct[to] += amount
        dup
        loadx acct
        load req + 5
        add
        storex acct
        load applied
        addi 1
        store applied
        load req + 1                    ; byclient[client] += 1
        dup
        loadx byclient
        addi 1
        storex byclient
        load req + 2                    ; the reply: seq, count for this client, the two balances
        store rep
        load req + 1
        loadx byclient
        store rep + 1
        load req + 3
        loadx acct
        store rep + 2
        load req + 4
        loadx acct
        store rep + 3
        load tag                        ; 2. THE MISTAKE: the answer goes out first ...
        push rep
        push 16
        push FE_OK
        sys SYS_REPLY
        drop
        load pause                      ; 3. ... the requester knows, the backup does not ...
        sys SYS_DELAY
        drop
        push ckdesc                     ; 4. ... until this arrives
        sys SYS_CHECKPOINT
        call after_checkpoint
        drop
        jmp serve

total:  push 0                          ; [2, client] -> [total, applied, this client's count, 0]
        store rep
        push 0
        store len
.sum:   load len
        push NACCTS
        lt
        jz .done
        load rep
        load len
        loadx acct
        add
        store rep
        load len
        addi 1
        store len
        jmp .sum
.done:  load applied
        store rep + 1
        load req + 1
        loadx byclient
        store rep + 2
        push 0
        store rep + 3
        load tag
        push rep
        push 16
        push FE_OK
        sys SYS_REPLY
        drop
        jmp serve

bad:    load tag
        push rep
        push 0
        push FE_BADPARAM
        sys SYS_REPLY
        drop
        jmp serve

; after_checkpoint(status) -> 0, or 2 after a takeover (it prints "took over, status S").
        .proc after_checkpoint
        loadl -2
        push 8
        shr
        push CKPT_TAKEOVER
        ne
        jnz .plain
        push tookmsg
        push tookmsg.len
        loadl -2
        sys SYS_PRINTS
        drop
        push 2
        retv 1
.plain: push 0
        retv 1
        .endproc
