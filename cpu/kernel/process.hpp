#pragma once
// One guest process as its CPU's kernel sees it: the interpreter's state, its place in the dispatcher, the
// system call it waits in, its open files and $RECEIVE queue, and its role in a process pair.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cpu/interpreter.hpp"
#include "cpu/kernel/flat_map.hpp"
#include "cpu/kernel/wire.hpp"
#include "cpu/native_program.hpp"
#include "guest/program.hpp"

namespace pairsim::cpu {

constexpr int kMaxPins = 256;     // a pin is one byte of a process id
constexpr int kFirstUserPin = 2;  // 0 and 1 are Guardian's monitor and memory manager
constexpr Pid kNoPid = 0;         // cpu 0, pin 0 is never a user process

constexpr Pid make_pid(int cpu, int pin) {
  return (cpu << 8) | pin;
}
constexpr int pid_cpu(Pid p) {
  return (p >> 8) & 0xFF;
}
constexpr int pid_pin(Pid p) {
  return p & 0xFF;
}
// "2,5" — how Guardian writes a process id.
std::string pid_string(Pid p);

enum class ProcessStatus : std::uint8_t { ready, running, waiting, stopped };

// What a waiting process waits for; the call's result is pushed when the wait ends.
enum class WaitReason : std::uint8_t {
  none,
  delay,
  writeread,
  readupdate,
  newprocess,    // for the reply of the CPU that creates the process (also newbackup)
  checkpoint,    // for the backup kernel's acknowledgement (also checkopen, checkclose)
  checkmonitor,  // the backup: until takeover
  checkswitch,   // the primary: until the backup has taken over; then it is in checkmonitor
  diskio,        // a system process: for its controller to finish a block operation
};
const char* to_string(WaitReason w);

enum class PairRole : std::uint8_t { none, primary, backup };

// Words of a data space with their values (address, value).
using WordValues = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
// Buffers of a data space as a checkpoint carried them (address, words).
using BackupImage = std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>>;

// A message on a process's $RECEIVE queue, or one readupdate has returned and that waits for its reply.
struct ReceivedMessage {
  std::uint32_t tag = 0;  // 0: a system message, which needs no reply
  Pid sender = 0;
  std::vector<std::uint8_t> data;
  // Where the reply goes.
  int src_cpu = 0;
  std::uint64_t req_id = 0;
  std::uint64_t open_id = 0;
  std::uint32_t sync_id = 0;
  std::uint32_t reply_max = 0;
  // A primary with a backup: the checkpointed words that already differed from its backup's copy when
  // readupdate returned this request (backup_image.hpp); a word that differs otherwise later, the request
  // changed (`reply_ahead`, `checkpoint_unsaved`). Empty for a server that checkpoints its work.
  WordValues unsaved_at_read;
};

struct Process {
  int pin = 0;
  std::string name;  // "$NAME", or "" for an unnamed process
  std::string program_name;
  const guest::Program* program = nullptr;
  const NativeProgram* native = nullptr;  // a system process written in C++ (native_program.hpp)
  int priority = 150;
  std::vector<std::int32_t> args;
  Pid creator = kNoPid;
  std::uint32_t memory_offset = 0;  // of its data space in the CPU's private memory
  ProcessState ps;

  ProcessStatus status = ProcessStatus::ready;
  WaitReason wait = WaitReason::none;
  std::uint32_t wait_addr = 0;   // buffer the waiting call completes into
  std::uint32_t wait_max = 0;    // its byte length
  std::uint64_t wait_token = 0;  // request, create or pair-operation id the call waits for
  std::uint64_t wake_ns = 0;     // delay
  // A trap the interpreter stopped at: the process abends at the start of the next run() call.
  std::optional<Trap> pending_trap;

  // File system.
  std::map<int, OpenFile> files;
  std::deque<ReceivedMessage> receive_queue;
  FlatMap<std::uint32_t, ReceivedMessage> pending;  // read, not yet replied, by tag
  std::uint32_t next_tag = 1;
  std::uint32_t last_tag = 0;
  Pid last_sender = kNoPid;
  ReceiveSyncBlock receive_sync;   // last reply to each opener: $RECEIVE's sync block
  std::uint32_t monitor_mask = 0;  // CPUs whose down/up this process is told of

  // Process pair.
  PairRole role = PairRole::none;
  Pid partner = kNoPid;                            // the backup (of a primary) or the primary (of a backup)
  std::optional<Registers> restart;                // backup: the last stack checkpoint's registers
  std::optional<std::uint32_t> takeover_status;    // backup: took over before it reached checkmonitor
  std::deque<std::pair<int, PairOpMsg>> held_ops;  // backup: pair operations that wait for checkmonitor
  // Primary: the pair has a past (it answered a request, had a backup before, or took over), so a backup
  // created now starts without the pair's state and must not take over until it has received a checkpoint.
  bool pair_history = false;
  // Backup: created into a pair with a past and no checkpoint applied yet. Taking over now would restart
  // the pair from its initial state as if it were new: the pair is lost instead.
  bool needs_state = false;
  // What the backup holds, as the run's invariants need it (the trace's `checkpoint` seq, `takeover`
  // checkpoints and `reply_ahead`; docs/trace-format.md). Primary: the checkpoints sent to its current
  // backup, the data they carried (each buffer's latest copy: what the backup holds of those addresses),
  // and whether the backup has any of its state yet (not from its creation until the first checkpoint).
  std::uint32_t checkpoints_sent = 0;
  BackupImage backup_image;
  // The saved replies the backup holds, as far as the checkpoints that carried $RECEIVE's sync block tell:
  // opener (open id) -> the sync ID of its saved reply (trace `checkpoint_unsaved`).
  std::map<std::uint64_t, std::uint32_t> backup_saved;
  bool backup_has_state = false;
  // Backup: the checkpoints applied from its current primary, and the data they wrote (address, words).
  std::uint32_t checkpoints_applied = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> applied_regions;

  std::vector<std::string> output;  // every line it printed
};

}  // namespace pairsim::cpu
