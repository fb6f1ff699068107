// Merging a campaign's shards without processes or folders: the shards' files, as a campaign writes them,
// joined into exactly the files one campaign over the whole range writes, and every way shard folders can
// fail to belong together refused with a sentence that names the folder and the fault. Also campaign.json,
// results.jsonl read back, and the SHA-256 that names a scenario's content.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "sim/campaign/campaign.hpp"
#include "sim/campaign/campaign_manifest.hpp"
#include "sim/campaign/campaign_merge.hpp"
#include "sim/campaign/sha256.hpp"

using namespace pairsim::sim;

namespace {

const SeedRange seeds{1, 20};

// What seed s comes to in the campaigns below: failures, a timeout and a crash among held runs.
RunResult outcome(std::uint64_t s) {
  RunResult r;
  r.seed = s;
  r.verdict = s % 3 == 0 ? Verdict::failed : s == 7 ? Verdict::timeout : s == 11 ? Verdict::crash : Verdict::held;
  if (r.verdict == Verdict::failed) {
    r.failed.push_back({12, "expect $C1 exit 0"});
    if (s % 2 == 0) r.failed.push_back({14, "expect output $C1 \"total 100000\""});
  }
  if (r.verdict == Verdict::held || r.verdict == Verdict::failed) {
    r.takeovers = s % 2;
    r.sim_time_ns = 500'000'000;
  }
  if (r.verdict == Verdict::timeout) r.detail = "still running at the --timeout: killed";
  if (r.verdict == Verdict::crash) r.detail = "killed by signal 11 (Segmentation fault)";
  r.host_seconds = 0.25;
  return r;
}

CampaignManifest manifest(Shard shard) {
  CampaignManifest m;
  m.scenario = "bank lottery.scn";
  m.scenario_sha256 = sha256_hex("at random 2ms..20ms fail cpu random\n");
  m.seeds = seeds;
  m.shard = shard;
  m.pairsim = PAIRSIM_VERSION;
  m.build_id = "611b7796a7af31ea3e963ffdc6971f5e77e882b6";
  return m;
}

// The folder a campaign over `seeds` with --shard writes, as ShardFiles.
ShardFiles campaign_folder(const std::string& folder, Shard shard) {
  const SeedPlan plan(seeds, shard);
  CampaignSummary summary(manifest(shard).scenario, plan);
  ShardFiles f;
  f.folder = folder;
  f.manifest = manifest_json(manifest(shard));
  f.results = "";
  f.timing = "";
  for (std::uint64_t i = 0; i < plan.size(); ++i) {
    const RunResult r = outcome(plan.seed(i));
    *f.results += result_line(r) + "\n";
    *f.timing += timing_line(r) + "\n";
    summary.add(r);
    if (r.verdict != Verdict::held) f.seed_folders.push_back(r.seed);
  }
  f.summary = summary.json();
  return f;
}

std::vector<ShardFiles> shard_folders(std::uint64_t count) {
  std::vector<ShardFiles> out;
  for (std::uint64_t i = 0; i < count; ++i) out.push_back(campaign_folder("s/shard-" + std::to_string(i), {i, count}));
  return out;
}

std::string merge_error(const std::vector<ShardFiles>& shards) {
  std::string error;
  const auto merged = merge_shards(shards, error);
  CHECK_FALSE(merged);
  return error;
}

// Replaces the first `from` in `text` (which must have one).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("campaign merge: the shards joined are the whole campaign, byte for byte", "[campaign]") {
  const ShardFiles whole = campaign_folder("whole", Shard{});
  std::mt19937 shuffle(7);
  for (std::uint64_t count : {1, 2, 3, 4, 7, 20, 25}) {  // 25: more shards than seeds, some with none
    INFO(count << " shards");
    auto shards = shard_folders(count);
    std::shuffle(shards.begin(), shards.end(), shuffle);  // the order they are given in does not matter
    std::string error;
    const auto merged = merge_shards(shards, error);
    INFO(error);
    REQUIRE(merged);
    CHECK(merged->results == *whole.results);
    CHECK(merged->summary.json() == *whole.summary);
    CHECK(merged->timing == *whole.timing);
    CHECK(manifest_json(merged->manifest) == *whole.manifest);
    CHECK(merged->run_seconds == Approx(20 * 0.25));
    CHECK(merged->summary.bad() == 8);  // 3, 6, … 18 failed; 7 timed out; 11 crashed

    std::vector<std::uint64_t> kept;
    for (const auto& [folder, seed] : merged->seed_folders) {
      kept.push_back(seed);
      CHECK(folder == "s/shard-" + std::to_string((seed - seeds.first) % count));
    }
    CHECK(kept == whole.seed_folders);
  }
}

