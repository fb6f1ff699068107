; sys.pasm — the guest runtime's names: system calls, file-system errors, system messages and the
; checkpoint status word. The numbers are those of guest/syscalls.hpp (a unit test checks they agree);
; docs/syscalls.md says what each call does.
;
; Calling convention: push the arguments left to right, then `sys SYS_X`. The kernel pops them and pushes
; exactly one result word (0 when the call has none). A call that can fail returns -(error) on failure.
; Buffers are (word address, byte length); bytes are packed 4 a word, little-endian, as .string lays them out.

; ---- system calls: number ; (arguments) -> result ----
.const SYS_STOP          1   ; (exit)                                 never returns
.const SYS_ABEND         2   ; (addr, len) reason text                never returns
.const SYS_PRINT         3   ; (addr, len)                            -> 0
.const SYS_PRINTNUM      4   ; (value)                                -> 0
.const SYS_PRINTS        5   ; (addr, len, value) text then number    -> 0
.const SYS_DELAY         6   ; (microseconds)                         -> 0
.const SYS_TIME          7   ; ()                                     -> simulated microseconds
.const SYS_MYCPU         8   ; ()                                     -> cpu
.const SYS_MYPID         9   ; ()                                     -> cpu<<8 | pin
.const SYS_NARGS         10  ; ()                                     -> number of start arguments
.const SYS_GETARG        11  ; (i)                                    -> argument i
.const SYS_NEWPROCESS    12  ; (prog addr, prog len, name addr, name len, cpu, priority) -> pid | -err
.const SYS_OPEN          13  ; (name addr, name len, sync depth)      -> file | -err
.const SYS_CLOSE         14  ; (file)                                 -> 0 | -err
.const SYS_WRITEREAD     15  ; (file, req addr, req len, reply addr, reply max) -> reply len | -err
.const SYS_READUPDATE    16  ; (file, buf addr, max)                  -> length | -err
.const SYS_REPLY         17  ; (tag, addr, len, error)                -> 0 | -err
.const SYS_LASTTAG       18  ; ()                                     -> tag (0: a system message)
.const SYS_LASTSENDER    19  ; ()                                     -> pid of the sender (0: the system)
.const SYS_SAVEREPLY     20  ; (tag, addr, len, error)                -> 0 | -err
.const SYS_MONITORCPUS   21  ; (mask)                                 -> 0
.const SYS_NEWBACKUP     22  ; (cpu)                                  -> backup pid | -err
.const SYS_CHECKMONITOR  23  ; ()                                     -> status (at takeover)
.const SYS_CHECKPOINT    24  ; (descriptor addr)                      -> status
.const SYS_CHECKOPEN     25  ; (file)                                 -> status
.const SYS_CHECKCLOSE    26  ; (file)                                 -> status
.const SYS_CHECKSWITCH   27  ; ()                                     -> status (when it takes over again)
.const SYS_ISBACKUP      28  ; ()                                     -> 1 for the backup of a pair, else 0
.const SYS_STOPPAIR      29  ; (exit)                                 never returns
.const SYS_CPUUP         30  ; (cpu)                                  -> 1 if the CPU is up, else 0
.const SYS_FCREATE       31  ; (name addr, name len, record bytes, max records) -> 0 | -err
.const SYS_FOPEN         32  ; (name addr, name len)                  -> file | -err
.const SYS_FREAD         33  ; (file, record, buf addr, bytes)        -> bytes read | -err
.const SYS_FWRITE        34  ; (file, record, buf addr, bytes)        -> 0 | -err
.const SYS_FAPPEND       35  ; (file, buf addr, bytes)                -> record number | -err
.const SYS_FINFO         36  ; (file)                                 -> records in the file | -err
.const SYS_DISKIO        37  ; (op, block, buf addr, words)           -> 0 | -err (the disk process only)

; ---- special values ----
.const RECEIVE_FILE      0   ; open("$RECEIVE") always returns file 0
.const ANY_CPU          -1   ; newprocess / newbackup: this CPU
.const MAX_MESSAGE       4096 ; bytes, each way
.const MAX_RECORD        4096 ; bytes in a disk file's record

; ---- file-system errors (results are -error) ----
.const FE_OK             0
.const FE_EOF            1   ; a record at or past the end of the file
.const FE_INVALIDOP      2   ; operation not allowed on this file or by this process
.const FE_FILEEXISTS     10  ; fcreate: the volume has a file of that name
.const FE_NOTFOUND       11  ; program or file not found
.const FE_INUSE          12  ; name in use; the pair already has a backup
.const FE_BADNAME        13  ; malformed process name
.const FE_NOSUCHNAME     14  ; no process of that name
.const FE_NOTOPEN        16  ; file number not open
.const FE_BADCOUNT       21  ; length above MAX_MESSAGE
.const FE_BADPARAM       29  ; cpu or priority out of range
.const FE_NOMEMORY       31  ; not enough memory for the data space
.const FE_NOPCB          32  ; no free process slot
.const FE_NOFILES        33  ; too many open files
.const FE_FILEFULL       45  ; no room in the file for that record, or on the volume for the file
.const FE_VOLUMEDOWN     66  ; no drive or controller of the volume can do the operation
.const FE_NOBACKUP       60  ; the pair has no backup
.const FE_BADTAG         61  ; no request with that tag waits for a reply
.const FE_SYNCTOOOLD     62  ; a resent request older than the saved reply
.const FE_NOSTATE        63  ; checkswitch: the backup has not received a checkpoint yet
.const FE_PATHDOWN       201 ; the server's CPU is down or the process is gone

; ---- system messages (word 0 of a message read from $RECEIVE with tag 0) ----
.const SYSMSG_CPU_DOWN   -2    ; [-2, cpu]
.const SYSMSG_CPU_UP     -3    ; [-3, cpu]
.const SYSMSG_DELETION   -101  ; [-101, pid, abended (0/1), exit code]

; ---- checkpoint status word: kind * 256 + detail ----
.const CKPT_OK           0
.const CKPT_NOBACKUP     1   ; kind: no backup / cannot reach it; detail = file-system error
.const CKPT_TAKEOVER     2   ; kind: this process just took over; detail = reason below
.const CKPT_BADPARAM     3   ; kind: illegal parameter; detail = parameter number (7: too large)
.const TAKEOVER_STOPPED    0x200 ; status after the primary stopped
.const TAKEOVER_ABENDED    0x201 ; ... abended
.const TAKEOVER_CPUFAILED  0x202 ; ... its processor failed
.const TAKEOVER_SWITCH     0x203 ; ... called checkswitch
.const CKPT_STACK        1   ; descriptor word 0: also checkpoint the stack (sets the restart point)
.const CKPT_MAXBUFFERS   13
.const CKPT_MAXFILES     8
