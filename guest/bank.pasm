; bank.pasm — $BANK, a server pair that moves money between accounts exactly once, whatever CPU fails.
;
; What it shows: the exactly-once server pattern of docs/syscalls.md, in a server with real state. The
; accounts live in the data space of the primary; its backup, in another CPU, holds a copy that is never
; older than the last reply a requester has seen. For every transfer:
;   1. readupdate the request and do the work on the accounts;
;   2. savereply — the reply goes into the $RECEIVE sync block, with the request's sync ID;
;   3. checkpoint the accounts, the counts, $RECEIVE's sync block and the stack, in ONE message;
;   4. reply — only now does the requester see the answer.
; If the primary's CPU fails before 3 arrives, the backup has the old accounts and the requester's resend
; is new to it: the transfer is done once, there. After 3: the backup has the new accounts and the saved
; reply, and its kernel answers the resend from the saved reply: the transfer is not done again.
;
; It also keeps itself a pair (docs/process-pairs.md, "Re-creating the backup"):
;   -2 for the backup's CPU, or -101 for the backup process: a new backup at once, in the next CPU up;
;   after a takeover because the primary's CPU failed: no backup until that CPU is reloaded; then at -3
;   the backup is re-created there and CHECKSWITCH moves the work back to it (the pair's home CPU).
;
; Requests (words): [1, client, seq, from, to, amount] a transfer -> [seq, transfers applied for this
; client, new balance of from, new balance of to]; [2, client] the total -> [sum of balances, transfers
; applied in all, transfers applied for this client, 0]. A client numbers its transfers 1, 2, 3, … so the
; count it gets back must equal the number it sent: a transfer lost or done twice shows at once.
; Anything else is answered with error FE_BADPARAM (29).
;
; Arguments: 0 the backup's CPU (default: this CPU xor 1), 1 accounts (10, at most 64), 2 the opening
; balance of each (10000). It prints "took over, status S", "backup created in cpu N", "switching to cpu N"
; and never stops by itself.
;
; Run it:  pairsim run scenarios/pair-bank.scn --table
        include "sys.pasm"
        include "args.pasm"             ; arg_or
        include "pair.pasm"             ; pair_backup_in, pair_backup_from

        .const MAXCLIENTS 8
        .const MAXACCOUNTS 64

        .data
receive: .string "$RECEIVE"
tookmsg: .string "took over, status "
newbmsg: .string "backup created in cpu "
nobmsg:  .string "no backup"
swmsg:   .string "switching to cpu "
len:     .word 0
tag:     .word 0
status:  .word 0
again:   .word 0                        ; 1: make a new backup before the next request
req:     .space 16                      ; [kind, client, seq, from, to, amount, …]
; The pair's state, one checkpoint buffer.
state:
naccts:  .word 0
home:    .word 0                        ; the CPU the pair started in: the work goes back there
bcpu:    .word -1                       ; the backup's CPU (-1: none) ...
bpid:    .word 0                        ; ... and process id
swcpu:   .word 0                        ; before a checkswitch: our CPU and id, the new primary's backup
swpid:   .word 0
applied: .word 0                        ; transfers applied in all
byclient: .space MAXCLIENTS             ; transfers applied per client
acct:    .space MAXACCOUNTS             ; the balances
rep:     .space 4                       ; the reply being given
state_end:
; Checkpoint: the stack (restart point), 1 buffer (the state), 1 file ($RECEIVE: the saved replies).
ckdesc:  .word CKPT_STACK, 1, state, state_end - state, 1, RECEIVE_FILE

        .code
main:   push -1                         ; -2 / -3 of every CPU on $RECEIVE
        sys SYS_MONITORCPUS
        drop
        sys SYS_ISBACKUP
        jz primary
        sys SYS_CHECKMONITOR            ; returns only if the primary died before its first checkpoint:
        drop                            ; then start afresh, as the primary

primary:
        push receive
        push receive.len
        push 0
        sys SYS_OPEN
        drop
        sys SYS_MYCPU
        store home
        push 1
        push 10
        call arg_or
        store naccts
        push 2
        push 10000
        call arg_or
        store status                    ; the opening balance, for the loop below
        push 0
        store len
.fill:  load len
        load naccts
        lt
        jz .filled
        load len
        load status
        storex acct
        load len
        addi 1
        store len
        jmp .fill
.filled:
        push 0                          ; the first backup: where argument 0 says
        sys SYS_MYCPU
        push 1
        xor
        call arg_or
        call make_backup_in
        drop
        push ckdesc                     ; the first restart point: a takeover from here serves
        sys SYS_CHECKPOINT
        call after_checkpoint
        drop

serve:  load again                      ; after a takeover: a new backup first, if one is wanted
        jz .read
        push 0
        store again
        sys SYS_MYCPU
        addi 1
        call make_backup_from
        jz .read
        push ckdesc
        sys SYS_CHECKPOINT
        call after_checkpoint
        drop
.read:  push RECEIVE_FILE
        push req
        push 64
        sys SYS_READUPDATE
        store len
        sys SYS_LASTTAG
        dup
        store tag
        jz system_message
        load req
        push 1
        eq
        jnz transfer
        load req
        push 2
        eq
        jnz total
bad:    load tag
        push rep
        push 0
        push FE_BADPARAM
        sys SYS_REPLY
        drop
        jmp serve

transfer:                               ; 1. the work
        load len
        push 24
        lt
        jnz bad
        load req + 1                    ; client < MAXCLIENTS, from < naccts, to < naccts (unsigned)
        push MAXCLIENTS
        geu
        jnz bad
        load req + 3
        load naccts
        geu
        jnz bad
        load req + 4
        load naccts
        geu
        jnz bad
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
        load tag                        ; 2. the reply, saved in the $RECEIVE sync block
        push rep
        push 16
        push FE_OK
        sys SYS_SAVEREPLY
        drop
        push ckdesc                     ; 3. accounts + saved reply + restart point, one message
        sys SYS_CHECKPOINT
        call after_checkpoint           ; a takeover resumes here: back to serve (the tag is stale;
        jnz serve                       ; the requester resends and gets the saved reply)
        load tag                        ; 4. only now the answer goes out
        push rep
        push 16
        push FE_OK
        sys SYS_REPLY
        drop
        jmp serve

total:  load req + 1                    ; reads only: nothing to checkpoint
        push MAXCLIENTS
        geu
        jnz bad
        push 0
        store rep
        push 0
        store status
.sum:   load status
        load naccts
        lt
        jz .done
        load rep
        load status
        loadx acct
        add
        store rep
        load status
        addi 1
        store status
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

system_message:                         ; tag 0: [-2, cpu], [-3, cpu], [-101, pid, abended, exit]
        load req
        push SYSMSG_CPU_DOWN
        eq
        jnz cpu_down
        load req
        push SYSMSG_CPU_UP
        eq
        jnz cpu_up
        load req
        push SYSMSG_DELETION
        eq
        jnz deletion
        jmp serve
cpu_down:
        load req + 1
        load bcpu
        ne
        jnz serve                       ; not our backup's CPU (after a takeover: the old primary's)
        jmp recreate
