#pragma once
// The status word that checkpoint, checkopen, checkclose, checkswitch and checkmonitor return, kind × 256 +
// detail (docs/syscalls.md, "Status word"), written as the documentation writes it (0x202) with its meaning.
#include <optional>
#include <string>

namespace pairsim::sim {

// "0x202"
std::string status_hex(long long status);
// "takeover: the primary's processor failed" for a status the documentation names; nothing otherwise.
std::optional<std::string> status_meaning(long long status);
// The status a takeover's reason ("processor failed", …) makes the new primary's checkpoint return.
std::optional<long long> takeover_status(const std::string& reason);
// A line a guest printed, with "status N" followed by the status in hex and its meaning when N is one:
// "took over, status 514" → "took over, status 514 [0x202: takeover, its processor failed]".
std::string annotate_status(const std::string& text);

}  // namespace pairsim::sim
