#include "sim/cli.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

#include "guest/assembler.hpp"
#include "guest/program_file.hpp"
#include "sim/campaign/campaign_merge.hpp"
#include "sim/campaign/campaign_runner.hpp"
#include "sim/campaign/file_io.hpp"
#include "sim/campaign/grade_command.hpp"
#include "sim/campaign/shrink_command.hpp"
#include "sim/campaign/sweep_runner.hpp"
#include "sim/disk_command.hpp"
#include "sim/report/explain.hpp"
#include "sim/report/pair_table.hpp"
#include "sim/report/protocol_log.hpp"
#include "sim/run/colour.hpp"
#include "sim/run/library_home.hpp"
#include "sim/run/run_command.hpp"
#include "sim/view/event_log.hpp"
#include "sim/view/perfetto.hpp"

namespace po = boost::program_options;

namespace pairsim::sim {

namespace {

const char* const usage_text =
    "usage: pairsim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run SCENARIO     simulate a scenario and check its expectations\n"
    "  campaign SCENARIO --seeds A..B\n"
    "                   run a scenario once per seed, many at a time, and keep the failing seeds\n"
    "  campaign merge SHARD_DIR... --out DIR\n"
    "                   join the folders of a campaign's shards into the whole campaign's\n"
    "  pin SCENARIO --seed S\n"
    "                   print the scenario with every random draw of that seed made\n"
    "  shrink SCENARIO --seed S\n"
    "                   reduce a failing seed to the fewest faults that still fail, as a scenario\n"
    "  sweep SCENARIO --moments N\n"
    "                   move one `at random` fault over its window in N steps, one run per moment\n"
    "  explore SCENARIO [--line L]\n"
    "                   run one fault at every distinct moment: at each state change and between\n"
    "  grade LAB SUBMISSION\n"
    "                   grade a student's program on a lab's checks (scenarios/labs/) and print the score\n"
    "  asm FILE         assemble a guest program\n"
    "  disasm FILE      disassemble a guest program (source or object file)\n"
    "  table TRACE      print the life of a process pair from an event trace\n"
    "  export perfetto TRACE -o FILE\n"
    "                   write an event trace as trace-event JSON for ui.perfetto.dev\n"
    "  disk create|ls|dump|check IMAGE\n"
    "                   make, list, dump or check a disk image file\n"
    "\n"
    "  pairsim help [COMMAND] | version | <command> --help\n"
    "  --color=never|auto|always   colour on a terminal (auto; NO_COLOR turns it off)\n"
    "\n"
    "exit codes: 0 every expectation held; 1 an expectation failed; 2 bad input or usage; 3 internal error;\n"
    "            130 a campaign, sweep or exploration interrupted\n";

// The command being parsed, for its usage after an error: its options' caption ("pairsim run SCENARIO
// [options]") and its name as `pairsim help` takes it.
const po::options_description* command_desc = nullptr;
std::string command_name;

const char* const command_names[] = {"run", "campaign", "pin",   "shrink", "sweep", "explore", "grade",
                                     "asm", "disasm",   "table", "export", "disk",  "help",    "version"};

// Levenshtein distance, for "did you mean".
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The candidate nearest to `word`, if it is near enough to be what was meant; "" otherwise.
std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    const bool prefix = word.size() >= 3 && c.compare(0, word.size(), word) == 0;
    if (d < best_d || (prefix && best.empty())) {
      best = c;
      best_d = prefix ? 0 : d;
    }
  }
  return best;
}

int usage_error(const std::string& msg) {
  std::cerr << "pairsim: " << error_word(STDERR_FILENO) << ": " << msg << "\n";
  if (command_desc == nullptr) {
    std::cerr << usage_text;
    return exit_bad_input;
  }
  std::ostringstream printed;  // Boost keeps the caption to itself: it is the first line it prints, with a ':'
  printed << *command_desc;
  std::string caption = printed.str().substr(0, printed.str().find('\n'));
  if (!caption.empty() && caption.back() == ':') caption.pop_back();
  std::cerr << "usage: " << caption << "\n(pairsim help " << command_name << " lists its options)\n";
  return exit_bad_input;
}

