; args.pasm — start arguments with a default.
;
; A scenario passes numbers to a program with `start ... args 10 64`. A program that also makes sense
; without them asks for argument i "or else" a default:
;
;       push 0          ; argument 0 ...
;       push 100        ; ... or 100 when the scenario gave fewer arguments
;       call arg_or     ; ( -- value )
;
; Asking SYS_GETARG for an argument that is not there stops the process with "bad system-call argument",
; so the count is checked first.
        include "sys.pasm"

        .code
        .proc arg_or            ; arg_or(i, default) -> argument i, or default
        sys SYS_NARGS           ; how many arguments there are
        loadl -3                ; i
        gt                      ; nargs > i ?
        jz .default
        loadl -3
        sys SYS_GETARG
        retv 2
.default:
        loadl -2
        retv 2
        .endproc
