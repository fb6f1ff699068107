#pragma once
// `--explain`: the causal chain of each detection and each takeover of a run, in plain sentences with
// times — the I'm-alive checks that missed a CPU, the suspicion, the regroup rounds, who declared it down
// and when; then, for each takeover, when the backup was told, which checkpoint it resumed from, and what
// the requesters resent. It says where the time between a failure and its takeover went.
#include <cstdint>
#include <optional>
#include <string>

#include "sim/report/protocol_log.hpp"

namespace pairsim::sim {

// `heartbeat_ns` when known (a run knows it; a trace file does not say): the sentences then count in
// heartbeat periods too. "" when the run had no failure and no takeover to explain.
std::string explain_text(const ProtocolLog& log, std::optional<std::uint64_t> heartbeat_ns);

}  // namespace pairsim::sim