// Parses the arguments after the command's `words` (argv[1..words]) against `desc`, with one positional
// argument (or, with `positional_count` -1, any number). Returns the exit code to stop with (after a usage
// error, or after printing the help that was asked for), or nullopt to go on.
std::optional<int> parse(int argc, char* argv[], const po::options_description& desc, const char* positional_name,
                         po::variables_map& vm, int positional_count = 1, int words = 1) {
  po::positional_options_description pos;
  pos.add(positional_name, positional_count);
  command_desc = &desc;
  command_name.clear();
  for (int i = 1; i <= words && i < argc; ++i) command_name += (i > 1 ? " " : "") + std::string(argv[i]);
  try {
    po::store(po::command_line_parser(argc - words, argv + words).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    std::vector<std::string> names;
    for (const auto& o : desc.options())
      if (!o->long_name().empty() && o->long_name() != positional_name) names.push_back("--" + o->long_name());
    names.push_back("--color");  // every command has it (cli_main takes it out first)
    std::string given = e.get_option_name();
    given = given.substr(0, given.find('='));
    const std::string meant = nearest(given, names);
    return usage_error("unknown option '" + given + "'" + (meant.empty() ? "" : " (did you mean '" + meant + "'?)"));
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return exit_ok;
  }
  return std::nullopt;
}

// A whole number from `lo` to `hi`, read by hand: Boost would take "-1" as 18446744073709551615.
std::optional<std::uint64_t> parse_whole(const std::string& text, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || v < lo || v > hi) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_seed(const std::string& seed) {
  return parse_whole(seed, 0, ~0ull);
}

const char* const bad_seed = "--seed takes a whole number from 0 to 18446744073709551615, not '";

// --timeout: host seconds above 0, up to a year; decimals allowed. The digits check keeps out strtod's "inf",
// "nan" and hex forms.
std::optional<double> parse_timeout(const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string::npos || *end != '\0' || !(v > 0) ||
      v > 31536000)
    return std::nullopt;
  return v;
}

const char* const bad_timeout = "--timeout takes a number of seconds above 0, such as 300 or 0.5, not '";

int cmd_run(int argc, char* argv[]) {
  RunOptions o;
  std::string seed;
  po::options_description desc("pairsim run SCENARIO [options]");
  desc.add_options()("help,h", "this help")("scenario", po::value(&o.scenario), "the scenario file (.scn)")(
      "seed", po::value(&seed), "seed of the run's random generator (overrides the scenario's `seed`)")(
      "vcd", po::value(&o.vcd), "write a VCD waveform to FILE")(
      "trace", po::value(&o.trace),
      "write the event trace (JSON lines) to FILE ('-': standard output, the report then to standard error)")(
      "perfetto", po::value(&o.perfetto), "write the run as trace-event JSON (ui.perfetto.dev) to FILE")(
      "html", po::value(&o.html), "write the run as one self-contained HTML page to FILE")(
      "json", po::bool_switch(&o.json), "print the summary as one JSON object")(
      "table", po::bool_switch(&o.table), "also print the life of each process pair as a table")(
      "pair", po::value(&o.pair), "with --table: only this pair ($NAME)")(
      "all", po::bool_switch(&o.table_all), "with --table: every row (a steady state's rows are folded otherwise)")(
      "explain", po::bool_switch(&o.explain), "also explain each detection and takeover, step by step")(
      "log-level", po::value(&o.log_level), "trace, debug, info, warn (default), error, critical, off");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "scenario", vm)) return *stop;
  if (o.scenario.empty()) return usage_error("run needs a scenario file");
  if (vm.count("seed")) {
    o.seed = parse_seed(seed);
    if (!o.seed) return usage_error(bad_seed + seed + "'");
  }
  if (!o.vcd.empty() && (o.vcd.size() < 5 || o.vcd.compare(o.vcd.size() - 4, 4, ".vcd") != 0))
    return usage_error("the --vcd file's name must end in .vcd, not '" + o.vcd + "'");
  return run_scenario(o);
}

int cmd_campaign_merge(int argc, char* argv[]) {
  MergeOptions o;
  o.program = argv[0];
  po::options_description desc(
      "pairsim campaign merge SHARD_DIR... --out DIR\n"
      "\n"
      "Joins the folders of shards 0/N … N-1/N of one campaign (same scenario, seeds and build) into DIR, as\n"
      "one campaign over the whole range writes it: results.jsonl and summary.json byte for byte, timing.jsonl,\n"
      "campaign.json and the seed-S folders. docs/campaigns.md has the details.\n"
      "exit codes: 0 every seed held; 1 some seed failed, timed out or crashed; 2 the folders are not the\n"
      "shards of one finished campaign (the error says what is wrong), or bad usage.\n"
      "\n"
      "options");
  desc.add_options()("help,h", "this help")("shards", po::value(&o.shard_dirs), "the shards' folders")(
      "out,o", po::value(&o.out_dir), "DIR, the merged campaign's folder");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "shards", vm, -1, 2)) return *stop;
  if (o.shard_dirs.empty()) return usage_error("campaign merge needs the shards' folders, such as shards/shard-*");
  if (o.out_dir.empty()) return usage_error("campaign merge needs --out DIR, the folder of the merged campaign");
  return merge_campaign(o);
}

