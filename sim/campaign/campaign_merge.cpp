#include "sim/campaign/campaign_merge.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "sim/campaign/file_io.hpp"
#include "sim/report/json_reader.hpp"
#include "sim/run/run_command.hpp"

namespace pairsim::sim {

namespace {

namespace fs = std::filesystem;

std::string range_text(SeedRange r) {
  return std::to_string(r.first) + ".." + std::to_string(r.last);
}
std::string shard_text(Shard s) {
  return std::to_string(s.index) + "/" + std::to_string(s.count);
}
std::string build_text(const CampaignManifest& m) {
  return "pairsim " + m.pairsim + (m.build_id.empty() ? ", no build id" : ", build id " + m.build_id);
}

// The lines of a .jsonl file. A last line without its newline was cut short: an error.
bool split_lines(const std::string& text, const std::string& file, std::vector<std::string>& lines,
                 std::string& error) {
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) {
      error = file + ": its last line has no newline: it was cut short (the campaign was killed while writing it)";
      return false;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return true;
}

// One shard, read and checked against its own manifest.
struct ShardInput {
  const ShardFiles* files = nullptr;
  CampaignManifest manifest;
  std::vector<RunResult> results;           // in seed order, host_seconds from timing.jsonl
  std::vector<std::string> timing;          // timing.jsonl's lines, as written
  std::vector<std::uint64_t> seed_folders;  // sorted
};

bool read_manifest(const ShardFiles& f, ShardInput& s, std::string& error) {
  s.files = &f;
  if (!f.manifest) {
    error = f.folder +
            " has no campaign.json: it is not the folder of a campaign (or of one run by a pairsim "
            "that did not write campaign.json yet)";
    return false;
  }
  std::string why;
  auto m = parse_manifest(*f.manifest, why);
  if (!m) {
    error = f.folder + "/campaign.json: " + why;
    return false;
  }
  s.manifest = *m;
  return true;
}

// Every shard's manifest against the first one's: the same campaign, split the same way, run by the same build.
bool check_belong_together(const std::vector<ShardInput>& shards, std::string& error) {
  const CampaignManifest& a = shards.front().manifest;
  const std::string& first = shards.front().files->folder;
  for (const auto& s : shards) {
    const CampaignManifest& b = s.manifest;
    const std::string both = first + " and " + s.files->folder;
    if (b.scenario != a.scenario) {
      error = both + " ran different scenarios: '" + a.scenario + "' and '" + b.scenario + "'";
    } else if (b.scenario_sha256 != a.scenario_sha256) {
      error = both + " ran different contents of " + a.scenario + " (sha256 " + a.scenario_sha256 + " and " +
              b.scenario_sha256 + "): the scenario was changed between them";
    } else if (b.seeds.first != a.seeds.first || b.seeds.last != a.seeds.last) {
      error = both + " ran different seed ranges: " + range_text(a.seeds) + " and " + range_text(b.seeds);
    } else if (b.shard.count != a.shard.count) {
      error =
          both + " split the seeds differently: they are shards " + shard_text(a.shard) + " and " + shard_text(b.shard);
    } else if (b.pairsim != a.pairsim || b.build_id != a.build_id) {
      error = both + " were run by different builds (" + build_text(a) + "; " + build_text(b) +
              "): a seed gives the same run only with the same build";
    } else {
      continue;
    }
    return false;
  }
  if (a.pairsim != PAIRSIM_VERSION) {
    error = "the shards were run by pairsim " + a.pairsim + ", and this is pairsim " + PAIRSIM_VERSION +
            ": merge them with the pairsim that ran them";
    return false;
  }
  return true;
}

// Each index 0 … N-1 exactly once. Sorts the shards by index.
bool check_cover(std::vector<ShardInput>& shards, std::string& error) {
  const std::uint64_t count = shards.front().manifest.shard.count;
  std::map<std::uint64_t, const ShardInput*> by_index;
  for (const auto& s : shards) {
    auto [it, added] = by_index.emplace(s.manifest.shard.index, &s);
    if (!added) {
      error = "shard " + shard_text(s.manifest.shard) + " is given twice: " + it->second->files->folder + " and " +
              s.files->folder;
      return false;
    }
  }
  std::vector<std::string> missing;
  for (std::uint64_t i = 0; i < count; ++i)
    if (!by_index.count(i)) missing.push_back(shard_text(Shard{i, count}));
  if (!missing.empty()) {
    std::string list;
    for (std::size_t i = 0; i < missing.size() && i < 10; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 10) list += ", …";
    error = std::to_string(missing.size()) + " of the " + std::to_string(count) + " shards " +
            (missing.size() == 1 ? "is" : "are") + " missing (" + list + "): a campaign merges from all of them";
    return false;
  }
  std::sort(shards.begin(), shards.end(),
            [](const ShardInput& x, const ShardInput& y) { return x.manifest.shard.index < y.manifest.shard.index; });
  return true;
}

// A shard's own files: finished, exactly its seeds in order, lines as this pairsim writes them, a summary
// that is its results', and seed folders only for its seeds that did not hold.
bool check_shard(ShardInput& s, std::string& error) {
  const ShardFiles& f = *s.files;
  const std::string name = "shard " + shard_text(s.manifest.shard);
  const SeedPlan plan(s.manifest.seeds, s.manifest.shard);
  if (!f.results || !f.summary || !f.timing) {
    const char* file = !f.results ? "results.jsonl" : !f.summary ? "summary.json" : "timing.jsonl";
    error = f.folder + " has no " + file + ": " + name +
            " has not finished (it is still running, or was killed before its end); run it again";
    return false;
  }

  std::string why;
  const auto summary = parse_json(*f.summary, &why);
  if (!summary || !summary->is_object()) {
    error = f.folder + "/summary.json: not JSON (" + why + ")";
    return false;
  }
  if (const JsonValue* i = summary->get("interrupted"); i && i->as_bool() == true) {
    const JsonValue* done = summary->get("finished");
    error = f.folder + ": " + name + " was interrupted after " +
            (done && done->as_uint() ? std::to_string(*done->as_uint()) : std::string("some")) + " of its " +
            std::to_string(plan.size()) + " runs; run it again";
    return false;
  }

  std::vector<std::string> lines;
  const std::string results_file = f.folder + "/results.jsonl";
  if (!split_lines(*f.results, results_file, lines, error)) return false;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const std::string at = results_file + ":" + std::to_string(n + 1);
    auto r = parse_result_line(lines[n], why);
    if (!r) {
      error = at + ": " + why;
      return false;
    }
    if (n >= plan.size()) {
      error = at + ": seed " + std::to_string(r->seed) + " is past the last of " + name + "'s " +
              std::to_string(plan.size()) + " seeds of " + range_text(plan.range());
      return false;
    }
    if (r->seed != plan.seed(n)) {
      error = at + ": seed " + std::to_string(r->seed) + " where " + name + " of " + range_text(plan.range()) +
              " has seed " + std::to_string(plan.seed(n)) +
              (r->seed < plan.seed(n) ? " (a seed twice, or one of another shard)" : " (a seed is missing)");
      return false;
    }
    if (result_line(*r) != lines[n]) {
      error = at + ": seed " + std::to_string(r->seed) + "'s line is not the one pairsim " + PAIRSIM_VERSION +
              " writes for it (was it edited?)";
      return false;
    }
    s.results.push_back(std::move(*r));
  }
  if (s.results.size() < plan.size()) {
    error = results_file + " has " + std::to_string(s.results.size()) + " seeds, and " + name + " of " +
            range_text(plan.range()) + " has " + std::to_string(plan.size()) + ": seed " +
            std::to_string(plan.seed(s.results.size())) + " and after are missing";
    return false;
  }

