; bank-disk.pasm — $BANK with its accounts on disk: the file $DATA.ACCTS, served by the disk process pair.
;
; What it shows: a server pair whose state lives in a file, and the two pairs working together. The
; accounts are records of $DATA.ACCTS (record i: account i's balance, one word); the primary opens the file
; and CHECKOPENs it, so its backup holds the same open (the same sync ID). For every transfer:
;   1. readupdate the request; read both balances from the file (fread: retryable, nothing to checkpoint);
;   2. savereply — the reply goes into the $RECEIVE sync block;
;   3. checkpoint the two new balances ("pending"), the counts, $RECEIVE's and the file's sync blocks and
;      the stack, in ONE message;
;   4. write both balances (fwrite: a record by number, retryable), then reply.
; If the bank's CPU fails before 3 arrives, the backup never heard of the transfer: the client's resend is
; new to it and it is done once, there. After 3: the backup resumes at the checkpoint, opens the file afresh
; and writes the two pending balances again — the same values to the same records: writing a record by
; number twice does no harm — then the client's resend is answered from the saved reply. (A fresh open,
; because its old one, its primary's, may have sent the next transfer's reads after the checkpoint: the disk
; process would take ours with the same sync IDs for older requests.) If the disk process's CPU fails
; instead, the bank's kernel resends the file request to the disk process's backup.
; Money is neither made nor lost, and the file outlives the run when the volume has an image.
;
; Requests and replies: as guest/bank.pasm ([1, client, seq, from, to, amount] a transfer; [2, client] the
; total). Arguments: 0 the backup's CPU (default: this CPU xor 1), 1 accounts (10, at most 64), 2 the
; opening balance of each (10000), written only to accounts the file does not have yet: a second run on the
; same image goes on from the balances the first left.
;
; Run it:  pairsim run scenarios/bank-disk.scn
        include "sys.pasm"
        include "args.pasm"             ; arg_or
        include "pair.pasm"             ; pair_backup_in, pair_backup_from

        .const MAXCLIENTS 8
        .const MAXACCOUNTS 64

        .data
receive: .string "$RECEIVE"
accts:   .string "$DATA.ACCTS"
filemsg: .string "file error "
tookmsg: .string "took over, status "
newbmsg: .string "backup created in cpu "
nobmsg:  .string "no backup"
swmsg:   .string "switching to cpu "
len:     .word 0
tag:     .word 0
status:  .word 0
again:   .word 0                        ; 1: make a new backup before the next request
bfrom:   .word 0                        ; balances read for a transfer
bto:     .word 0
i:       .word 0
req:     .space 16                      ; [kind, client, seq, from, to, amount, …]
; The pair's state, one checkpoint buffer.
state:
acf:     .word 0                        ; the file $DATA.ACCTS, opened (the backup holds the same open)
naccts:  .word 0
home:    .word 0                        ; the CPU the pair started in: the work goes back there
bcpu:    .word -1                       ; the backup's CPU (-1: none) ...
bpid:    .word 0                        ; ... and process id
swcpu:   .word 0                        ; before a checkswitch: our CPU and id, the new primary's backup
swpid:   .word 0
applied: .word 0                        ; transfers applied in all
byclient: .space MAXCLIENTS             ; transfers applied per client
pending: .word 0                        ; 1: the two writes below are to be done (again after a takeover)
pfrom:   .word 0                        ; account and new balance, twice
pnfrom:  .word 0
pto:     .word 0
pnto:    .word 0
rep:     .space 4                       ; the reply being given
state_end:
; Checkpoint: the stack (restart point), 1 buffer (the state), 2 files ($RECEIVE: the saved replies; the
; accounts file: its sync ID, so that the backup's writes after a takeover carry its primary's).
ckdesc:  .word CKPT_STACK, 1, state, state_end - state, 2, RECEIVE_FILE
ckfile:  .word 0

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
        push accts                      ; the file: made once, on a volume that does not have it yet
        push accts.len
        push 4
        push MAXACCOUNTS
        sys SYS_FCREATE
        store i
        load i
        jz .made
        load i
        push -FE_FILEEXISTS
        eq
        jnz .made
        load i                          ; neither made now nor there already
        jmp file_error