int cmd_campaign(int argc, char* argv[]) {
  // A scenario file named merge is ./merge.
  if (argc > 2 && std::string(argv[2]) == "merge") return cmd_campaign_merge(argc, argv);
  CampaignOptions o;
  o.program = argv[0];
  std::string seeds, shard, jobs, timeout;
  po::options_description desc(
      "pairsim campaign SCENARIO --seeds A..B [options]\n"
      "\n"
      "Runs SCENARIO once per seed, each run a `pairsim run SCENARIO --seed S --json` of its own, and writes\n"
      "DIR/results.jsonl (one line per seed, in seed order), DIR/summary.json, DIR/timing.jsonl, and for each\n"
      "seed that did not hold DIR/seed-S/ with its trace and replay.sh. docs/campaigns.md has the details.\n"
      "exit codes: 0 every seed held; 1 some seed failed, timed out or crashed; 2 bad input or usage;\n"
      "130 interrupted (Ctrl-C, SIGTERM): what finished is written.\n"
      "`pairsim campaign merge SHARD_DIR... --out DIR` joins the folders of --shard 0/N … N-1/N.\n"
      "\n"
      "options");
  desc.add_options()("help,h", "this help")("scenario", po::value(&o.scenario), "the scenario file (.scn)")(
      "seeds", po::value(&seeds), "the seeds to run: FIRST..LAST, both included (1..1000), or one seed")(
      "jobs,j", po::value(&jobs), "runs at a time (default: one per core)")(
      "out,o", po::value(&o.out_dir), "DIR, the campaign's folder (default: campaign-NAME, NAME the scenario's)")(
      "timeout", po::value(&timeout), "host seconds a run may take before it is killed, verdict timeout (default 300)")(
      "shard", po::value(&shard), "I/N: run only the seeds s with (s - FIRST) % N == I (0/4 … 3/4)");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "scenario", vm)) return *stop;
  if (o.scenario.empty()) return usage_error("campaign needs a scenario file");
  if (!vm.count("seeds")) return usage_error("campaign needs --seeds FIRST..LAST, such as --seeds 1..100");
  std::string err;
  auto range = parse_seed_range(seeds, err);
  if (!range) return usage_error(err);
  o.seeds = *range;
  if (vm.count("shard")) {
    auto s = parse_shard(shard, err);
    if (!s) return usage_error(err);
    o.shard = *s;
  }
  if (vm.count("jobs")) {
    auto v = parse_whole(jobs, 1, 1024);
    if (!v) return usage_error("--jobs takes a whole number from 1 to 1024, not '" + jobs + "'");
    o.jobs = static_cast<unsigned>(*v);
  }
  if (vm.count("timeout")) {
    const auto v = parse_timeout(timeout);
    if (!v) return usage_error(bad_timeout + timeout + "'");
    o.timeout_seconds = *v;
  }
  return run_campaign(o);
}

int cmd_pin(int argc, char* argv[]) {
  PinOptions o;
  std::string seed;
  po::options_description desc(
      "pairsim pin SCENARIO [--seed S] [--out FILE]\n"
      "\n"
      "Prints SCENARIO with every random draw of seed S made: each `at` statement becomes the `at T ACTION`\n"
      "lines it drew, menus and the `seed` line go, all else stays. The result runs the same run as\n"
      "`pairsim run SCENARIO --seed S`, with nothing left to draw.\n"
      "\n"
      "options");
  desc.add_options()("help,h", "this help")("scenario", po::value(&o.scenario), "the scenario file (.scn)")(
      "seed", po::value(&seed), "the seed (default: the scenario's `seed`, or 1)")(
      "out,o", po::value(&o.out), "write the scenario to FILE instead of standard output");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "scenario", vm)) return *stop;
  if (o.scenario.empty()) return usage_error("pin needs a scenario file");
  if (vm.count("seed")) {
    o.seed = parse_seed(seed);
    if (!o.seed) return usage_error(bad_seed + seed + "'");
  }
  return run_pin(o);
}