TEST_CASE("campaign merge: the closing text is a campaign's, with the shards and their run time", "[campaign]") {
  std::string error;
  const auto merged = merge_shards(shard_folders(4), error);
  REQUIRE(merged);
  const std::string text = merged->summary.merged_text("build/pairsim", "lottery", 4, merged->run_seconds);
  CHECK(text.find("bank lottery.scn, seeds 1..20: 20 of 20 runs from 4 shards, 5.0 s of run time\n") == 0);
  CHECK(text.find("verdicts: held 12, failed 6, timeout 1, crash 1\n") != std::string::npos);
  CHECK(text.find("  6\tline 12: expect $C1 exit 0\n") != std::string::npos);
  CHECK(text.find("  failed\tbuild/pairsim run 'bank lottery.scn' --seed 3\n") != std::string::npos);
  CHECK(text.find("  timeout\tbuild/pairsim run 'bank lottery.scn' --seed 7\n") != std::string::npos);
  CHECK(text.find("results: lottery/results.jsonl, summary: lottery/summary.json\n") != std::string::npos);
  // The rest is what the campaign over the whole range prints.
  CampaignSummary whole("bank lottery.scn", SeedPlan(seeds, Shard{}));
  for (std::uint64_t s = seeds.first; s <= seeds.last; ++s) whole.add(outcome(s));
  const std::string local = whole.text("build/pairsim", "lottery", 1.5);
  CHECK(text.substr(text.find('\n')) == local.substr(local.find('\n')));
}

TEST_CASE("campaign merge: shards of different campaigns are refused", "[campaign]") {
  auto shards = shard_folders(3);
  auto with_manifest = [&](std::size_t i, auto change) {
    auto copy = shards;
    CampaignManifest m = manifest(Shard{i, 3});
    change(m);
    copy[i].manifest = manifest_json(m);
    return copy;
  };
  CHECK(merge_error(with_manifest(1, [](auto& m) { m.scenario = "other.scn"; })) ==
        "s/shard-0 and s/shard-1 ran different scenarios: 'bank lottery.scn' and 'other.scn'");
  CHECK(merge_error(with_manifest(2, [](auto& m) { m.scenario_sha256 = sha256_hex("run for 1s\n"); })) ==
        "s/shard-0 and s/shard-2 ran different contents of bank lottery.scn (sha256 " +
            sha256_hex("at random 2ms..20ms fail cpu random\n") + " and " + sha256_hex("run for 1s\n") +
            "): the scenario was changed between them");
  CHECK(merge_error(with_manifest(1, [](auto& m) { m.seeds.last = 40; })) ==
        "s/shard-0 and s/shard-1 ran different seed ranges: 1..20 and 1..40");
  CHECK(merge_error(with_manifest(1, [](auto& m) {
          m.shard = {1, 4};
        })) == "s/shard-0 and s/shard-1 split the seeds differently: they are shards 0/3 and 1/4");
  CHECK(merge_error(with_manifest(2, [](auto& m) { m.build_id = "0badc0de"; })) ==
        "s/shard-0 and s/shard-2 were run by different builds (pairsim " PAIRSIM_VERSION
        ", build id 611b7796a7af31ea3e963ffdc6971f5e77e882b6; pairsim " PAIRSIM_VERSION
        ", build id 0badc0de): a seed gives the same run only with the same build");
  CHECK(merge_error(with_manifest(2, [](auto& m) { m.build_id.clear(); })).find("no build id): a seed") !=
        std::string::npos);

  auto old = shards;
  for (std::size_t i = 0; i < old.size(); ++i) {
    CampaignManifest m = manifest(Shard{i, 3});
    m.pairsim = "0.0.1";
    old[i].manifest = manifest_json(m);
  }
  CHECK(merge_error(old) == "the shards were run by pairsim 0.0.1, and this is pairsim " PAIRSIM_VERSION
                            ": merge them with the pairsim that ran them");
}

TEST_CASE("campaign merge: every shard exactly once", "[campaign]") {
  auto shards = shard_folders(4);
  auto twice = shards;
  twice[3] = campaign_folder("elsewhere/shard-1", {1, 4});
  CHECK(merge_error(twice) == "shard 1/4 is given twice: s/shard-1 and elsewhere/shard-1");
  auto missing = shards;
  missing.erase(missing.begin() + 2);
  CHECK(merge_error(missing) == "1 of the 4 shards is missing (2/4): a campaign merges from all of them");
  missing.erase(missing.begin());
  CHECK(merge_error(missing) == "2 of the 4 shards are missing (0/4, 2/4): a campaign merges from all of them");
  CHECK(merge_error({}) == "no shard folders to merge");
}

