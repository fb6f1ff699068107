; compute.pasm — a compute-bound program: counts the primes up to N by trial division.
;
; What it shows: a program that only computes (no messages, no waiting), so its simulated run time is
; its instruction count divided by the CPU's speed (`machine mips`). Procedures with parameters and
; locals (see docs/isa.md, "Frames and the calling convention"), and `mod` for divisibility.
;
; Arguments (`start ... args N ROUNDS`): the limit N (default 1000) and how many times to count (default
; 1; 0 = for ever, which the benchmark tools/bench/bench_guest.cpp uses to keep a CPU busy). Prints
; "primes up to N: COUNT" after each round, then stops with exit 0.
;
; Run it:  pairsim run scenarios/guest-compute.scn
        include "sys.pasm"
        include "args.pasm"             ; arg_or
        include "line.pasm"             ; line_text, line_number, line_print

        .data
label:  .string "primes up to "
colon:  .string ": "
limit:  .word 0
rounds: .word 0

        .code
main:   push 0
        push 1000
        call arg_or
        store limit
        push 1
        push 1
        call arg_or
        store rounds

again:  load limit
        call count_primes               ; ( -- count )
        push label
        push label.len
        call line_text                  ; "primes up to "
        load limit
        call line_number                ; "N"
        push colon
        push colon.len
        call line_text                  ; ": "
        call line_number                ; the count, still on the stack
        call line_print                 ; one output line: primes up to N: COUNT
        load rounds
        jz again                        ; 0 rounds: for ever
        load rounds
        addi -1
        dup
        store rounds
        jnz again
        push 0
        sys SYS_STOP

        .proc count_primes              ; count_primes(n) -> how many primes p <= n
        adds 2                          ; local 1: candidate, local 2: count
        push 2
        storel 1
.loop:  loadl 1
        loadl -2
        le
        jz .done                        ; candidate <= n ?
        loadl 1
        call is_prime
        loadl 2
        add
        storel 2                        ; count += is_prime(candidate)
        loadl 1
        addi 1
        storel 1
        jmp .loop
.done:  loadl 2
        retv 1
        .endproc

        .proc is_prime                  ; is_prime(m) -> 1 when m (>= 2) has no divisor 2..sqrt(m), else 0
        adds 1                          ; local 1: divisor d
        push 2
        storel 1
.loop:  loadl 1
        dup
        mul
        loadl -2
        le
        jz .prime                       ; d*d <= m ?
        loadl -2
        loadl 1
        mod
        jz .composite                   ; d divides m
        loadl 1
        addi 1
        storel 1
        jmp .loop
.prime: push 1
        retv 1
.composite:
        push 0
        retv 1
        .endproc