int cmd_shrink(int argc, char* argv[]) {
  ShrinkOptions o;
  o.program = argv[0];
  std::string seed, timeout;
  po::options_description desc(
      "pairsim shrink SCENARIO --seed S [--out FILE]\n"
      "\n"
      "Runs SCENARIO with seed S, which must not hold, then again and again with fewer of its faults, each as\n"
      "late as it still fails the same way, and writes the smallest such run as a scenario of its own (to\n"
      "standard output, or FILE). Progress goes to standard error. docs/campaigns.md has the details.\n"
      "exit codes: 0 shrunk; 2 bad input, or the seed holds.\n"
      "\n"
      "options");
  desc.add_options()("help,h", "this help")("scenario", po::value(&o.scenario), "the scenario file (.scn)")(
      "seed", po::value(&seed), "the failing seed (default: the scenario's `seed`, or 1)")(
      "out,o", po::value(&o.out), "write the shrunk scenario to FILE")("timeout", po::value(&timeout),
                                                                       "host seconds one run may take (default 300)")(
      "quiet,q", po::bool_switch(&o.quiet), "no progress on standard error");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "scenario", vm)) return *stop;
  if (o.scenario.empty()) return usage_error("shrink needs a scenario file");
  if (vm.count("seed")) {
    o.seed = parse_seed(seed);
    if (!o.seed) return usage_error(bad_seed + seed + "'");
  }
  if (vm.count("timeout")) {
    const auto v = parse_timeout(timeout);
    if (!v) return usage_error(bad_timeout + timeout + "'");
    o.timeout_seconds = *v;
  }
  return run_shrink(o);
}

