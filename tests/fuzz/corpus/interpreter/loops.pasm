; Loops over locals and globals: the fused pairs (loadl+loadl, loadl+op, loadl+addi, addi+storel,
; push+storel, op+jz, dup+jnz, load+op) run over and over. Ends with sys 0.
        .data
total:  .word 0
        .code
main:   adds 2
        push 20
        storel 1
.loop:  loadl 1
        loadl 2
        add
        storel 2
        load total
        loadl 1
        add
        store total
        loadl 1
        addi -1
        storel 1
        loadl 1
        push 0
        gt
        jnz .loop
        loadl 2
        dup
        jz .zero
        sys 1
.zero:  sys 0
        .stack 64
