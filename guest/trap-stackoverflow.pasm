; trap-stackoverflow.pasm — a guest fault: unbounded recursion fills the stack.
;
; What it shows: each call pushes a two-word frame marker (return address and the caller's L); a
; procedure that calls itself for ever fills the stack (.stack 256 words here, to make it quick) and the
; push past its end traps with "stack overflow". See docs/isa.md, "Frames and the calling convention".
        include "sys.pasm"

        .stack 256

        .data
before: .string "recursing for ever"

        .code
main:   push before
        push before.len
        sys SYS_PRINT
        drop
        call forever            ; never returns
        push 0
        sys SYS_STOP

        .proc forever
        call forever            ; traps when the stack is full: "stack overflow"
        ret 0
        .endproc