// `pairsim sweep` and `pairsim explore`: the same options, but a sweep's --moments.
int cmd_sweep(int argc, char* argv[], bool explore) {
  SweepOptions o;
  o.explore = explore;
  o.program = argv[0];
  std::string line, seed, jobs, timeout, moment, max_moments;
  po::options_description desc(
      explore
          ? "pairsim explore SCENARIO [--line L] [options]\n"
            "\n"
            "Runs SCENARIO once for every distinct moment of one fault: the `at` statement on line L (by default the\n"
            "only `at random A..B` one) at each state change of the run without it (a message sent or received,\n"
            "a checkpoint, an output, a process started or stopped, a takeover, …) in its window A..B (the whole\n"
            "run for a fixed `at T`), between each two of them, and at the window's ends. The runs are forked from\n"
            "one simulation of the beginning they share. Writes DIR/results.jsonl (one line per moment, in time\n"
            "order), DIR/summary.json, and DIR/moment-K/ for each moment that did not hold. docs/campaigns.md has\n"
            "the details.\n"
            "exit codes: 0 every moment held; 1 some moment failed, timed out or crashed; 2 bad input or usage;\n"
            "130 interrupted (Ctrl-C, SIGTERM): what finished is written.\n"
            "\n"
            "options"
          : "pairsim sweep SCENARIO --moments N [--line L] [options]\n"
            "\n"
            "Runs SCENARIO N times, the `at random A..B` statement on line L (by default the only one) at moment\n"
            "k = A + k(B-A)/(N-1), k = 0 … N-1, every other draw the seed's. The runs are forked from one simulation\n"
            "of the beginning they share. Writes DIR/results.jsonl (one line per moment, in moment order),\n"
            "DIR/summary.json, and DIR/moment-K/ for each moment that did not hold. docs/campaigns.md has the\n"
            "details.\n"
            "exit codes: 0 every moment held; 1 some moment failed, timed out or crashed; 2 bad input or usage;\n"
            "130 interrupted (Ctrl-C, SIGTERM): what finished is written.\n"
            "\n"
            "options");
  desc.add_options()("help,h", "this help")("scenario", po::value(&o.scenario), "the scenario file (.scn)");
  if (!explore)
    desc.add_options()("moments", po::value(&o.moments), "N, how many moments (1 … 1000000)");
  else
    desc.add_options()("max-moments", po::value(&max_moments), "stop after this many moments (default 100000)");
  desc.add_options()("line", po::value(&line), "L, the line of the `at` statement to move")(
      "seed", po::value(&seed), "the seed of every other draw (default: the scenario's `seed`, or 1)")(
      "jobs,j", po::value(&jobs), "runs at a time (default: one per core)")(
      "out,o", po::value(&o.out_dir),
      explore ? "DIR (default: explore-NAME, NAME the scenario's)" : "DIR (default: sweep-NAME, NAME the scenario's)")(
      "timeout", po::value(&timeout), "host seconds a run may take before it is killed, verdict timeout (default 300)")(
      "separate", po::bool_switch(&o.separate), "run each moment as a process of its own, from the start")(
      "moment", po::value(&moment), "K: run moment K alone and report it as `pairsim run` does (the replay)")(
      "json", po::bool_switch(&o.run.json), "with --moment: print the summary as one JSON object")(
      "trace", po::value(&o.run.trace), "with --moment: write the event trace to FILE")(
      "vcd", po::value(&o.run.vcd), "with --moment: write a VCD waveform to FILE")(
      "table", po::bool_switch(&o.run.table), "with --moment: also print the life of each process pair")(
      "pair", po::value(&o.run.pair), "with --moment --table: only this pair ($NAME)")(
      "log-level", po::value(&o.run.log_level), "trace, debug, info, warn (default), error, critical, off");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "scenario", vm)) return *stop;
  const std::string name = explore ? "explore" : "sweep";
  if (o.scenario.empty()) return usage_error(name + " needs a scenario file");
  if (spdlog::level::from_str(o.run.log_level) == spdlog::level::off && o.run.log_level != "off")
    return usage_error("unknown log level '" + o.run.log_level + "' (trace, debug, info, warn, error, critical, off)");
  if (!explore && !vm.count("moments")) return usage_error("sweep needs --moments N, such as --moments 100");
  if (vm.count("line")) {
    auto v = parse_whole(line, 1, 1000000000);
    if (!v) return usage_error("--line takes the number of a line of the scenario, not '" + line + "'");
    o.line = static_cast<int>(*v);
  }
  if (vm.count("seed")) {
    o.seed = parse_seed(seed);
    if (!o.seed) return usage_error(bad_seed + seed + "'");
  }
  if (vm.count("max-moments")) {
    auto v = parse_whole(max_moments, 1, 100000000);
    if (!v) return usage_error("--max-moments takes a whole number from 1 to 100000000, not '" + max_moments + "'");
    o.max_moments = *v;
  }
  if (vm.count("jobs")) {
    auto v = parse_whole(jobs, 1, 1024);
    if (!v) return usage_error("--jobs takes a whole number from 1 to 1024, not '" + jobs + "'");
    o.jobs = static_cast<unsigned>(*v);
  }
  if (vm.count("timeout")) {
    const auto v = parse_timeout(timeout);
    if (!v) return usage_error(bad_timeout + timeout + "'");
    o.timeout_seconds = *v;
  }
  const bool run_options =
      o.run.json || o.run.table || !o.run.trace.empty() || !o.run.vcd.empty() || !o.run.pair.empty();
  if (vm.count("moment")) {
    o.moment = parse_whole(moment, 0, ~0ull);
    if (!o.moment) return usage_error("--moment takes the index of a moment, 0 or more, not '" + moment + "'");
    if (o.separate) return usage_error("--moment runs one moment; --separate is for the whole " + name);
    if (o.run.table && o.run.json) return usage_error("--table prints text; it cannot be combined with --json");
    if (!o.run.pair.empty() && !o.run.table) return usage_error("--pair goes with --table");
    if (!o.run.vcd.empty() && (o.run.vcd.size() < 5 || o.run.vcd.compare(o.run.vcd.size() - 4, 4, ".vcd") != 0))
      return usage_error("the --vcd file's name must end in .vcd, not '" + o.run.vcd + "'");
  } else if (run_options) {
    return usage_error("--json, --trace, --vcd, --table and --pair go with --moment K (one moment's run)");
  }
  return run_sweep(o);
}

