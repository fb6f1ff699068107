; pair.pasm — keeping a process pair a pair: where to put a new backup (docs/process-pairs.md).
;
; A primary whose backup is gone (-2 for the backup's CPU, -101 for the backup process, or a checkpoint
; that says CKPT_NOBACKUP) makes a new one. Guardian subsystems did it this way: in the next CPU up from
; a starting point, round-robin, never the primary's own CPU; and, when -3 says a CPU is back, there.
; Both return the new backup's pid (cpu << 8 | pin, > 0) or a negative error; the caller then gives the
; backup what it needs (SYS_CHECKOPEN of its files, a SYS_CHECKPOINT of its state).
        include "sys.pasm"

        .code
; pair_backup_in(cpu) -> pid | -error. -FE_BADPARAM for this CPU, -FE_PATHDOWN for a CPU that is down,
; else what SYS_NEWBACKUP says.
        .proc pair_backup_in
        loadl -2
        sys SYS_MYCPU
        eq
        jnz .mine
        loadl -2
        sys SYS_CPUUP
        jz .down
        loadl -2
        sys SYS_NEWBACKUP
        retv 1
.mine:  push -FE_BADPARAM
        retv 1
.down:  push -FE_PATHDOWN
        retv 1
        .endproc

; pair_backup_from(cpu) -> pid | -FE_NOBACKUP: a backup in the first CPU, from `cpu` on and round-robin
; over the 16 CPU numbers, that takes one.
        .proc pair_backup_from
        adds 2                          ; local 1: how many CPUs tried, local 2: the last result
.next:  loadl 1
        push 16
        lt
        jz .none
        loadl -2                        ; (cpu + tried) mod 16
        loadl 1
        add
        push 16
        modu
        call pair_backup_in
        storel 2
        loadl 1
        addi 1
        storel 1
        loadl 2
        push 0
        gt
        jz .next
        loadl 2
        retv 1
.none:  push -FE_NOBACKUP
        retv 1
        .endproc
