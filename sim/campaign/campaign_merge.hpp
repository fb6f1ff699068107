#pragma once
// `pairsim campaign merge`: the folders of the N shards of a campaign (`--shard 0/N` … `N-1/N`, run on any
// machines) joined into the folder one campaign over the whole range would have written — results.jsonl
// and summary.json byte for byte, timing.jsonl, campaign.json and the seed-S folders — after checking that
// the shards belong together (docs/campaigns.md). merge_shards() is the check and the join, on the files'
// text; merge_campaign() reads and writes the folders.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/campaign/campaign.hpp"
#include "sim/campaign/campaign_manifest.hpp"

namespace pairsim::sim {

// What one shard's folder holds; nullopt for a file that is not there.
struct ShardFiles {
  std::string folder;                       // as given on the command line
  std::optional<std::string> manifest;      // campaign.json
  std::optional<std::string> summary;       // summary.json
  std::optional<std::string> results;       // results.jsonl
  std::optional<std::string> timing;        // timing.jsonl
  std::vector<std::uint64_t> seed_folders;  // its seed-S folders
};

// The whole campaign, as one run over the range writes it.
struct MergedCampaign {
  CampaignManifest manifest;  // shard 0/1
  std::string results;        // results.jsonl
  std::string timing;         // timing.jsonl
  CampaignSummary summary;    // summary.json is summary.json()
  double run_seconds = 0;     // the host seconds of every run, added up
  // The seed-S folders to copy, in seed order: (the shard's folder, S).
  std::vector<std::pair<std::string, std::uint64_t>> seed_folders;
};

// Checks that the shards are the N shards of one campaign — same scenario (as given, and the same content),
// same seed range, same pairsim version and build, each index 0 … N-1 once, each finished, each with
// exactly its seeds — and joins them. On error, nullopt and a sentence in `error` that says which folder
// and what is wrong with it.
std::optional<MergedCampaign> merge_shards(const std::vector<ShardFiles>& shards, std::string& error);

struct MergeOptions {
  std::vector<std::string> shard_dirs;
  std::string out_dir;
  std::string program = "pairsim";  // how the user called pairsim, for the replay commands shown
};

// Exit code, as a campaign's: 0 every seed held, 1 some seed did not, 2 the shards do not make one
// campaign or the output cannot be written (nothing is written then).
int merge_campaign(const MergeOptions& opts);

}  // namespace pairsim::sim
