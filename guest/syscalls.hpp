#pragma once
// The guest system calls: their numbers, names and argument counts, the file-system error codes and the
// system-message numbers. CONTRACT between the kernel (cpu/kernel/), the guest runtime (guest/lib/sys.pasm,
// which repeats these numbers as `.const` names; a unit test keeps the two in step), the disassembler and
// docs/syscalls.md, which says what each call does.
//
// Calling convention: push the arguments left to right, then `sys N`. The kernel pops them (the last
// argument is on top) and pushes exactly one result word (0 when the call has none). A result that can fail
// is a count or id >= 0, or -(file-system error).
#include <cstdint>
#include <string_view>

namespace pairsim::guest {

enum class Syscall : std::uint32_t {
  stop = 1,           // (exit)
  abend = 2,          // (addr, len)
  print = 3,          // (addr, len)
  printnum = 4,       // (value)
  prints = 5,         // (addr, len, value)
  delay = 6,          // (microseconds)
  time = 7,           // () -> simulated microseconds
  mycpu = 8,          // () -> cpu
  mypid = 9,          // () -> cpu<<8 | pin
  nargs = 10,         // () -> number of start arguments
  getarg = 11,        // (i) -> argument i
  newprocess = 12,    // (prog addr, prog len, name addr, name len, cpu, priority) -> pid | -err
  open = 13,          // (name addr, name len, sync depth) -> file | -err
  close = 14,         // (file) -> 0 | -err
  writeread = 15,     // (file, req addr, req len, reply addr, reply max) -> reply len | -err
  readupdate = 16,    // (file, buf addr, max) -> len | -err
  reply = 17,         // (tag, addr, len, error) -> 0 | -err
  lasttag = 18,       // () -> tag of the last message readupdate returned (0: a system message)
  lastsender = 19,    // () -> pid of its sender (0: the system)
  savereply = 20,     // (tag, addr, len, error) -> 0 | -err
  monitorcpus = 21,   // (mask) -> 0
  newbackup = 22,     // (cpu) -> pid | -err
  checkmonitor = 23,  // () -> takeover status
  checkpoint = 24,    // (descriptor addr) -> status
  checkopen = 25,     // (file) -> status
  checkclose = 26,    // (file) -> status
  checkswitch = 27,   // () -> status (when this process takes over again)
  isbackup = 28,      // () -> 1 while this process is the backup of its pair, else 0
  stoppair = 29,      // (exit) -> stops the backup, then the caller
  cpuup = 30,         // (cpu) -> 1 when this kernel counts the CPU as up, else 0
  fcreate = 31,       // (name addr, name len, record bytes, max records) -> 0 | -err
  fopen = 32,         // (name addr, name len) -> file | -err
  fread = 33,         // (file, record, buf addr, bytes) -> bytes read | -err
  fwrite = 34,        // (file, record, buf addr, bytes) -> 0 | -err
  fappend = 35,       // (file, buf addr, bytes) -> record number | -err
  finfo = 36,         // (file) -> records in the file | -err
  diskio = 37,        // (op, block, buf addr, words) -> 0 | -err; the disk process only
};

struct SyscallInfo {
  Syscall number;
  std::string_view name;  // the lower-case name; sys.pasm spells it SYS_<NAME>
  int args;               // words popped
  bool may_block;         // the process may wait inside the call
};

inline constexpr SyscallInfo kSyscalls[] = {
    {Syscall::stop, "stop", 1, false},
    {Syscall::abend, "abend", 2, false},
    {Syscall::print, "print", 2, false},
    {Syscall::printnum, "printnum", 1, false},
    {Syscall::prints, "prints", 3, false},
    {Syscall::delay, "delay", 1, true},
    {Syscall::time, "time", 0, false},
    {Syscall::mycpu, "mycpu", 0, false},
    {Syscall::mypid, "mypid", 0, false},
    {Syscall::nargs, "nargs", 0, false},
    {Syscall::getarg, "getarg", 1, false},
    {Syscall::newprocess, "newprocess", 6, true},
    {Syscall::open, "open", 3, false},
    {Syscall::close, "close", 1, false},
    {Syscall::writeread, "writeread", 5, true},
    {Syscall::readupdate, "readupdate", 3, true},
    {Syscall::reply, "reply", 4, false},
    {Syscall::lasttag, "lasttag", 0, false},
    {Syscall::lastsender, "lastsender", 0, false},
    {Syscall::savereply, "savereply", 4, false},
    {Syscall::monitorcpus, "monitorcpus", 1, false},
    {Syscall::newbackup, "newbackup", 1, true},
    {Syscall::checkmonitor, "checkmonitor", 0, true},
    {Syscall::checkpoint, "checkpoint", 1, true},
    {Syscall::checkopen, "checkopen", 1, true},
    {Syscall::checkclose, "checkclose", 1, true},
    {Syscall::checkswitch, "checkswitch", 0, true},
    {Syscall::isbackup, "isbackup", 0, false},
    {Syscall::stoppair, "stoppair", 1, false},
    {Syscall::cpuup, "cpuup", 1, false},
    {Syscall::fcreate, "fcreate", 4, true},
    {Syscall::fopen, "fopen", 2, true},
    {Syscall::fread, "fread", 4, true},
    {Syscall::fwrite, "fwrite", 4, true},
    {Syscall::fappend, "fappend", 3, true},
    {Syscall::finfo, "finfo", 1, true},
    {Syscall::diskio, "diskio", 4, true},
};

// nullptr for a number that is no system call.
constexpr bool syscalls_in_number_order() {
  std::uint32_t expected = 1;
  for (const auto& s : kSyscalls)
    if (static_cast<std::uint32_t>(s.number) != expected++) return false;
  return true;
}
static_assert(syscalls_in_number_order(), "kSyscalls lists the calls by number, from 1, without gaps");

inline const SyscallInfo* find_syscall(std::uint32_t number) {
  constexpr std::uint32_t count = sizeof(kSyscalls) / sizeof(kSyscalls[0]);
  return number >= 1 && number <= count ? &kSyscalls[number - 1] : nullptr;
}

// File-system errors, numbered after Guardian's where one fits. A call that can fail returns -error.
namespace fe {
constexpr std::int32_t ok = 0;
constexpr std::int32_t eof = 1;            // a record at or past the end of the file
constexpr std::int32_t invalid_op = 2;     // operation not allowed on this file or by this process
constexpr std::int32_t file_exists = 10;   // fcreate: a file of that name is on the volume
constexpr std::int32_t not_found = 11;     // program or file not found / cannot be loaded
constexpr std::int32_t in_use = 12;        // name already in use; the pair already has a backup
constexpr std::int32_t bad_name = 13;      // malformed process name
constexpr std::int32_t no_such_name = 14;  // no process of that name
constexpr std::int32_t not_open = 16;      // file number not open
constexpr std::int32_t bad_count = 21;     // length larger than the largest message
constexpr std::int32_t bad_param = 29;     // a CPU number or priority out of range
constexpr std::int32_t no_memory = 31;     // not enough memory for the process's data space
constexpr std::int32_t no_pcb = 32;        // no free process slot (pin) on that CPU
constexpr std::int32_t no_files = 33;      // too many open files
constexpr std::int32_t file_full = 45;     // the file has no room for that record; the volume none for that file
constexpr std::int32_t volume_down = 66;   // no drive or controller of the volume can do the operation
constexpr std::int32_t no_backup = 60;     // the pair has no backup
constexpr std::int32_t bad_tag = 61;       // reply / savereply to a tag that is not waiting for one
constexpr std::int32_t sync_too_old = 62;  // a resent request older than the saved reply
constexpr std::int32_t no_state = 63;      // checkswitch: the new backup has not received a checkpoint yet
constexpr std::int32_t path_down = 201;    // the server's CPU is down or the process is gone
}  // namespace fe

// System messages, found on $RECEIVE with tag 0; word 0 is the (negative) number.
namespace sysmsg {
constexpr std::int32_t cpu_down = -2;    // [-2, cpu]
constexpr std::int32_t cpu_up = -3;      // [-3, cpu]
constexpr std::int32_t deletion = -101;  // [-101, pid, abended (0/1), exit code]
}  // namespace sysmsg

// CHECKPOINT / CHECKMONITOR / CHECKSWITCH status word: kind << 8 | detail (Guardian's <0:7>,<8:15>).
namespace ckpt {
constexpr std::uint32_t kind_ok = 0;
constexpr std::uint32_t kind_no_backup = 1;  // detail: file-system error
constexpr std::uint32_t kind_takeover = 2;   // detail: takeover reason below
constexpr std::uint32_t kind_bad_param = 3;  // detail: parameter number, 7 = checkpoint too large
constexpr std::uint32_t reason_stopped = 0;
constexpr std::uint32_t reason_abended = 1;
constexpr std::uint32_t reason_cpu_failed = 2;
constexpr std::uint32_t reason_checkswitch = 3;
constexpr std::uint32_t status(std::uint32_t kind, std::uint32_t detail) {
  return (kind << 8) | (detail & 0xFF);
}
constexpr std::uint32_t kind_of(std::uint32_t status) {
  return (status >> 8) & 0xFF;
}
constexpr std::uint32_t detail_of(std::uint32_t status) {
  return status & 0xFF;
}
// Descriptor limits.
constexpr std::uint32_t max_buffers = 13;
constexpr std::uint32_t max_files = 8;
constexpr std::uint32_t flag_stack = 1;  // descriptor word 0, bit 0: checkpoint the stack (restart point)
}  // namespace ckpt

constexpr std::uint32_t kMaxMessageBytes = 4096;      // each way, per writeread
constexpr std::uint32_t kMaxCheckpointBytes = 65536;  // buffers + stack + sync blocks of one checkpoint
constexpr int kReceiveFile = 0;                       // open("$RECEIVE") always gives file 0
constexpr int kMaxOpenFiles = 16;                     // file numbers 0 .. 15
constexpr std::uint32_t kMaxRecordBytes = 4096;       // a disk file's record: one 4 KiB block
// The largest request a kernel sends: a file request carries a whole record and its header.
constexpr std::uint32_t kMaxRequestBytes = kMaxMessageBytes + 64;
// diskio operations.
namespace disk {
constexpr std::uint32_t read = 1;   // (op, block, buf, 1024 words)
constexpr std::uint32_t write = 2;  // (op, block, buf, 1024 words)
constexpr std::uint32_t print = 3;  // a terminal's line: (op, line number, buf, bytes)
}  // namespace disk

}  // namespace pairsim::guest
