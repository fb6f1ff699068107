#pragma once
// Process pairs, Guardian's passive-backup model: the primary's CHECKPOINT, CHECKOPEN, CHECKCLOSE and
// CHECKSWITCH send one acknowledged message each to the backup's kernel, which applies it to the backup
// while it waits in CHECKMONITOR (and holds it until the backup gets there). TAKEOVER happens here too: the
// backup becomes the primary, restarts after the old primary's last stack checkpoint (or returns from
// CHECKMONITOR when there was none) with status (2<<8)|reason, and the destination table names it.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "cpu/kernel/kernel_core.hpp"
#include "cpu/kernel/message_system.hpp"

namespace pairsim::cpu {

class ProcessPairs {
 public:
  ProcessPairs(KernelCore& core, MessageSystem& messages);

  // System calls: the status word now, or nullopt when the caller waits for it.
  std::optional<std::uint32_t> checkmonitor(Process& p);
  std::optional<std::uint32_t> checkpoint(Process& p, std::uint32_t descriptor);
  std::optional<std::uint32_t> checkopen(Process& p, int file);
  std::optional<std::uint32_t> checkclose(Process& p, int file);
  std::optional<std::uint32_t> checkswitch(Process& p);
  // A reply (not a savereply) with that tag is about to leave, from the buffer at `addr`. When `p` is a
  // primary whose backup does not hold the work behind it — no checkpoint has reached the backup yet, or
  // the request changed data the primary checkpoints and no checkpoint has carried the change (the reply's
  // own buffer aside; backup_image.hpp) — traces `reply_ahead`: a takeover before the next checkpoint is
  // applied would go on from state older than this reply.
  void on_reply(const Process& p, std::uint32_t tag, std::uint32_t addr, std::uint32_t bytes);
  // Tells the backup's kernel to stop the backup (stoppair); no acknowledgement.
  void stop_backup(Process& p, std::int32_t exit_code);

  void on_pair_op(int src_cpu, const PairOpMsg& m);
  void on_pair_ack(int src_cpu, const PairAckMsg& m);
  bool on_send_failed(std::uint64_t msg_id);
  // After the destination table applied the failure: backups of primaries there take over; primaries whose
  // backup was there lose it; operations waiting for an acknowledgement from there fail.
  void on_cpu_down(int cpu);
  void on_process_gone(Process& p);
  // How a backup that may not take over (it has no state) ends: set by the process lifecycle.
  void set_pair_lost_handler(std::function<void(Process&, const std::string&)> h) { lose_pair_ = std::move(h); }

  // The backup `b` becomes the primary. `old_primary` is the one it replaces; for a deletion its end is
  // reported to the new primary as a -101 system message, for a CPU failure as -2.
  void takeover(Process& b, std::uint32_t reason, Pid old_primary, bool abended, std::int32_t exit_code);
  // A primary's backup ended or became unreachable: the pair goes on without one.
  void backup_lost(Process& p);

 private:
  struct PendingOp {
    int pin = 0;
    int dst_cpu = 0;
    std::uint64_t msg_id = 0;
    PairOpKind kind = PairOpKind::checkpoint;
  };

  std::optional<std::uint32_t> send_op(Process& p, PairOpMsg m, WaitReason wait);
  void apply(Process& b, int src_cpu, const PairOpMsg& m);
  void apply_data(Process& b, const PairOpMsg& m);
  void fail_op(std::uint64_t op_id, std::uint32_t status);
  FileSync sync_block(const Process& p, int file) const;
  // Checkpoint p.checkpoints_sent, of `buffers` (with $RECEIVE's sync block when `carries_receive`), is
  // about to leave. When the process has one request read and not yet answered, the checkpoint carries its
  // work (backup_image.hpp), and the backup holds no saved reply for it (from this checkpoint or an earlier
  // one), traces `checkpoint_unsaved`: a takeover after this checkpoint and before the reply reaches the
  // requester makes the new primary read the requester's resend as a new request and do the work again.
  // With two requests open the work cannot be told apart, and nothing is traced. System processes written in
  // C++ are left out: the disk process checkpoints an operation before doing it, and a takeover finishes it.
  void note_unsaved_work(Process& p, const BackupImage& buffers, bool carries_receive);

  KernelCore& core_;
  MessageSystem& messages_;
  std::map<std::uint64_t, PendingOp> pending_;  // by operation id
  std::function<void(Process&, const std::string&)> lose_pair_;
};

const char* takeover_reason(std::uint32_t reason);

}  // namespace pairsim::cpu
