; table-8-1.pasm — the life of a process pair, step by step as in Lehey's Table 8-1.
;
; What it shows: every Guardian process-pair procedure in the order of the book's table.
;   primary: initialization; NEWPROCESS (here SYS_NEWBACKUP) creates the backup in another CPU
;   backup:  initialization; MONITORCPUS; CHECKMONITOR — it waits there for checkpoint data
;   primary: CHECKPOINT (its data); CHECKOPEN of the log server $LOG (the backup opens it too, from
;            inside CHECKMONITOR); processing and a CHECKPOINT (data, the open's sync block, the stack:
;            the restart point) after each step
;   primary: at step SWITCH, CHECKSWITCH — a voluntary switch: the backup takes over from the last
;            checkpoint and the caller becomes the backup, waiting inside CHECKSWITCH as in CHECKMONITOR
;   new primary: processing and checkpoints; then (the scenario) its CPU fails
;   the original process takes over — from the new primary's last checkpoint — and goes on processing.
; Each step prints "processing step N" (the table's "Processing" rows) and sends N to $LOG
; (table-8-1-log.pasm), which prints it exactly once whoever the primary is.
;
; Arguments: 0 the backup's CPU (default: this CPU xor 1), 1 SWITCH, the step that ends with the
; checkswitch (3), 2 the last step (12), 3 microseconds between steps (20000). After the last step it
; prints "done" and waits, still a pair (or alone, after the failure). Exit 2: no $LOG; 3: no backup.
;
; Run it:  pairsim run scenarios/pair-table-8-1.scn --table
        include "sys.pasm"
        include "args.pasm"             ; arg_or
        include "open.pasm"             ; open_wait

        .data
logname: .string "$LOG"
initmsg: .string "initialization in cpu "
stepmsg: .string "processing step "
tookmsg: .string "took over, status "
swmsg:   .string "checkswitch at step "
donemsg: .string "done"
status:  .word 0
answer:  .word 0
state:
step:    .word 0
switch:  .word 0                        ; the step that ends with the checkswitch
last:    .word 0
pause:   .word 0
logf:    .word 0
; CHECKPOINT of the data only, then of the data, the open of $LOG and the stack (a restart point). The
; descriptors are data too, and checkpointed: the file number is only known at run time.
datadesc: .word 0, 1, state, state_end - state, 0
fulldesc: .word CKPT_STACK, 1, state, state_end - state, 1
fullfile: .word 0
state_end:

        .code
main:   sys SYS_ISBACKUP
        jz primary
        push -1                         ; the backup: initialization (it watches the CPUs), then it
        sys SYS_MONITORCPUS
        drop
        sys SYS_CHECKMONITOR            ; waits for checkpoint data; a takeover resumes at the last
                                        ; stack checkpoint instead
        store status
        jmp took_over

primary:
        push initmsg                    ; "Perform initialization"
        push initmsg.len
        sys SYS_MYCPU
        sys SYS_PRINTS
        drop
        push 1
        push 3
        call arg_or
        store switch
        push 2
        push 12
        call arg_or
        store last
        push 3
        push 20000
        call arg_or
        store pause
        push logname
        push logname.len
        push 1
        push 100
        call open_wait
        dup
        store logf
        store fullfile
        load logf
        push 0
        lt
        jnz no_log
        push 0                          ; NEWPROCESS: the backup, in the CPU we were told
        sys SYS_MYCPU
        push 1
        xor
        call arg_or
        sys SYS_NEWBACKUP
        push 0
        lt
        jnz no_backup
        push 1000                       ; 1 ms for the backup's initialization. Not needed — a checkpoint
        sys SYS_DELAY                   ; that comes before the backup reaches CHECKMONITOR is held for
        drop                            ; it — but it keeps the order of the book's table
        push datadesc                   ; CHECKPOINT: the data
        sys SYS_CHECKPOINT
        drop
        load logf                       ; CHECKOPEN: the backup opens $LOG too
        sys SYS_CHECKOPEN
        drop

work:   load step                       ; Processing
        load last
        lt
        jz finish
        load step
        addi 1
        store step
        push stepmsg
        push stepmsg.len
        load step
        sys SYS_PRINTS
        drop
        load logf
        push step
        push 4
        push answer
        push 4
        sys SYS_WRITEREAD
        drop
        push fulldesc                   ; CHECKPOINT: data, the open's sync block, the restart point
        sys SYS_CHECKPOINT
        dup
        store status
        push 8
        shr
        push CKPT_TAKEOVER
        eq
        jnz took_over
        load step
        load switch
        ne
        jnz next
        push swmsg                      ; the voluntary switch
        push swmsg.len
        load step
        sys SYS_PRINTS
        drop
        sys SYS_CHECKSWITCH             ; returns only if the new primary never checkpoints its stack
        store status
took_over:
        push tookmsg
        push tookmsg.len
        load status
        sys SYS_PRINTS
        drop
next:   load pause
        sys SYS_DELAY
        drop
        jmp work

finish: push donemsg
        push donemsg.len
        sys SYS_PRINT
        drop
        push fulldesc                   ; a takeover from here on stays here
        sys SYS_CHECKPOINT
        drop
idle:   push 1000000
        sys SYS_DELAY
        drop
        jmp idle

no_log: push 2
        sys SYS_STOP
no_backup:
        push 3
        sys SYS_STOP
