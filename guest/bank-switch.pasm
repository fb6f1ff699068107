; bank-switch.pasm — $BANK as in bank.pasm, but the pair moves its work to its backup with CHECKSWITCH every
; few transfers, while it serves: the roles of its two CPUs swap back and forth under request traffic.
;
; What it shows: that a voluntary switch keeps the exactly-once discipline of docs/syscalls.md, and that
; it does so while CPUs fail and the bus has outages (tests/system/test_promise.py). Every transfer follows
; bank.pasm's four steps:
;   1. readupdate the request and do the work on the accounts (and count it towards the next switch);
;   2. savereply — the reply goes into the $RECEIVE sync block, with the request's sync ID;
;   3. checkpoint the accounts, the counts, $RECEIVE's sync block and the stack, in ONE message;
;   4. reply — only now does the requester see the answer.
; Then, after every K-th transfer, if the pair has a backup:
;   5. note this process (its CPU and id) as the new primary's backup-to-be, and checkpoint the state,
;      $RECEIVE's sync block and the stack: the new primary's restart point, right here;
;   6. if that checkpoint was done (status 0), checkswitch: the backup takes over from step 5 with status
;      0x203, takes the caller as its backup, and serves; the caller waits inside checkswitch as the
;      backup. K transfers later the new primary switches back the same way.
; The switch comes between two requests, so no request is half done. Requests still queued, unread, for
; the old primary go back to their requesters' kernels, which resend them to the new primary with the same
; sync IDs: they are new there, and done once. The $RECEIVE sync block of steps 3 and 5 carries every
; opener's last saved reply, so a resend of a request that was already answered is a duplicate to the new
; primary's kernel and is answered from the saved reply, never done again. A CPU failure at any moment is
; handled as in bank.pasm: the process that survives takes over from the last checkpoint it received
; (status 0x202), and the requesters resend.
;
; Keeping a pair: as bank.pasm (-2 / -101 for the backup: a new one at once in the next CPU up; after a
; takeover because the primary's CPU failed, none until that CPU is reloaded, then there, and a switch
; home). A process that takes over from a switch knows its backup from step 5 and prints nothing; any
; other takeover prints "took over, status S".
;
; Requests and replies: as bank.pasm ([1, client, seq, from, to, amount] a transfer, [2, client] the total).
;
; Arguments: 0 the backup's CPU (default: this CPU xor 1), 1 accounts (10, at most 64), 2 the opening
; balance of each (10000), 3 K, the transfers between two switches (5; 0: never switch).
;
; Run it:  pairsim run scenarios/pair-switch.scn --table
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
since:   .word 0                        ; transfers since the last switch
every:   .word 0                        ; K, transfers between two switches (argument 3)
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
        push 3
        push 5
        call arg_or
        store every
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
        load since                      ; one more towards the next switch
        addi 1
        store since
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
        load every                      ; K transfers since the last switch, and a backup: switch
        jz serve
        load since
        load every
        lt
        jnz serve
        load bcpu
        push -1
        eq
        jnz serve
        push 0
        store since
        sys SYS_MYCPU                   ; 5. after the switch we are the new primary's backup
        store swcpu
        sys SYS_MYPID
        store swpid
        push ckdesc                     ; the new primary starts from here
        sys SYS_CHECKPOINT
        dup
        store status
        call after_checkpoint
        jnz serve                       ; we are the new primary (status 0x203), or took over
        load status
        jnz serve                       ; not done (no backup): no switch
        sys SYS_CHECKSWITCH             ; 6. we wait here as the backup; the new primary checkpoints its
        call after_checkpoint           ; stack, so a takeover resumes at its last checkpoint instead
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
; 2: we just took over — the caller goes back to serve. On a takeover it notes what became of our backup
; and, unless it was a switch, prints the status.
        .proc after_checkpoint
        loadl -2
        push 8
        shr
        push CKPT_TAKEOVER
        ne
        jnz .plain
        loadl -2
        push TAKEOVER_SWITCH
        eq
        jnz .switch
        push tookmsg
        push tookmsg.len
        loadl -2
        sys SYS_PRINTS
        drop
        jmp .alone
.switch: load swcpu                      ; a checkswitch: the old primary is our backup now
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