  const std::string timing_file = f.folder + "/timing.jsonl";
  if (!split_lines(*f.timing, timing_file, s.timing, error)) return false;
  for (std::size_t n = 0; n < s.timing.size() || n < s.results.size(); ++n) {
    const std::string at = timing_file + ":" + std::to_string(n + 1);
    if (n >= s.timing.size() || n >= s.results.size()) {
      error = timing_file + " has " + std::to_string(s.timing.size()) + " lines and results.jsonl " +
              std::to_string(s.results.size()) + ": one line a seed in each";
      return false;
    }
    const auto t = parse_json(s.timing[n]);
    const JsonValue* seed = t ? t->get("seed") : nullptr;
    const JsonValue* seconds = t ? t->get("host_seconds") : nullptr;
    if (!seed || !seed->as_uint() || !seconds || !seconds->as_double()) {
      error = at + ": not a timing line {seed, host_seconds}";
      return false;
    }
    if (*seed->as_uint() != s.results[n].seed) {
      error = at + ": seed " + std::to_string(*seed->as_uint()) + " where results.jsonl has seed " +
              std::to_string(s.results[n].seed);
      return false;
    }
    s.results[n].host_seconds = *seconds->as_double();
  }

  // summary.json is a function of the manifest and the results: written again, it must come out the same.
  CampaignSummary again(s.manifest.scenario, plan);
  for (const auto& r : s.results) again.add(r);
  if (again.json() != *f.summary) {
    error = f.folder +
            "/summary.json does not agree with its campaign.json and results.jsonl: the files come from "
            "different campaigns, or one was edited";
    return false;
  }

