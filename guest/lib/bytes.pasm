; bytes.pasm — byte buffers: fill one with a pattern, compare two.
;
; Buffers are given as (word address, byte length), like the system calls take them; bytes are packed
; four to a word, little-endian, so byte k of a buffer at word address a has byte address a*4 + k.
        .code

        .proc fill_pattern      ; fill_pattern(addr, len, seed): byte k = (seed + k) mod 256
        adds 1                  ; local 1 (L+1): k
.loop:  loadl 1
        loadl -3                ; len
        lt
        jz .done                ; k < len ?
        loadl -4                ; addr
        push 4
        mul
        loadl 1
        add                     ; byte address of byte k
        loadl -2                ; seed
        loadl 1
        add                     ; seed + k (storeb keeps the low 8 bits)
        storeb
        loadl 1
        addi 1
        storel 1
        jmp .loop
.done:  ret 3
        .endproc

        .proc same_bytes        ; same_bytes(a, b, len) -> 1 when the first len bytes agree, else 0
        adds 1                  ; local 1: k
.loop:  loadl 1
        loadl -2                ; len
        lt
        jz .same
        loadl -4                ; a
        push 4
        mul
        loadl 1
        add
        loadb                   ; a's byte k
        loadl -3                ; b
        push 4
        mul
        loadl 1
        add
        loadb                   ; b's byte k
        ne
        jnz .differ
        loadl 1
        addi 1
        storel 1
        jmp .loop
.same:  push 1
        retv 3
.differ:
        push 0
        retv 3
        .endproc
