; ticker.pasm — a busy process: prints 1, 2, 3, … back to back, then stops with exit 0.
;
; For the system tests of when scenario actions take effect on a busy CPU (tests/system/test_instant.py):
; it prints a line every 13 instructions, so a trace shows to the instruction what the process did
; around a fault or a timed start. Argument 0: how many numbers (default 1000).
        include "sys.pasm"
        include "args.pasm"             ; arg_or

        .data
n:      .word 0
limit:  .word 0

        .code
main:   push 0
        push 1000
        call arg_or
        store limit
loop:   load n
        addi 1
        dup
        store n
        sys SYS_PRINTNUM                ; one output line: n
        drop
        load n
        load limit
        lt
        jnz loop
        push 0
        sys SYS_STOP
