; trap-badsyscall.pasm — a guest fault: a system call that does not exist.
;
; What it shows: the interpreter hands every `sys N` to the kernel, which looks N up in its table
; (guest/syscalls.hpp). There is no system call 999, so the kernel abends the process with
; "bad system call".
        include "sys.pasm"

        .data
before: .string "calling system call 999"

        .code
main:   push before
        push before.len
        sys SYS_PRINT
        drop
        sys 999                 ; the kernel abends us here: "bad system call"
        push 0
        sys SYS_STOP
