#pragma once
// The campaign commands' files: one read or written whole, the folder of a run that did not hold, and the output
// folder a campaign, a sweep or a merge writes into.
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>

#include "sim/campaign/campaign.hpp"  // ChildEnd

namespace pairsim::sim {

// The whole of a regular file; nullopt when there is none at `path` or it cannot be read.
std::optional<std::string> read_file(const std::filesystem::path& path);
// `text` as the whole of the file; false when it could not be written.
bool write_file(const std::filesystem::path& path, const std::string& text);

// The folder of a run that did not hold (a campaign's seed-S, a sweep's moment-K), made if need be: its
// standard output as run.json and error as stderr.txt (each only when not empty), and `replay_script` as an
// executable replay.sh.
void write_run_folder(const std::filesystem::path& dir, const ChildEnd& end, const std::string& replay_script);

// Makes the folder `out` (and those above it) and removes what an earlier run of the same command left in it —
// the files named in `files`, the folders whose names `is_own_folder` accepts — so that it does not mix with
// this run's. False when there is no such folder and it cannot be made.
bool prepare_out_folder(const std::filesystem::path& out, std::initializer_list<const char*> files,
                        bool (*is_own_folder)(const std::string& name));

}  // namespace pairsim::sim
