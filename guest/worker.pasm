; worker.pasm — a short-lived child process for monitor.pasm.
;
; What it shows: a process that another process created with SYS_NEWPROCESS. It prints which CPU it runs
; in, waits 200 ms of simulated time (SYS_DELAY: the CPU is free for others meanwhile) and stops with
; exit code 7. Its creator then finds a -101 "process deletion" message on its $RECEIVE that carries that 7.
        include "sys.pasm"

        .data
where:  .string "worker running in cpu "

        .code
main:   push where
        push where.len
        sys SYS_MYCPU
        sys SYS_PRINTS                  ; "worker running in cpu N"
        drop
        pushw 200000
        sys SYS_DELAY                   ; 200 ms
        drop
        push 7
        sys SYS_STOP                    ; exit code 7, reported to the creator
