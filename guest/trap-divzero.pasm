; trap-divzero.pasm — a guest fault: division by zero.
;
; What it shows: `div`, `mod`, `divu` and `modu` trap when the divisor is 0. The CPU does not crash and
; neither does the simulator: the kernel stops (abends) this process with the reason "division by zero",
; and every other process goes on. See docs/isa.md, "Traps", and scenarios/guest-traps.scn.
        include "sys.pasm"

        .data
before: .string "dividing 7 by 0"

        .code
main:   push before
        push before.len
        sys SYS_PRINT
        drop
        push 7
        push 0
        div                     ; traps here: the process ends with "division by zero"
        sys SYS_PRINTNUM        ; never reached
        push 0
        sys SYS_STOP
