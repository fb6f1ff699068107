; table-8-1-log.pasm — $LOG: a log server that prints, exactly once, every line its requesters send.
;
; What it shows: the other end of a process pair's I/O. A pair that must show its work to the world
; cannot print it itself without risk: a CPU can fail between the print and the checkpoint that records
; it, and the backup then prints it again (docs/process-pairs.md, "Output"). Instead it sends each line
; here with writeread on an open of sync depth 1 that it checkopened. The kernel of this server saves the
; reply of each opener's last request with its sync ID; when the pair's new primary repeats a request its
; old primary already sent, the sync ID is the same and the kernel answers from the saved reply — the
; line is not printed twice. This is how Guardian's terminal and disk processes made a pair's output
; exactly-once.
;
; A request of exactly 4 bytes is a number: printed as one decimal line. Anything longer is text: printed
; as it is. The reply is one word: the number of lines printed so far. It never stops by itself.
; Used by scenarios/pair-table-8-1.scn (the pair's CHECKOPEN), takeover-demo.scn and pair-counter*.scn.
        include "sys.pasm"

        .data
receive: .string "$RECEIVE"
length:  .word 0
lines:   .word 0
buf:     .space 1024                    ; MAX_MESSAGE bytes

        .code
main:   push receive
        push receive.len
        push 0
        sys SYS_OPEN                    ; file 0
        drop
loop:   push RECEIVE_FILE
        push buf
        push MAX_MESSAGE
        sys SYS_READUPDATE
        store length
        sys SYS_LASTTAG
        jz loop                         ; a system message: nothing to print or answer
        load length
        push 4
        eq
        jz text
        load buf                        ; a number
        sys SYS_PRINTNUM
        drop
        jmp counted
text:   push buf
        load length
        sys SYS_PRINT
        drop
counted:
        load lines
        addi 1
        store lines
        sys SYS_LASTTAG                 ; reply(tag, lines, 4, 0): the kernel saves it with the sync ID
        push lines
        push 4
        push FE_OK
        sys SYS_REPLY
        drop
        jmp loop
