; monitor.pasm — creates processes in other CPUs and reports the system messages it receives.
;
; What it shows: the system messages of Guardian, which the kernel puts on a process's $RECEIVE with tag 0
; (SYS_LASTTAG returns 0 for them):
;   [-101, pid, abended, exit]   process deletion: a process this one created has ended
;   [-2, cpu]                    processor down   (only for CPUs named in SYS_MONITORCPUS's mask)
;   [-3, cpu]                    processor up     (the same)
; It asks for -2/-3 about every CPU, creates worker.pasm in CPU 2 (exits 7) and trap-divzero.pasm in CPU 3
; (abends) with SYS_NEWPROCESS, then reads $RECEIVE and prints a line per message:
;   "cpu 1 down", "cpu 1 up", "process 2,3 ended: exit 7", "process 3,2 ended: abended"
; When a CPU goes down it tries to create a worker there (which fails with error 201, FE_PATHDOWN); when a
; CPU comes back up, it creates a worker there. After 5 messages it prints "5 system messages" and exits 0.
;
; A pid is cpu * 256 + pin (SYS_MYPID); it prints as "cpu,pin".
; Run it:  pairsim run scenarios/guest-monitor.scn
        include "sys.pasm"
        include "line.pasm"             ; line_text, line_number, line_char, line_print

        .const EXPECTED 5               ; two deletions, a -2, a -3 and the deletion of the new worker

        .data
receive:  .string "$RECEIVE"
worker:   .string "worker.pasm"
faulty:   .string "trap-divzero.pasm"
t_create: .string "created "
t_in:     .string " in cpu "
t_as:     .string ": process "
t_error:  .string ": error "
t_cpu:    .string "cpu "
t_down:   .string " down"
t_up:     .string " up"
t_proc:   .string "process "
t_exit:   .string " ended: exit "
t_abend:  .string " ended: abended"
t_other:  .string "other message "
t_count:  .string " system messages"
seen:     .word 0
msg:      .space 16                     ; a system message is at most 4 words

        .code
main:   push receive
        push receive.len
        push 0
        sys SYS_OPEN                    ; $RECEIVE is file 0
        drop
        pushw 0xFFFF
        sys SYS_MONITORCPUS             ; -2 and -3 for every CPU (bit N: CPU N)
        drop

        push worker
        push worker.len
        push 2
        call create                     ; worker.pasm in CPU 2
        push faulty
        push faulty.len
        push 3
        call create                     ; trap-divzero.pasm in CPU 3

loop:   push RECEIVE_FILE
        push msg
        push 64
        sys SYS_READUPDATE              ; waits for a message
        drop
        sys SYS_LASTTAG
        jnz loop                        ; a request from some process: not for us (it gets no reply)
        load msg                        ; word 0: which system message
        dup
        push SYSMSG_DELETION
        eq
        jnz deletion
        dup
        push SYSMSG_CPU_DOWN
        eq
        jnz cpudown
        dup
        push SYSMSG_CPU_UP
        eq
        jnz cpuup
        push t_other                    ; anything else: say so
        push t_other.len
        call line_text
        call line_number                ; the message number, still on the stack
        call line_print
        jmp counted

deletion:
        drop
        push t_proc
        push t_proc.len
        call line_text
        load msg + 1                    ; the pid that ended
        call print_pid
        load msg + 2                    ; abended?
        jnz .abended
        push t_exit
        push t_exit.len
        call line_text
        load msg + 3                    ; its exit code
        call line_number
        jmp .print
.abended:
        push t_abend
        push t_abend.len
        call line_text
.print: call line_print                 ; "process 2,3 ended: exit 7"
        jmp counted

cpudown:
        drop
        load msg + 1
        push t_down
        push t_down.len
        call cpu_line                   ; "cpu 1 down"
        push worker                     ; try to create a process there: it must fail
        push worker.len
        load msg + 1
        call create
        jmp counted

cpuup:  drop
        load msg + 1
        push t_up
        push t_up.len
        call cpu_line                   ; "cpu 1 up"
        push worker                     ; the CPU is back: give it work
        push worker.len
        load msg + 1
        call create

counted:
        load seen
        addi 1
        dup
        store seen
        push EXPECTED
        lt
        jnz loop
        load seen
        call line_number
        push t_count
        push t_count.len
        call line_text
        call line_print                 ; "5 system messages"
        push 0
        sys SYS_STOP

        .proc create                    ; create(program addr, program len, cpu): newprocess and report it
        loadl -4
        loadl -3
        push 0                          ; no name: an unnamed process ...
        push 0                          ; ... (name address and length 0)
        loadl -2                        ; in this CPU
        push 0                          ; priority 0: the same as ours
        sys SYS_NEWPROCESS              ; waits for the other CPU's answer -> pid, or -error
        push t_create
        push t_create.len
        call line_text
        loadl -4
        loadl -3
        call line_text                  ; the program's name
        push t_in
        push t_in.len
        call line_text
        loadl -2
        call line_number
        dup                             ; pid or -error
        push 0
        lt
        jnz .failed
        push t_as
        push t_as.len
        call line_text
        call print_pid                  ; "created worker.pasm in cpu 2: process 2,3"
        call line_print
        ret 3
.failed:
        push t_error
        push t_error.len
        call line_text
        neg
        call line_number                ; "created worker.pasm in cpu 1: error 201"
        call line_print
        ret 3
        .endproc

        .proc print_pid                 ; print_pid(pid): append "cpu,pin"
        loadl -2
        push 8
        shr
        call line_number
        push ','
        call line_char
        loadl -2
        push 255
        and
        call line_number
        ret 1
        .endproc

        .proc cpu_line                  ; cpu_line(cpu, text addr, text len): print "cpu N<text>"
        push t_cpu
        push t_cpu.len
        call line_text
        loadl -4
        call line_number
        loadl -3
        loadl -2
        call line_text
        call line_print
        ret 3
        .endproc
