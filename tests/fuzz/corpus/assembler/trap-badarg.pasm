; trap-badarg.pasm — a guest fault: a system call given a buffer outside the data space.
;
; What it shows: the kernel checks every buffer a system call names (word address and byte length)
; against the caller's data space before it touches it. Printing 10 bytes from word 1000000 is refused:
; the kernel abends the process with "bad system-call argument". A kernel that trusted the address
; would read some other process's memory, or its own.
        include "sys.pasm"

        .data
before: .string "printing from word 1000000"

        .code
main:   push before
        push before.len
        sys SYS_PRINT
        drop
        pushw 1000000           ; an address far outside our 4103 words
        push 10
        sys SYS_PRINT           ; the kernel abends us here: "bad system-call argument"
        drop
        push 0
        sys SYS_STOP
