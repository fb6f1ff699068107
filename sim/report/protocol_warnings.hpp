#pragma once
// Protocol warnings: mistakes a process pair's program can make that break no expectation and no invariant
// of the run it is in, yet leave the pair unprotected against the next failure. Each names the pair, the
// process, the time, and the section of the documentation to read. Thresholds count in heartbeat periods,
// the machine's own unit of "long" (docs/process-pairs.md, "Protocol warnings").
#include <cstdint>
#include <string>
#include <vector>

#include "sim/report/protocol_log.hpp"

namespace pairsim::sim {

enum class ProtocolRule {
  backup_not_monitoring,  // a backup that never called checkmonitor
  reply_before_checkpoint,
  request_done_again,  // a takeover with a request's work but not its reply; its resend taken for new
  no_stack_checkpoint,
  checkpoint_blocked,
  alone_most_of_run,
};

const char* protocol_rule_name(ProtocolRule rule);

struct ProtocolWarning {
  ProtocolRule rule;
  std::uint64_t t_ns;
  std::string pair;
  std::string process;  // "cpu,pin" of the process it is about
  std::string text;     // what happened and what to do, in sentences
  std::string read;     // a section of the documentation: docs/process-pairs.md#…
};

// The warnings of a run, in time order. `heartbeat_ns` is the machine's I'm-alive period; `end_ns` the run's end.
std::vector<ProtocolWarning> protocol_warnings(const ProtocolLog& log, std::uint64_t heartbeat_ns,
                                               std::uint64_t end_ns);

// The report's section: "" without warnings, else "protocol warnings: N" and each with what to read.
std::string protocol_warnings_text(const std::vector<ProtocolWarning>& warnings);

}  // namespace pairsim::sim
