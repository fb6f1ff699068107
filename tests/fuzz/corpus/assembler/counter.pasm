; counter.pasm — a process pair that counts 1, 2, 3, … and survives the failure of its primary's CPU.
;
; What it shows: the passive-backup process pair of Guardian (Lehey, Table 8-1). The primary creates its
; backup in another CPU with SYS_NEWBACKUP; the backup, started from the same program, finds itself a
; backup (SYS_ISBACKUP) and waits in SYS_CHECKMONITOR. After every step the primary checkpoints its state
; (the counter) AND its stack: that makes the point just after the SYS_CHECKPOINT the restart point. When
; the primary's CPU fails, the backup's kernel resumes the backup right there, with the primary's stack
; and registers, and SYS_CHECKPOINT "returns" the takeover status (0x202: the processor failed).
; The new primary then re-creates a backup in the next CPU that is up (a failed backup is re-created the
; same way: its next checkpoint says "no backup"), and checkpoints again before it goes on.
;
; Output. A pair cannot print exactly once by itself: printing and checkpointing are two events and a CPU
; can fail between any two. So it prints in one of two ways (argument 3):
;   0  itself: checkpoint "about to print n" (R1), print n, checkpoint "printed n" (R2). A failure before
;      R1 arrives: the backup prints n. Between R1 and the print: the backup resumes at R1 and prints n.
;      After R2: nothing to redo. Between the print and R2's arrival — a window of a few instructions —
;      the backup resumes at R1 and prints n AGAIN. Never a gap; a repeat is possible, only there.
;   2  like 0 without R2, to show the repeat: a failure anywhere in the pause after n was printed makes
;      the backup print n again (scenarios/pair-counter-repeat.scn).
;   1  through the log server $LOG (table-8-1-log.pasm), opened with sync depth 1 and checkopened: R1
;      also carries the open's sync ID, then writeread(n). If the CPU fails after the request left, the
;      backup repeats it from R1 with the same sync ID, and $LOG's kernel answers it from the saved reply
;      without printing again. Exactly once.
;   3  like 1, through the terminal $TERM (a terminal process pair, docs/io.md): each number as a line of
;      text. Exactly once, in order, whichever of the counter's or the terminal's CPUs fails.
;
; Arguments: 0 the backup's CPU (default: this CPU xor 1), 1 how many numbers (20), 2 microseconds
; between numbers (20000), 3 the output mode above (0), 4 what to do at the end: 0 (default) print "done"
; and wait for ever, still a pair; 1 print "done" and stop the pair (SYS_STOPPAIR, exit 0).
; Exit 2: $LOG could not be opened; 3: a writeread to $LOG failed.
;
; Run it:  pairsim run scenarios/takeover-demo.scn --table
        include "sys.pasm"
        include "args.pasm"             ; arg_or
        include "open.pasm"             ; open_wait
        include "pair.pasm"             ; pair_backup_from
        include "line.pasm"             ; line_number (mode 3: the number as text)

        .data
logname: .string "$LOG"
termname: .string "$TERM"
tookmsg: .string "took over, status "
newbmsg: .string "backup created in cpu "
nobmsg:  .string "running without a backup"
donemsg: .string "done"
logerr:  .string "log error "
; The pair's state: everything the backup needs to carry on. One buffer of the checkpoint.
state:
n:       .word 0                        ; the last number handed out
limit:   .word 0
period:  .word 0
mode:    .word 0
logf:    .word 0                        ; the file number of $LOG (mode 1)
bcpu:    .word -1                       ; the backup's CPU, -1: none
; Checkpoint descriptor: the stack (restart point), 1 buffer (state), then the files. In mode 1 the open
; of $LOG is one file: its sync block carries the sync ID of the last request sent. The descriptor is part
; of the state: a new primary must checkpoint the same things.
ckdesc:  .word CKPT_STACK, 1, state, state_end - state
ckfiles: .word 0, 0                     ; number of files (0 or 1), the file
state_end:
status:  .word 0
answer:  .word 0

        .code
main:   sys SYS_ISBACKUP
        jz primary
        sys SYS_CHECKMONITOR            ; the backup waits here until a takeover (see R1 and R2 below)
        store status                    ; returned: the primary never checkpointed its stack, so there is
        push tookmsg                    ; no restart point: start from the beginning as the primary
        push tookmsg.len
        load status
        sys SYS_PRINTS
        drop