  s.seed_folders = f.seed_folders;
  std::sort(s.seed_folders.begin(), s.seed_folders.end());
  for (std::uint64_t seed : s.seed_folders) {
    const std::string folder = f.folder + "/seed-" + std::to_string(seed);
    const auto r = std::lower_bound(s.results.begin(), s.results.end(), seed,
                                    [](const RunResult& x, std::uint64_t v) { return x.seed < v; });
    if (r == s.results.end() || r->seed != seed) {
      error = folder + ": seed " + std::to_string(seed) + " is not one of " + name + "'s seeds";
      return false;
    }
    if (r->verdict == Verdict::held) {
      error = folder + ": seed " + std::to_string(seed) +
              " held, and a campaign keeps a folder only for a seed that did not hold: the folder is another "
              "campaign's";
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<MergedCampaign> merge_shards(const std::vector<ShardFiles>& files, std::string& error) {
  if (files.empty()) {
    error = "no shard folders to merge";
    return std::nullopt;
  }
  std::vector<ShardInput> shards(files.size());
  for (std::size_t i = 0; i < files.size(); ++i)
    if (!read_manifest(files[i], shards[i], error)) return std::nullopt;
  if (!check_belong_together(shards, error) || !check_cover(shards, error)) return std::nullopt;
  for (auto& s : shards)
    if (!check_shard(s, error)) return std::nullopt;

  CampaignManifest whole = shards.front().manifest;
  whole.shard = Shard{};
  const SeedPlan plan(whole.seeds, whole.shard);
  MergedCampaign m{whole, "", "", CampaignSummary(whole.scenario, plan), 0, {}};
  // Seed first + i is run i / N of shard i % N.
  const std::uint64_t count = shards.size();
  for (std::uint64_t i = 0; i < plan.size(); ++i) {
    const ShardInput& s = shards[i % count];
    const RunResult& r = s.results[i / count];
    m.results += result_line(r) + "\n";
    m.timing += s.timing[i / count] + "\n";
    m.run_seconds += r.host_seconds;
    m.summary.add(r);
    if (std::binary_search(s.seed_folders.begin(), s.seed_folders.end(), r.seed))
      m.seed_folders.emplace_back(s.files->folder, r.seed);
  }
  return m;
}

namespace {

ShardFiles read_shard(const std::string& folder) {
  ShardFiles f;
  f.folder = folder;
  while (f.folder.size() > 1 && f.folder.back() == '/') f.folder.pop_back();  // shard-0/ from a shell's completion
  const fs::path dir(folder);
  f.manifest = read_file(dir / "campaign.json");
  f.summary = read_file(dir / "summary.json");
  f.results = read_file(dir / "results.jsonl");
  f.timing = read_file(dir / "timing.jsonl");
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_seed_folder(name) && entry.is_directory(ec)) {
      std::uint64_t seed = 0;
      std::istringstream(name.substr(5)) >> seed;
      f.seed_folders.push_back(seed);
    }
  }
  return f;
}

int fail(const std::string& message) {
  std::cerr << "pairsim: error: " << message << "\n";
  return exit_bad_input;
}

}  // namespace

int merge_campaign(const MergeOptions& opts) {
  const fs::path out(opts.out_dir);
  std::error_code ec;
  std::vector<ShardFiles> shards;
  for (const auto& dir : opts.shard_dirs) {
    if (!fs::is_directory(dir, ec))
      return fail(dir + (fs::exists(dir, ec) ? " is not a folder" : ": no such folder") +
                  ": give the folders the shards' campaigns wrote (--out of each)");
    if (fs::exists(out, ec) && fs::equivalent(out, dir, ec))
      return fail("--out " + opts.out_dir + " is one of the shard folders: merge into a folder of its own");
    shards.push_back(read_shard(dir));
  }
  std::string error;
  auto merged = merge_shards(shards, error);
  if (!merged) return fail(error);

  // As a campaign does: what an earlier campaign left in the folder would mix with this one.
  if (!prepare_out_folder(out, {"results.jsonl", "summary.json", "timing.jsonl", "campaign.json"}, is_seed_folder))
    return fail("cannot make the output folder '" + out.string() + "'");

  const std::vector<std::pair<std::string, std::string>> outputs{{"campaign.json", manifest_json(merged->manifest)},
                                                                 {"results.jsonl", merged->results},
                                                                 {"timing.jsonl", merged->timing},
                                                                 {"summary.json", merged->summary.json()}};
  for (const auto& [name, text] : outputs)
    if (!write_file(out / name, text)) return fail("cannot write '" + (out / name).string() + "'");
  for (const auto& [folder, seed] : merged->seed_folders) {
    const std::string name = "seed-" + std::to_string(seed);
    fs::copy(fs::path(folder) / name, out / name, fs::copy_options::recursive, ec);
    if (ec) return fail("cannot copy " + folder + "/" + name + " to " + (out / name).string() + ": " + ec.message());
  }

  std::cout << merged->summary.merged_text(opts.program, out.string(), opts.shard_dirs.size(), merged->run_seconds)
            << std::flush;
  return merged->summary.bad() == 0 ? exit_ok : exit_expectation_failed;
}

}  // namespace pairsim::sim
