; expect-error: 5:9: unknown mnemonic 'lod'
        .data
x:      .word 5
        .code
main:   lod x
        sys 1
