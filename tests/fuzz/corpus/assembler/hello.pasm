; hello.pasm — the smallest complete guest program: print a line, print a number, stop.
;
; What it shows: the system-call convention (push the arguments, `sys N`, one result word comes back and
; must be dropped when it is not wanted), .string and its automatic .len constant, and SYS_PRINTS, which
; prints a text followed by a number as one output line. Every print is one output line; no "\n" needed.
;
; Run it:   pairsim run scenarios/guest-hello.scn
; Look at:  pairsim asm guest/hello.pasm --listing      pairsim disasm guest/hello.pasm
        include "sys.pasm"              ; SYS_* names (guest/lib/sys.pasm)

        .data
greeting: .string "hello, world"        ; also defines greeting.len = 12
answer:   .string "the answer is "

        .code
main:   push greeting                   ; word address of the text
        push greeting.len               ; its length in bytes
        sys SYS_PRINT                   ; output line: hello, world
        drop                            ; every call pushes one result; this one is always 0

        push answer
        push answer.len
        push 6
        push 7
        mul                             ; 42, computed on the stack
        sys SYS_PRINTS                  ; output line: the answer is 42
        drop

        push 0                          ; exit code 0: all went well
        sys SYS_STOP                    ; never returns