int cmd_asm(int argc, char* argv[]) {
  std::string file, out;
  bool listing = false;
  po::options_description desc("pairsim asm FILE [-o OUT] [--listing]");
  desc.add_options()("help,h", "this help")("file", po::value(&file), "the source (.pasm or .ptal)")(
      "output,o", po::value(&out), "write the object file (.pobj) to OUT")(
      "listing", po::bool_switch(&listing), "print the listing: address, words, source line");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "file", vm)) return *stop;
  if (file.empty()) return usage_error("asm needs a source file");
  std::vector<std::string> warnings;
  auto result = guest::build_source_file(file, {library_guest_lib()}, listing, &warnings);
  for (const auto& w : warnings) std::cerr << w << "\n";
  if (!result.program) {
    for (const auto& d : result.errors) std::cerr << d.str() << "\n";
    return exit_bad_input;
  }
  if (listing) std::cout << result.listing;
  if (!out.empty()) {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!f) {
      std::cerr << "pairsim: error: cannot write '" << out << "'\n";
      return exit_bad_input;
    }
    f << guest::serialize(*result.program);
    if (!f.flush()) {  // a full disk shows only when the bytes leave the buffer
      std::cerr << "pairsim: error: cannot write '" << out << "': " << std::strerror(errno) << "\n";
      return exit_internal;
    }
  }
  if (!listing && out.empty())
    std::cout << file << ": " << result.program->code.size() << " code words, " << result.program->data_words
              << " data words\n";
  return exit_ok;
}

int cmd_disasm(int argc, char* argv[]) {
  std::string file;
  po::options_description desc("pairsim disasm FILE");
  desc.add_options()("help,h", "this help")("file", po::value(&file), "a source (.pasm, .ptal) or object (.pobj) file");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "file", vm)) return *stop;
  if (file.empty()) return usage_error("disasm needs a file");
  auto result = guest::load_program_file(file, {library_guest_lib()});
  if (!result.program) {
    for (const auto& d : result.errors) std::cerr << d.str() << "\n";
    return exit_bad_input;
  }
  const auto& prog = result.program;
  std::cout << guest::disassemble(*prog);
  return exit_ok;
}

int cmd_table(int argc, char* argv[]) {
  std::string file, pair;
  bool all = false;
  bool explain = false;
  po::options_description desc("pairsim table TRACE [--pair $NAME] [--all] [--explain]");
  desc.add_options()("help,h", "this help")("trace", po::value(&file), "an event trace written by run --trace")(
      "pair", po::value(&pair), "only this pair")("all", po::bool_switch(&all),
                                                  "every row (a steady state's rows are folded otherwise)")(
      "explain", po::bool_switch(&explain), "also explain each detection and takeover, step by step");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "trace", vm)) return *stop;
  if (file.empty()) return usage_error("table needs a trace file");
  std::vector<TraceEvent> events;
  std::string error;
  if (!read_trace_file(file, events, error)) {
    std::cerr << error << "\n";
    return exit_bad_input;
  }
  std::string err;
  const std::string out = pair_tables(events, pair, err, all);
  if (!err.empty()) {
    std::cerr << file << ": error: " << err << "\n";
    return exit_bad_input;
  }
  std::cout << out;
  if (explain) {
    ProtocolLog log;
    for (const auto& e : events) log.on_event(e);
    std::cout << explain_text(log, std::nullopt);  // a trace does not say the heartbeat period
  }
  return exit_ok;
}

int cmd_export(int argc, char* argv[]) {
  std::string file, out;
  po::options_description desc(
      "pairsim export perfetto TRACE -o FILE\n"
      "\n"
      "Writes an event trace (run --trace) as trace-event JSON that ui.perfetto.dev and chrome://tracing load,\n"
      "the file `run --perfetto` writes. docs/inspect.md describes it.\n"
      "\n"
      "options");
  desc.add_options()("help,h", "this help")("trace", po::value(&file), "an event trace written by run --trace")(
      "output,o", po::value(&out), "the file to write");
  const std::string format = argc > 2 ? argv[2] : "";
  if (format == "--help" || format == "-h") {
    std::cout << desc << "\n";
    return exit_ok;
  }
  if (format != "perfetto")
    return usage_error("export writes one format, perfetto: pairsim export perfetto TRACE -o FILE");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, "trace", vm, 1, 2)) return *stop;
  if (file.empty()) return usage_error("export needs a trace file");
  if (out.empty()) return usage_error("export needs an output file: -o FILE");
  std::vector<TraceEvent> events;
  std::string error;
  if (!read_trace_file(file, events, error)) {
    std::cerr << error << "\n";
    return exit_bad_input;
  }
  if (!write_file(out, perfetto_json(events))) {
    std::cerr << "pairsim: error: cannot write '" << out << "'\n";
    return exit_bad_input;
  }
  return exit_ok;
}

}  // namespace