TEST_CASE("campaign merge: a shard that has not finished, or whose files are not its own, is refused", "[campaign]") {
  auto shards = shard_folders(2);  // shard 0: seeds 1, 3, … 19; shard 1: 2, 4, … 20
  auto change = [&](std::size_t i, auto how) {
    auto copy = shards;
    how(copy[i]);
    return copy;
  };
  CHECK(merge_error(change(0, [](ShardFiles& f) { f.manifest.reset(); })) ==
        "s/shard-0 has no campaign.json: it is not the folder of a campaign (or of one run by a pairsim that did "
        "not write campaign.json yet)");
  CHECK(merge_error(change(1, [](ShardFiles& f) {
          f.manifest = "{\"scenario\": 1}";
        })).find("s/shard-1/campaign.json: not a campaign manifest") == 0);
  CHECK(merge_error(change(1, [](ShardFiles& f) { f.summary.reset(); })) ==
        "s/shard-1 has no summary.json: shard 1/2 has not finished (it is still running, or was killed before its "
        "end); run it again");
  CHECK(merge_error(change(0, [](ShardFiles& f) { f.results.reset(); })).find("s/shard-0 has no results.jsonl") == 0);

  SECTION("interrupted") {
    auto interrupted = change(1, [](ShardFiles& f) {
      CampaignSummary s("bank lottery.scn", SeedPlan(seeds, {1, 2}));
      s.add(outcome(2));
      s.add(outcome(4));
      s.set_interrupted();
      f.summary = s.json();
      f.results = result_line(outcome(2)) + "\n" + result_line(outcome(4)) + "\n";
    });
    CHECK(merge_error(interrupted) == "s/shard-1: shard 1/2 was interrupted after 2 of its 10 runs; run it again");
  }
  SECTION("results.jsonl: a seed missing, twice, another shard's, past the end, cut short, edited") {
    const std::string line3 = result_line(outcome(3)) + "\n";
    const std::string line5 = result_line(outcome(5)) + "\n";
    CHECK(merge_error(change(0, [&](ShardFiles& f) { f.results = replaced(*f.results, line3, ""); })) ==
          "s/shard-0/results.jsonl:2: seed 5 where shard 0/2 of 1..20 has seed 3 (a seed is missing)");
    CHECK(merge_error(change(0, [&](ShardFiles& f) { f.results = replaced(*f.results, line5, line3 + line3); })) ==
          "s/shard-0/results.jsonl:3: seed 3 where shard 0/2 of 1..20 has seed 5 (a seed twice, or one of another "
          "shard)");
    CHECK(merge_error(change(0, [&](ShardFiles& f) { f.results = *f.results + result_line(outcome(21)) + "\n"; })) ==
          "s/shard-0/results.jsonl:11: seed 21 is past the last of shard 0/2's 10 seeds of 1..20");
    CHECK(merge_error(change(1, [&](ShardFiles& f) { f.results = f.results->substr(0, f.results->size() - 20); })) ==
          "s/shard-1/results.jsonl: its last line has no newline: it was cut short (the campaign was killed while "
          "writing it)");
    CHECK(merge_error(change(1, [&](ShardFiles& f) {
            const std::string last = result_line(outcome(20)) + "\n";
            f.results = replaced(*f.results, last, "");
          })) == "s/shard-1/results.jsonl has 9 seeds, and shard 1/2 of 1..20 has 10: seed 20 and after are missing");
    CHECK(merge_error(
              change(0, [&](ShardFiles& f) { f.results = replaced(*f.results, R"({"seed":5,)", R"({"seed": 5,)"); })) ==
          "s/shard-0/results.jsonl:3: seed 5's line is not the one pairsim " PAIRSIM_VERSION
          " writes for it (was it edited?)");
    CHECK(merge_error(change(0, [&](ShardFiles& f) {
            f.results = replaced(*f.results, R"("held")", R"("fine")");
          })).find("s/shard-0/results.jsonl:1: not a result line: it needs seed, verdict") == 0);
    CHECK(merge_error(change(0, [&](ShardFiles& f) {
            f.results = replaced(*f.results, "{", "[");
          })).find("s/shard-0/results.jsonl:1: not JSON") == 0);
  }
  SECTION("timing.jsonl and summary.json must be the results' own") {
    CHECK(merge_error(change(1, [&](ShardFiles& f) {
            f.timing = replaced(*f.timing, R"({"seed":4,)", R"({"seed":3,)");
          })) == "s/shard-1/timing.jsonl:2: seed 3 where results.jsonl has seed 4");
    CHECK(merge_error(change(1, [&](ShardFiles& f) { f.timing = f.timing->substr(0, f.timing->find('\n') + 1); })) ==
          "s/shard-1/timing.jsonl has 1 lines and results.jsonl 10: one line a seed in each");
    CHECK(merge_error(
              change(0, [&](ShardFiles& f) { f.summary = replaced(*f.summary, "\"held\": 5", "\"held\": 4"); })) ==
          "s/shard-0/summary.json does not agree with its campaign.json and results.jsonl: the files come from "
          "different campaigns, or one was edited");
    // A summary.json of the other shard, in this one's folder.
    CHECK(merge_error(change(0, [&](ShardFiles& f) {
            f.summary = shards[1].summary;
          })).find("s/shard-0/summary.json does not agree") == 0);
  }
  SECTION("a seed folder only for a seed of the shard that did not hold") {
    CHECK(merge_error(change(0, [](ShardFiles& f) { f.seed_folders.push_back(1); })) ==
          "s/shard-0/seed-1: seed 1 held, and a campaign keeps a folder only for a seed that did not hold: the "
          "folder is another campaign's");
    CHECK(merge_error(change(0, [](ShardFiles& f) { f.seed_folders.push_back(6); })) ==
          "s/shard-0/seed-6: seed 6 is not one of shard 0/2's seeds");
    // A seed that did not hold but whose folder was removed is merged without it.
    std::string error;
    const auto merged = merge_shards(change(0, [](ShardFiles& f) { f.seed_folders.clear(); }), error);
    REQUIRE(merged);
    std::vector<std::uint64_t> kept;
    for (const auto& [folder, seed] : merged->seed_folders) kept.push_back(seed);
    CHECK(kept == std::vector<std::uint64_t>{6, 12, 18});  // shard 1's; shard 0's (3, 7, 9, 11, 15) are gone
  }
}

