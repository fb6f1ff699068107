#pragma once
// `pairsim campaign`: one scenario under many seeds, results in seed order (docs/campaigns.md). The scenario
// is read and its programs assembled once; each run is a child process forked from the campaign (SystemC
// elaborates once per process), which simulates one seed. The plain parts are in sim/campaign/campaign.hpp.
#include <string>

#include "sim/campaign/campaign.hpp"

namespace pairsim::sim {

inline constexpr int exit_interrupted = 130;  // stopped by SIGINT or SIGTERM, as a shell reports Ctrl-C

struct CampaignOptions {
  std::string scenario;
  SeedRange seeds;
  Shard shard;
  unsigned jobs = 0;                // runs at a time; 0: one per core
  std::string out_dir;              // "": campaign-NAME, NAME the scenario's file name without .scn
  double timeout_seconds = 300;     // host seconds one run may take before it is killed (verdict timeout)
  std::string program = "pairsim";  // how the user called pairsim, for the replay commands shown
};

// Exit code: 0 every seed held, 1 some seed failed, timed out or crashed, 2 bad input, 130 interrupted.
int run_campaign(const CampaignOptions& opts);

}  // namespace pairsim::sim
