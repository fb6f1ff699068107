; roundtrip.pasm — measures message round trips to $SERV in simulated time.
;
; What it shows: SYS_TIME (simulated microseconds) and what a request/reply costs: the bus transfer of the
; request and the reply, the acknowledgements, and the kernel work on both sides. It sends N requests of
; SIZE bytes to echo.pasm without checking them (client.pasm checks; this one only counts), then prints
; the simulated time they took and the time per round trip.
;
; Arguments: N (default 1000; 0 = for ever, which tools/bench/bench_guest.cpp uses) and SIZE (default 64).
; Run it:  pairsim run scenarios/guest-roundtrip.scn
        include "sys.pasm"
        include "args.pasm"             ; arg_or
        include "open.pasm"             ; open_wait
        include "line.pasm"             ; line_text, line_number, line_print

        .data
server:  .string "$SERV"
t_trips: .string " round trips of "
t_bytes: .string " bytes: "
t_us:    .string " us"
t_each:  .string "per round trip: "
t_ns:    .string " ns"
count:   .word 0
size:    .word 0
file:    .word 0
left:    .word 0
start:   .word 0
elapsed: .word 0
buf:     .space 1024                    ; request and reply (MAX_MESSAGE bytes)

        .code
main:   push 0
        push 1000
        call arg_or
        dup
        store count
        store left
        push 1
        push 64
        call arg_or
        store size

        push server
        push server.len
        push 0
        push 100
        call open_wait
        dup
        store file
        push 0
        lt
        jz .opened
        push 2                          ; cannot open $SERV
        sys SYS_STOP
.opened:
        sys SYS_TIME
        store start

loop:   load file
        push buf
        load size
        push buf                        ; the reply may overwrite the request: it is the same
        load size
        sys SYS_WRITEREAD
        load size
        ne
        jnz broken                      ; an error or a short reply
        load left
        addi -1                         ; 0 - 1 = -1: with N = 0 this never reaches 0 again
        dup
        store left
        jnz loop

        sys SYS_TIME
        load start
        sub
        store elapsed
        load count
        call line_number
        push t_trips
        push t_trips.len
        call line_text
        load size
        call line_number
        push t_bytes
        push t_bytes.len
        call line_text
        load elapsed
        call line_number
        push t_us
        push t_us.len
        call line_text
        call line_print                 ; "1000 round trips of 64 bytes: 40100 us"
        push t_each
        push t_each.len
        call line_text
        load elapsed
        push 1000
        mul
        load count
        divu
        call line_number
        push t_ns
        push t_ns.len
        call line_text
        call line_print                 ; "per round trip: 40100 ns"
        push 0
        sys SYS_STOP

broken: push 1
        sys SYS_STOP
