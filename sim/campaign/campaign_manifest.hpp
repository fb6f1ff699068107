#pragma once
// campaign.json: what a campaign's folder says about the campaign that wrote it — the scenario (as given,
// and the SHA-256 of its content), the seed range, the shard, and the pairsim that ran it (version and
// build id). A run is a function of (scenario, seed, build), so these are what shard folders must share to
// be merged into one campaign (sim/campaign/campaign_merge.hpp).
#include <optional>
#include <string>
#include <string_view>

#include "sim/campaign/campaign.hpp"

namespace pairsim::sim {

struct CampaignManifest {
  std::string scenario;         // as given on the command line
  std::string scenario_sha256;  // of the scenario file's bytes, as `sha256sum` prints it
  SeedRange seeds;
  Shard shard;
  std::string pairsim;   // the version
  std::string build_id;  // the binary's GNU build id (hex); "" when it has none
};

// The manifest of a campaign this pairsim runs: reads the scenario file for its hash. nullopt when the
// file cannot be read.
std::optional<CampaignManifest> describe_campaign(const std::string& scenario, SeedRange seeds, Shard shard);

// The GNU build id of the running program (as `readelf -n` prints it), or "" when it has none.
// Two binaries with the same id are the same build.
std::string own_build_id();

// campaign.json's text: keys scenario, scenario_sha256, seeds {first, last}, shard {index, count},
// pairsim, build_id (null when there is none), in this order.
std::string manifest_json(const CampaignManifest& m);
// Reads campaign.json back. On error, nullopt and a sentence in `error`.
std::optional<CampaignManifest> parse_manifest(std::string_view text, std::string& error);

}  // namespace pairsim::sim
