; line.pasm — build an output line piece by piece, then print it.
;
; SYS_PRINTS prints one text and one number; for anything longer ("cpu 1 down", "primes up to 1000: 168")
; build the line here first:
;
;       push text
;       push text.len
;       call line_text          ; append text
;       load value
;       call line_number        ; append a signed decimal number
;       push ' '
;       call line_char          ; append one character
;       call line_print         ; print the line (one output line) and start a new one
;
; The line holds up to 256 bytes; what does not fit is dropped, never written past the buffer.
        include "sys.pasm"

        .data
line_buf: .space 64                     ; 256 bytes
line_len: .word 0                       ; bytes in line_buf

        .code
        .proc line_char                 ; line_char(c): append the byte c
        load line_len
        push 256
        lt
        jz .full
        push line_buf
        push 4
        mul
        load line_len
        add                             ; byte address of the next free byte
        loadl -2
        storeb
        load line_len
        addi 1
        store line_len
.full:  ret 1
        .endproc

        .proc line_text                 ; line_text(addr, len): append len bytes from word address addr
        adds 1                          ; local 1: k
.loop:  loadl 1
        loadl -2
        lt
        jz .done                        ; k < len ?
        loadl -3
        push 4
        mul
        loadl 1
        add
        loadb                           ; byte k of the text
        call line_char
        loadl 1
        addi 1
        storel 1
        jmp .loop
.done:  ret 2
        .endproc

        .proc line_number               ; line_number(v): append v in decimal, with '-' when negative
        adds 2                          ; local 1: what is left to print (unsigned), local 2: digits pushed
        loadl -2
        storel 1
        loadl -2
        push 0
        lt
        jz .digits
        push '-'
        call line_char
        loadl -2
        neg                             ; -(-2147483648) wraps to 0x80000000, right when read unsigned
        storel 1
        ; The digits come out least significant first; they wait on the stack and leave in reverse.
.digits:
        loadl 1
        push 10
        modu
        push '0'
        add                             ; ( -- digit ), left on the stack
        loadl 2
        addi 1
        storel 2
        loadl 1
        push 10
        divu
        dup
        storel 1
        jnz .digits
.emit:  call line_char                  ; takes the digit on top of the stack as its parameter
        loadl 2
        addi -1
        dup
        storel 2
        jnz .emit
        ret 1
        .endproc

        .proc line_print                ; line_print(): print the line and empty it
        push line_buf
        load line_len
        sys SYS_PRINT
        drop
        push 0
        store line_len
        ret 0
        .endproc