deletion:
        load bcpu
        push -1
        eq
        jnz serve
        load req + 1
        load bpid
        ne
        jnz serve                       ; not our backup
recreate:                               ; the backup is gone: a new one at once, in the next CPU up
        load bcpu
        push -1
        store bcpu
        addi 1
        call make_backup_from
        jz serve
give:   push ckdesc                     ; give it everything, with a restart point
        sys SYS_CHECKPOINT
        call after_checkpoint
        drop
        jmp serve
cpu_up: load bcpu                       ; -3: a CPU is back. Without a backup, make one there ...
        push -1
        ne
        jnz serve
        load req + 1
        call make_backup_in
        jz serve
        load req + 1                    ; ... and if it is our home CPU, move the work back there
        load home
        eq
        sys SYS_MYCPU
        load home
        ne
        and
        jz give
        push swmsg
        push swmsg.len
        load home
        sys SYS_PRINTS
        drop
        sys SYS_MYCPU                   ; after the switch we are the new primary's backup
        store swcpu
        sys SYS_MYPID
        store swpid
        push ckdesc                     ; the new primary starts from here
        sys SYS_CHECKPOINT
        call after_checkpoint
        jnz serve
        sys SYS_CHECKSWITCH             ; we wait here as the backup; it returns only if the new primary
        call after_checkpoint           ; never checkpoints its stack (it does: the takeover resumes at its
        drop                            ; last checkpoint instead)
        jmp serve

; after_checkpoint(status) -> 0: go on (done, or no backup: -2 / -101 on $RECEIVE tell us why);
; 2: we just took over — the caller goes back to serve. On a takeover it prints the status and notes what
; became of our backup.
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
        loadl -2
        push TAKEOVER_SWITCH
        eq
        jz .alone
        load swcpu                      ; a checkswitch: the old primary is our backup now
        store bcpu
        load swpid
        store bpid
        push 2
        retv 1
.alone: push -1
        store bcpu
        loadl -2                        ; the primary stopped or abended, its CPU is up: a new backup
        push TAKEOVER_CPUFAILED         ; at once (serve makes it); its CPU failed: when it comes back
        ne                              ; (-3)
        store again
        push 2
        retv 1
.plain: push 0
        retv 1
        .endproc

; make_backup_in(cpu) -> 1 when a backup was created in that CPU and given our $RECEIVE open, else 0.
        .proc make_backup_in
        loadl -2
        call pair_backup_in
        call adopt_backup
        retv 1
        .endproc

; make_backup_from(cpu) -> 1 when a backup was created in the first CPU that is up from `cpu` on,
; round-robin over 16 and not ours (NET/MASTER's rule, guest/lib/pair.pasm), else 0.
        .proc make_backup_from
        loadl -2
        call pair_backup_from
        call adopt_backup
        dup
        jnz .made
        push nobmsg
        push nobmsg.len
        sys SYS_PRINT
        drop
.made:  retv 1
        .endproc

; adopt_backup(pid or -error) -> 1 when it is a new backup: notes bpid and bcpu, says so, and gives it our
; $RECEIVE open; else 0.
        .proc adopt_backup
        loadl -2
        push 0
        gt
        jz .no
        loadl -2
        store bpid
        loadl -2
        push 8                          ; pid = cpu << 8 | pin
        shr
        store bcpu
        push newbmsg
        push newbmsg.len
        load bcpu
        sys SYS_PRINTS
        drop
        push RECEIVE_FILE
        sys SYS_CHECKOPEN
        drop
        push 1
        retv 1
.no:    push 0
        retv 1
        .endproc
