; trap-illegal.pasm — a guest fault: an illegal instruction.
;
; What it shows: `.word` in the code section puts a raw word there. Opcode 0 is deliberately no
; instruction, so running into zeroed memory (or data) traps at once with "illegal instruction" instead of
; doing something undefined.
        include "sys.pasm"

        .data
before: .string "running the word 0"

        .code
main:   push before
        push before.len
        sys SYS_PRINT
        drop
        .word 0                 ; traps here: "illegal instruction"
        push 0
        sys SYS_STOP