.made:        push accts
        push accts.len
        sys SYS_FOPEN
        store acf
        load acf
        store ckfile
        load acf
        push 0
        lt
        jz .opened
        load acf
        jmp file_error
.opened:        load acf
        sys SYS_FINFO
        store i                         ; accounts the file has: a second run keeps their balances
.fill:  load i
        load naccts
        lt
        jz .filled
        load acf
        load i
        push status
        push 4
        sys SYS_FWRITE
        dup
        jnz file_error
        drop
        load i
        addi 1
        store i
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
        jmp serve

redo:   load pending                    ; after a takeover: the last transfer's writes, again
        jz serve
        load pfrom
        load pnfrom
        call put_balance
        load pto
        load pnto
        call put_balance
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
        load req + 3                    ; the balances, from the file
        call get_balance
        store bfrom
        load req + 4
        call get_balance
        store bto
        load bfrom                      ; from -= amount
        load req + 5
        sub
        store pnfrom
        load req + 3
        store pfrom
        load req + 4
        store pto
        load req + 3                    ; to += amount (the new from-balance when from is to)
        load req + 4
        eq
        jz .apart
        load pnfrom
        store bto
.apart: load bto
        load req + 5
        add
        store pnto
        push 1
        store pending
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
        load pnfrom
        store rep + 2
        load pnto
        store rep + 3
        load tag                        ; 2. the reply, saved in the $RECEIVE sync block
        push rep
        push 16
        push FE_OK
        sys SYS_SAVEREPLY
        drop
        push ckdesc                     ; 3. new balances + saved reply + sync IDs + restart point
        sys SYS_CHECKPOINT
        call after_checkpoint           ; a takeover resumes here: the writes again, then serve (the tag
        jnz redo                        ; is stale; the requester resends and gets the saved reply)
        load pfrom                      ; 4. the writes, then the answer
        load pnfrom
        call put_balance
        load pto
        load pnto
        call put_balance
        load tag
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
        load status
        call get_balance
        load rep
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

; get_balance(account) -> its balance, read from the file. A file error stops the bank (it cannot serve).
        .proc get_balance
        load acf
        loadl -2
        push i                          ; the word read lands in `i`
        push 4
        sys SYS_FREAD
        dup
        push 4
        ne
        jnz file_error                  ; (its result: an error, or a short record)
        drop
        load i
        retv 1
        .endproc

; put_balance(account, balance): writes it to the file. A file error stops the bank.
        .proc put_balance
        loadl -2
        store i
        load acf
        loadl -3
        push i
        push 4
        sys SYS_FWRITE
        dup
        jnz file_error
        drop
        ret 2
        .endproc

; reopen(): after a takeover, the accounts file opened afresh. The open we hold is our old primary's, and it
; may have sent requests on it after its last checkpoint (the reads of the next transfer): the disk process
; would refuse ours with the same sync IDs as older than those. Everything we do again from the checkpoint
; is a read or a write of a record by number — the same values again — so a new open with new sync IDs is
; safe; it also becomes the open our next backup gets (checkopen) and our checkpoints name.
        .proc reopen
        load acf
        sys SYS_CLOSE
        drop
        push accts
        push accts.len
        sys SYS_FOPEN
        dup
        push 0
        lt
        jnz file_error
        dup
        store acf
        store ckfile
        ret 0
        .endproc

file_error:                             ; (status) the accounts cannot be reached: stop, and say why
        store i
        push filemsg
        push filemsg.len
        load i
        sys SYS_PRINTS
        drop
        push 3
        sys SYS_STOP

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
        call reopen                     ; a fresh open of the accounts: see reopen
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
        load acf                        ; and the accounts file: the backup holds the same open
        sys SYS_CHECKOPEN
        drop
        push 1
        retv 1
.no:    push 0
        retv 1
        .endproc