primary:
        push 0                          ; the backup's CPU: argument 0, or this CPU xor 1
        sys SYS_MYCPU
        push 1
        xor
        call arg_or
        store bcpu
        push 1
        push 20
        call arg_or
        store limit
        push 2
        push 20000
        call arg_or
        store period
        push 3
        push 0
        call arg_or
        store mode
        load mode
        push 1
        eq
        jnz .openlog
        load mode
        push 3
        ne
        jnz .first
        push termname                   ; mode 3: the terminal
        push termname.len
        jmp .open
.openlog:
        push logname
        push logname.len
.open:  push 1                          ; sync depth 1: resent after a takeover, answered once
        push 100
        call open_wait
        dup
        store logf
        push 0
        lt
        jnz nolog
        push 1                          ; the descriptor names the open: its sync block travels too
        store ckfiles
        load logf
        store ckfiles + 1
.first: load bcpu                       ; the first backup: in the CPU we were told
        call make_backup
        drop

loop:   load n
        load limit
        lt
        jz finish
        load n
        addi 1
        store n
r1:     push ckdesc                     ; R1: "about to print n" — a takeover resumes just after this
        sys SYS_CHECKPOINT
        call after_checkpoint           ; 1: a new backup was made, checkpoint again for it
        jnz r1
        load mode
        push 1
        eq
        jnz via_log
        load mode
        push 3
        eq
        jnz via_term
        load n                          ; mode 0: print it ourselves ...
        sys SYS_PRINTNUM
        drop
        load mode                       ; (mode 2 leaves out R2: see the top)
        jnz pause
r2:     push ckdesc                     ; ... and R2: "printed n"
        sys SYS_CHECKPOINT
        call after_checkpoint
        jnz r2
        jmp pause
via_log:
        load logf                       ; mode 1: $LOG prints it, exactly once
        push n
        push 4
        push answer
        push 4
        sys SYS_WRITEREAD
        dup
        push 0
        lt
        jnz log_failed
        drop
        jmp pause
via_term:
        push 0                          ; mode 3: n as text, a line on $TERM, exactly once
        store line_len
        load n
        call line_number
        load logf
        push line_buf
        load line_len
        push answer
        push 4
        sys SYS_WRITEREAD
        dup
        push 0
        lt
        jnz log_failed
        drop
pause:  load period
        sys SYS_DELAY
        drop
        jmp loop

finish: push donemsg
        push donemsg.len
        sys SYS_PRINT
        drop
        push 4
        push 0
        call arg_or
        jz r3
        push 0
        sys SYS_STOPPAIR                ; stops the backup too, without a takeover
r3:     push ckdesc                     ; R3: "done" — a takeover from here on stays idle
        sys SYS_CHECKPOINT
        call after_checkpoint
        jnz r3
idle:   push 1000000
        sys SYS_DELAY
        drop
        jmp idle

nolog:  push logerr
        push logerr.len
        load logf
        sys SYS_PRINTS
        push 2
        sys SYS_STOP
log_failed:
        store status
        push logerr
        push logerr.len
        load status
        sys SYS_PRINTS
        push 3
        sys SYS_STOP

; after_checkpoint(status) -> 1 when the checkpoint must be sent again (to a backup just created)
        .proc after_checkpoint
        loadl -2
        push 8
        shr
        dup
        push CKPT_TAKEOVER
        eq
        jnz .takeover
        push CKPT_NOBACKUP
        eq
        jnz .lost
        push 0                          ; done: the backup has it
        retv 1
.takeover:
        drop
        push tookmsg                    ; we are the primary now, and have no backup
        push tookmsg.len
        loadl -2
        sys SYS_PRINTS
        drop
        jmp .again
.lost:  load bcpu                       ; no backup, or it cannot be reached: re-create it ...
        push -1
        eq
        jz .again
        push 0                          ; ... unless we know there is none to be had
        retv 1
.again: push -1
        store bcpu
        sys SYS_MYCPU                   ; the next CPU up from ours, round-robin
        addi 1
        call make_backup
        retv 1
        .endproc

; make_backup(first cpu) -> 1 when a backup was created (guest/lib/pair.pasm: in the first CPU that is up,
; from `first` on, round-robin, not ours), else 0. Sets bcpu; gives the backup the open of $LOG.
        .proc make_backup
        loadl -2
        call pair_backup_from
        dup
        push 0
        lt
        jnz .none
        push 8                          ; pid = cpu << 8 | pin
        shr
        store bcpu
        push newbmsg
        push newbmsg.len
        load bcpu
        sys SYS_PRINTS
        drop
        load ckfiles                    ; mode 1: the backup opens $LOG as we did
        jz .made
        load logf
        sys SYS_CHECKOPEN
        drop
.made:  push 1
        retv 1
.none:  drop
        push nobmsg
        push nobmsg.len
        sys SYS_PRINT
        drop
        push 0
        retv 1
        .endproc