int cli_main(int argc_in, char* argv_in[]) {
  // --color=WHEN (or --color WHEN) is taken out wherever it stands: every command has it.
  std::vector<char*> args;
  for (int i = 0; i < argc_in; ++i) {
    const std::string a = argv_in[i];
    if (a == "--color" || a == "--colour" || a.rfind("--color=", 0) == 0 || a.rfind("--colour=", 0) == 0) {
      std::string when;
      if (a.find('=') != std::string::npos)
        when = a.substr(a.find('=') + 1);
      else if (i + 1 < argc_in)
        when = argv_in[++i];
      ColourMode mode;
      if (!parse_colour_mode(when, mode)) {  // one line says it all: no usage of a command not yet known
        std::cerr << "pairsim: " << error_word(STDERR_FILENO) << ": --color takes never, auto or always, not '" << when
                  << "'\n";
        return exit_bad_input;
      }
      set_colour_mode(mode);
      continue;
    }
    args.push_back(argv_in[i]);
  }
  args.push_back(nullptr);
  const int argc = static_cast<int>(args.size()) - 1;
  char** argv = args.data();
  if (argc < 2) return usage_error("no command given");
  std::string cmd = argv[1];
  if (cmd == "help" && argc >= 3) {  // pairsim help CMD: that command's own help
    std::string help_flag = "--help";
    std::vector<char*> h{argv[0], argv[2]};
    if (argc >= 4 && std::string(argv[2]) == "campaign" && std::string(argv[3]) == "merge") h.push_back(argv[3]);
    h.push_back(help_flag.data());
    h.push_back(nullptr);
    const std::string sub = argv[2];
    if (std::find(std::begin(command_names), std::end(command_names), sub) == std::end(command_names)) {
      const std::string meant = nearest(sub, {std::begin(command_names), std::end(command_names)});
      return usage_error("unknown command '" + sub + "'" + (meant.empty() ? "" : " (did you mean '" + meant + "'?)"));
    }
    if (sub == "help" || sub == "version")
      cmd = sub;
    else
      return cli_main(static_cast<int>(h.size()) - 1, h.data());
  }
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::cout << "pairsim " << PAIRSIM_VERSION
              << " — a simulator of a Tandem-style fault-tolerant multicomputer with process pairs\n\n"
              << usage_text;
    return exit_ok;
  }
  if (cmd == "--version" || cmd == "version") {
    std::cout << "pairsim " << PAIRSIM_VERSION << "\n";
    return exit_ok;
  }
  // The commands that read programs or scenarios from the library need one; their help, and the commands
  // that read only files they are given (table, export, disk, campaign merge), do not.
  const bool wants_help = std::any_of(
      argv + 2, argv + argc, [](const char* a) { return std::strcmp(a, "-h") == 0 || std::strcmp(a, "--help") == 0; });
  const bool merge = cmd == "campaign" && argc > 2 && std::strcmp(argv[2], "merge") == 0;
  const bool uses_library = cmd == "run" || cmd == "campaign" || cmd == "pin" || cmd == "shrink" || cmd == "sweep" ||
                            cmd == "explore" || cmd == "grade" || cmd == "asm" || cmd == "disasm";
  if (uses_library && !merge && !wants_help) {
    if (auto bad_home = library_home_error()) {
      std::cerr << "pairsim: error: " << *bad_home << "\n";
      return exit_bad_input;
    }
  }
  if (cmd == "run") return cmd_run(argc, argv);
  if (cmd == "campaign") return cmd_campaign(argc, argv);
  if (cmd == "pin") return cmd_pin(argc, argv);
  if (cmd == "shrink") return cmd_shrink(argc, argv);
  if (cmd == "sweep") return cmd_sweep(argc, argv, false);
  if (cmd == "explore") return cmd_sweep(argc, argv, true);
  if (cmd == "grade") return run_grade(argc, argv);
  if (cmd == "asm") return cmd_asm(argc, argv);
  if (cmd == "disasm") return cmd_disasm(argc, argv);
  if (cmd == "table") return cmd_table(argc, argv);
  if (cmd == "export") return cmd_export(argc, argv);
  if (cmd == "disk") return run_disk(argc, argv);
  const std::string meant = nearest(cmd, {std::begin(command_names), std::end(command_names)});
  return usage_error("unknown command '" + cmd + "'" + (meant.empty() ? "" : " (did you mean '" + meant + "'?)"));
}

}  // namespace pairsim::sim
