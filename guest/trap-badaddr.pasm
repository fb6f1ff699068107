; trap-badaddr.pasm — a guest fault: a data access outside the data space.
;
; What it shows: a process's data space is its globals plus its stack (here 1 + 4096 words); every load
; and store is checked against it. Reading word 1000000 traps with "bad address" — there is no way to
; reach another process's memory or the kernel's. See docs/isa.md, "Data-space layout".
        include "sys.pasm"

        .data
before: .string "reading word 1000000"

        .code
main:   push before
        push before.len
        sys SYS_PRINT
        drop
        load 1000000            ; traps here: "bad address"
        sys SYS_PRINTNUM        ; never reached
        push 0
        sys SYS_STOP