TEST_CASE("campaign merge: a result line reads back as it was written", "[campaign]") {
  for (std::uint64_t s : {1, 3, 6, 7, 11}) {  // held, failed, failed twice, timeout, crash
    const std::string line = result_line(outcome(s));
    std::string error;
    const auto r = parse_result_line(line, error);
    INFO(line << ": " << error);
    REQUIRE(r);
    CHECK(r->seed == s);
    CHECK(r->verdict == outcome(s).verdict);
    CHECK(result_line(*r) == line);
  }
  std::string error;
  CHECK_FALSE(parse_result_line(R"({"seed":1,"verdict":"held"})", error));
  CHECK(error.find("not a result line") == 0);
  CHECK_FALSE(parse_result_line("", error));
  CHECK(error.find("not JSON") == 0);
}

TEST_CASE("campaign manifest: campaign.json, written and read back", "[campaign]") {
  const CampaignManifest m = manifest(Shard{2, 4});
  CHECK(manifest_json(m) == std::string(R"({
  "scenario": "bank lottery.scn",
  "scenario_sha256": ")") + sha256_hex("at random 2ms..20ms fail cpu random\n") +
                                R"(",
  "seeds": {
    "first": 1,
    "last": 20
  },
  "shard": {
    "index": 2,
    "count": 4
  },
  "pairsim": ")" PAIRSIM_VERSION R"(",
  "build_id": "611b7796a7af31ea3e963ffdc6971f5e77e882b6"
}
)");
  std::string error;
  const auto back = parse_manifest(manifest_json(m), error);
  REQUIRE(back);
  CHECK(manifest_json(*back) == manifest_json(m));

  CampaignManifest no_id = m;
  no_id.build_id.clear();
  CHECK(manifest_json(no_id).find(R"("build_id": null)") != std::string::npos);
  const auto back_no_id = parse_manifest(manifest_json(no_id), error);
  REQUIRE(back_no_id);
  CHECK(back_no_id->build_id.empty());

  CHECK_FALSE(parse_manifest("{", error));
  CHECK(error.find("not JSON") == 0);
  CHECK_FALSE(parse_manifest(replaced(manifest_json(m), "\"index\": 2", "\"index\": 4"), error));
  CHECK(error == "not a campaign manifest: its seeds or its shard are impossible");
}

TEST_CASE("campaign manifest: the build id is this binary's GNU build id", "[campaign]") {
  const std::string id = own_build_id();
  // Debian's toolchain links every binary with a build id (a SHA-1: 40 hex digits).
  CHECK(id.size() == 40);
  CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(own_build_id() == id);
}

TEST_CASE("campaign manifest: SHA-256 as sha256sum prints it", "[campaign]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1'000'000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Lengths about a block's end, where the padding takes one block or two.
  CHECK(sha256_hex(std::string(55, 'x')) != sha256_hex(std::string(56, 'x')));
}
