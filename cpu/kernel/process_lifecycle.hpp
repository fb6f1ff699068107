#pragma once
// How processes begin and end. Creation: from the scenario, from a guest's NEWPROCESS (on this CPU or, by a
// kernel message, on another) and NEWBACKUP (the caller's backup, same program and name, usually elsewhere).
// Ending: STOP, ABEND, a trap, or STOPPAIR; the data space goes back to memory, the destination table
// forgets a name nobody serves any more, and the process's end is told to whoever must know: its pair
// partner (whose kernel takes over or records the lost backup) or else its creator (-101 on $RECEIVE).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "cpu/kernel/kernel_core.hpp"
#include "cpu/kernel/message_system.hpp"
#include "cpu/kernel/process_pairs.hpp"

namespace pairsim::cpu {

class ProcessLifecycle {
 public:
  ProcessLifecycle(KernelCore& core, MessageSystem& messages, ProcessPairs& pairs);

  struct Created {
    Pid pid = kNoPid;
    std::int32_t error = 0;  // file-system error, 0 on success
    std::string sentence;    // why it failed
  };
  // Creates a process on this CPU.
  Created create(const CreateMsg& c);

  // System calls: a pid, -(error), or nullopt while the caller waits for another CPU.
  std::optional<std::int32_t> newprocess(Process& creator, const std::string& program, const std::string& name, int cpu,
                                         int priority);
  std::optional<std::int32_t> newbackup(Process& p, int cpu);
  void stop(Process& p, std::int32_t exit_code);
  void abend(Process& p, const std::string& reason);
  // Stops the backup (no takeover), then the caller: the end of the whole pair.
  void stoppair(Process& p, std::int32_t exit_code);
  // A backup that would take over without the pair's state: the pair is lost (see ProcessPairs::takeover).
  void lose_pair(Process& b, const std::string& why);

  void on_create(int src_cpu, const CreateMsg& m);
  void on_create_reply(int src_cpu, const CreateReplyMsg& m);
  void on_deletion(int src_cpu, const DeletionMsg& m);
  void on_pair_stop(int src_cpu, const PairOpMsg& m);
  bool on_send_failed(std::uint64_t msg_id);
  void on_cpu_down(int cpu);

 private:
  struct PendingCreate {
    int pin = 0;
    int dst_cpu = 0;
    std::uint64_t msg_id = 0;
    bool backup = false;
  };
  // `tell_partner`: false when the pair ends as a whole (no takeover, no deletion message to the partner).
  void terminate(Process& p, bool abended, std::int32_t exit_code, const std::string& reason, bool tell_partner);
  void backup_created(Process& p, Pid backup);
  std::optional<std::int32_t> request_create(Process& p, const CreateMsg& c, int cpu);

  KernelCore& core_;
  MessageSystem& messages_;
  ProcessPairs& pairs_;
  std::map<std::uint64_t, PendingCreate> creates_;  // by create id
};

}  // namespace pairsim::cpu
