#pragma once
// `pairsim pin` and `pairsim shrink` (docs/campaigns.md): a seed's draws as a scenario of its own, and a
// failing seed reduced to the fewest faults, each at its latest time, that still fail the same way.
#include <cstdint>
#include <optional>
#include <string>

namespace pairsim::sim {

struct PinOptions {
  std::string scenario;
  std::optional<std::uint64_t> seed;  // none: the scenario's `seed`, or 1
  std::string out;                    // "": standard output
};
int run_pin(const PinOptions& opts);

struct ShrinkOptions {
  std::string scenario;
  std::optional<std::uint64_t> seed;
  std::string out;               // "": standard output
  double timeout_seconds = 300;  // per candidate run, as a campaign's --timeout
  std::string program = "pairsim";
  bool quiet = false;            // no progress lines on standard error
};
// Exit 0 when it shrank (the scenario written still fails), 2 on bad input or when the seed does not fail.
int run_shrink(const ShrinkOptions& opts);

}  // namespace pairsim::sim
