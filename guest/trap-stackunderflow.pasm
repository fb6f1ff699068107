; trap-stackunderflow.pasm — a guest fault: taking a word off an empty stack.
;
; What it shows: the main program starts with an empty stack; `add` needs two words and finds one, so
; it traps with "stack underflow". The same trap catches a `ret` with no frame to return to.
        include "sys.pasm"

        .data
before: .string "adding with one word on the stack"

        .code
main:   push before
        push before.len
        sys SYS_PRINT
        drop                    ; the stack is empty again
        push 1
        add                     ; traps here: "stack underflow"
        push 0
        sys SYS_STOP
