#include "sim/scenario/scenario_parser.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <sstream>

#include "guest/process_name.hpp"
#include "guest/text_file.hpp"
#include "io/volume_layout.hpp"
#include "sim/scenario/duration.hpp"
#include "sim/scenario/scenario_lexer.hpp"

namespace pairsim::sim {
namespace {

constexpr int min_cpus = 2;
constexpr int max_cpus = 16;
constexpr std::uint64_t min_memory = 64u << 10;
constexpr std::uint64_t max_memory = 64u << 20;  // 16 CPUs of it must still fit in a host's memory
// Simulated time is an sc_time of picoseconds; keep every time far inside its range.
constexpr std::uint64_t max_time_ns = 1'000'000ull * 1'000'000'000ull;
constexpr double min_mips = 0.001;
constexpr std::int64_t max_pick = 1000;  // faults one `pick` draws
constexpr double max_mips = 100000;
constexpr std::int64_t min_volume_blocks = 64;
constexpr std::int64_t max_volume_blocks = 1'048'576;  // 4 GiB of 4 KiB blocks
constexpr std::int64_t max_controller = 255;
constexpr std::uint64_t min_bus = 1'000;                 // bytes/s: a 32-byte packet in 32 ms
constexpr std::uint64_t max_bus = 1'000'000'000'000ull;  // as the bus model accepts (bus/bus_types.hpp)
// heartbeat: at least 1ms — below that, 16 CPUs' I'm-alive messages alone would fill the buses.
// ack-timeout: at least 10us — a few packet times, or no acknowledgement could ever arrive in time.

// Thrown inside one statement and caught at its end: a statement reports its first error only.
struct StatementError {
  int col;
  std::string message;
};

[[noreturn]] void fail(int col, std::string message) {
  throw StatementError{col, std::move(message)};
}

std::string describe(const ScenarioToken& tok) {
  if (!tok.is_string) return quote_token(tok.text);
  std::string shown = quote_token(tok.text);
  return "the string \"" + shown.substr(1, shown.size() - 2) + "\"";
}

std::string join(std::initializer_list<std::string_view> words) {
  std::string out;
  for (std::string_view w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}

// Reads one statement's tokens left to right.
class Cursor {
 public:
  explicit Cursor(const ScenarioLine& line) : line_(line) {}

  bool at_end() const { return pos_ >= line_.tokens.size(); }
  const ScenarioToken* peek() const { return at_end() ? nullptr : &line_.tokens[pos_]; }
  int end_col() const { return line_.tokens.empty() ? 1 : line_.tokens.back().end_col; }

  const ScenarioToken& take(std::string_view expected) {
    if (at_end()) fail(end_col(), "expected " + std::string(expected) + ", but the statement ends here");
    return line_.tokens[pos_++];
  }
  // A word (not a "string").
  const ScenarioToken& word(std::string_view expected) {
    const ScenarioToken& tok = take(expected);
    if (tok.is_string) fail(tok.col, "expected " + std::string(expected) + ", found " + describe(tok));
    return tok;
  }
  const ScenarioToken& string(std::string_view expected) {
    const ScenarioToken& tok = take(expected);
    if (!tok.is_string)
      fail(tok.col, "expected " + std::string(expected) + " in double quotes, found " + describe(tok));
    return tok;
  }
  bool accept(std::string_view w) {
    if (at_end() || line_.tokens[pos_].is_string || line_.tokens[pos_].text != w) return false;
    ++pos_;
    return true;
  }
  // One of `words`; `where` completes "expected one of: ... <where>".
  const ScenarioToken& keyword(std::initializer_list<std::string_view> words, std::string_view where) {
    std::string expected = (words.size() == 1 ? "'" + join(words) + "'" : "one of: " + join(words)) +
                           (where.empty() ? "" : " " + std::string(where));
    const ScenarioToken& tok = take(expected);
    if (!tok.is_string && std::find(words.begin(), words.end(), tok.text) != words.end()) return tok;
    fail(tok.col, "expected " + expected + ", found " + describe(tok));
  }
  void expect_end() {
    if (!at_end()) fail(peek()->col, "unexpected " + describe(*peek()) + " after a complete statement");
  }

 private:
  const ScenarioLine& line_;
  std::size_t pos_ = 0;
};

std::uint64_t time_of(const ScenarioToken& tok) {
  Quantity q = parse_duration(tok.text);
  if (!q.ok()) fail(tok.col, q.error);
  if (q.value > max_time_ns) fail(tok.col, "times go up to 1000000s (about 11.6 days), not " + tok.text);
  return q.value;
}

// A time above 0 and, when `at_least` is given, at least that long ("1ms").
std::uint64_t positive_time(Cursor& in, std::string_view what, std::string_view at_least = {}) {
  const ScenarioToken& tok = in.word("a time such as 1.5s or 250ms");
  std::uint64_t t = time_of(tok);
  if (t == 0) fail(tok.col, std::string(what) + " must be longer than 0s");
  if (!at_least.empty() && t < parse_duration(std::string(at_least)).value)
    fail(tok.col, std::string(what) + " must be at least " + std::string(at_least) + ", not " + tok.text);
  return t;
}

std::int64_t int_in_range(Cursor& in, std::int64_t lo, std::int64_t hi, const std::string& what) {
  const ScenarioToken& tok = in.word("a whole number for " + what);
  Integer n = parse_integer(tok.text);
  if (!n.valid) fail(tok.col, "expected a whole number for " + what + ", found " + describe(tok));
  if (n.overflow || n.value < lo || n.value > hi)
    fail(tok.col, what + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", not " + tok.text);
  return n.value;
}

// "A..B": both halves parsed by `half`, which reports errors at the column it is given.
template <typename Half>
auto range_of(const ScenarioToken& tok, std::string_view example, Half half) {
  std::size_t dots = tok.text.find("..");
  if (dots == std::string::npos)
    fail(tok.col, "expected a range such as " + std::string(example) + ", found " + describe(tok));
  auto from = half(tok.text.substr(0, dots), tok.col);
  auto to = half(tok.text.substr(dots + 2), tok.col + static_cast<int>(dots) + 2);
  if (from > to) fail(tok.col, "the range " + tok.text + " starts after it ends");
  return std::make_pair(from, to);
}

class ScenarioParser {
 public:
  explicit ScenarioParser(std::string name) : name_(std::move(name)) { scenario_.path = name_; }

  ParseResult parse(std::string_view text) {
    ScenarioSource source = split_scenario(text);
    for (const ScenarioLine& line : source.lines) {
      if (line.error) {
        add_error(line.number, line.error->first, line.error->second);
        continue;
      }
      pending_ = Pending{};
      try {
        statement(line);
        commit(line.number);
      } catch (const StatementError& e) {
        add_error(line.number, e.col, e.message);
      }
    }
    check_whole_file(source.line_count);
    return finish();
  }

 private:
  // A volume named by an action or an expectation; drive -1 when none is named. Checked once every volume
  // statement is read.
  struct VolumeRef {
    SourceLoc loc;        // the volume's name
    SourceLoc drive_loc;  // the drive's number
    std::string volume;
    int drive = -1;
  };
  // What a statement adds to the cross-statement checks, kept only if the statement parses.
  struct Pending {
    bool names_cpu = false;
    std::string started_name;
    std::vector<std::pair<SourceLoc, std::string>> process_refs;
    struct TimeCheck {
      SourceLoc loc;
      std::uint64_t t_ns;
      bool may_equal_end;
      std::string what;
    };
    std::vector<TimeCheck> time_checks;
    std::vector<std::pair<SourceLoc, std::string>> picks;  // `pick N from MENU`: where, which menu
    std::vector<VolumeRef> volume_refs;
    std::vector<std::pair<SourceLoc, int>> controller_refs;
    std::vector<std::pair<SourceLoc, std::string>> random_io;  // `fail drive random` ("drive"), `… controller random`
  };

  SourceLoc loc(int line, int col) const { return SourceLoc{name_, line, col}; }
  SourceLoc here(int col) const { return loc(line_, col); }
  void add_error(int line, int col, std::string message) {
    errors_.push_back(ScenarioError{loc(line, col), std::move(message)});
  }

  void commit(int line) {
    if (pending_.names_cpu && first_cpu_line_ == 0) first_cpu_line_ = line;
    if (!pending_.started_name.empty()) started_.emplace(pending_.started_name, line);
    for (auto& r : pending_.process_refs) process_refs_.push_back(std::move(r));
    for (auto& c : pending_.time_checks) time_checks_.push_back(std::move(c));
    for (auto& p : pending_.picks) picks_.push_back(std::move(p));
    for (auto& r : pending_.volume_refs) volume_refs_.push_back(std::move(r));
    for (auto& r : pending_.controller_refs) controller_refs_.push_back(std::move(r));
    for (auto& r : pending_.random_io) random_io_.push_back(std::move(r));
  }

  void statement(const ScenarioLine& line) {
    line_ = line.number;
    Cursor in(line);
    const ScenarioToken& first = in.take("a statement");
    const std::string& w = first.is_string ? std::string() : first.text;
    if (w == "machine") {
      machine(in, first);
    } else if (w == "at") {
      TimedAction a;
      a.loc = here(first.col);
      a.text = line.text;
      at(in, a);
      in.expect_end();
      scenario_.actions.push_back(std::move(a));
    } else if (w == "start") {
      ProcessStart s{start_body(in), here(first.col), line.text};
      in.expect_end();
      scenario_.starts.push_back(std::move(s));
    } else if (w == "run") {
      run_attempted_ = true;  // a broken run statement is its own error, not also a missing one
      run(in, first, line.text);
    } else if (w == "expect") {
      Expectation e{expect(in), here(first.col), line.text};
      in.expect_end();
      scenario_.expectations.push_back(std::move(e));
    } else if (w == "seed") {
      seed(in, first);
    } else if (w == "menu") {
      menu(in, line.text, first.col);
    } else if (w == "volume") {
      volume(in, first, line.text);
    } else if (w == "terminal") {
      terminal(in, first, line.text);
    } else {
      std::string hint;
      if (w == "fail" || w == "repair" || w == "reload" || w == "revive" || w == "switch")
        hint = " (schedule it: 'at 2s " + w + " ...')";
      fail(first.col, "unknown statement " + describe(first) +
                          "; expected one of: machine, at, start, run, expect, seed, menu, volume, terminal" + hint);
    }
  }

  void machine(Cursor& in, const ScenarioToken& kw) {
    if (machine_line_ != 0) fail(kw.col, "machine given twice (first at line " + std::to_string(machine_line_) + ")");
    if (first_cpu_line_ != 0)
      fail(kw.col, "machine must come before the first statement that names a CPU (line " +
                       std::to_string(first_cpu_line_) + ")");
    MachineConfig m;
    std::map<std::string, int> seen;  // option -> its column
    while (!in.at_end()) {
      const ScenarioToken& opt = in.keyword({"cpus", "mips", "memory", "bus", "heartbeat", "quantum", "ack-timeout",
                                             "path-errors", "slice", "reload-time"},
                                            "as a machine option");
      if (!seen.emplace(opt.text, opt.col).second) fail(opt.col, "machine option '" + opt.text + "' given twice");
      if (opt.text == "cpus") {
        m.cpus = static_cast<int>(int_in_range(in, min_cpus, max_cpus, "cpus"));
      } else if (opt.text == "mips") {
        const ScenarioToken& tok = in.word("a number of MIPS such as 0.8");
        Decimal d = parse_decimal(tok.text);
        if (!d.ok()) fail(tok.col, d.error);
        if (d.value < min_mips || d.value > max_mips)
          fail(tok.col, "mips must be between 0.001 and 100000, not " + tok.text);
        m.mips = d.value;
      } else if (opt.text == "memory") {
        const ScenarioToken& tok = in.word("a memory size such as 2MiB");
        Quantity q = parse_size(tok.text);
        if (!q.ok()) fail(tok.col, q.error);
        if (q.value < min_memory) fail(tok.col, "memory must be at least 64KiB, not " + tok.text);
        if (q.value > max_memory) fail(tok.col, "memory must be at most 64MiB per CPU, not " + tok.text);
        if (q.value % 4 != 0) fail(tok.col, "memory must be a multiple of 4 bytes (whole words), not " + tok.text);
        m.memory_bytes = q.value;
      } else if (opt.text == "bus") {
        const ScenarioToken& tok = in.word("a bus bandwidth such as 13MB/s");
        Quantity q = parse_bandwidth(tok.text);
        if (!q.ok()) fail(tok.col, q.error);
        if (q.value < min_bus || q.value > max_bus)
          fail(tok.col, "bus bandwidth must be between 1KB/s and 1000GB/s, not " + tok.text);
        m.bus_bytes_per_second = q.value;
      } else if (opt.text == "heartbeat") {
        m.heartbeat_ns = positive_time(in, "heartbeat", "1ms");
      } else if (opt.text == "quantum") {
        m.quantum_ns = positive_time(in, "quantum");
      } else if (opt.text == "ack-timeout") {
        m.ack_timeout_ns = positive_time(in, "ack-timeout", "10us");
      } else if (opt.text == "path-errors") {
        m.path_errors = static_cast<int>(int_in_range(in, 1, 1000, "path-errors"));
      } else if (opt.text == "slice") {
        m.slice_ns = positive_time(in, "slice");
      } else {
        m.reload_ns = time_of(in.word("a time such as 100ms"));
      }
    }
    if (m.quantum_ns > m.heartbeat_ns) {
      int col = seen.count("quantum") ? seen["quantum"] : seen["heartbeat"];
      fail(col, "quantum (" + format_duration(m.quantum_ns) + ") must not be longer than the heartbeat (" +
                    format_duration(m.heartbeat_ns) + ")");
    }
    in.expect_end();
    scenario_.machine = m;
    machine_line_ = line_;
  }

  // `volume $NAME controllers C0 C1 cpus A B [mirrored | single] [image FILE] [blocks N]`
  void volume(Cursor& in, const ScenarioToken& kw, const std::string& text) {
    if (run_line_ != 0)
      fail(kw.col, "a volume statement must come before the run statement (line " + std::to_string(run_line_) + ")");
    VolumeSpec v;
    v.loc = here(kw.col);
    v.text = text;
    const ScenarioToken& name_tok = in.take("the volume's name, a process name such as $DATA");
    v.name = process_name(name_tok);
    if (auto it = volume_lines_.find(v.name); it != volume_lines_.end())
      fail(name_tok.col, "volume " + v.name + " is already defined at line " + std::to_string(it->second));
    if (auto it = started_.find(v.name); it != started_.end())
      fail(name_tok.col, "process " + v.name + " is already started at line " + std::to_string(it->second) +
                             ": a volume's disk process goes by the volume's name");
    bool has_controllers = false, has_cpus = false, has_kind = false, has_image = false, has_blocks = false;
    while (!in.at_end()) {
      const ScenarioToken& opt =
          in.keyword({"controllers", "cpus", "mirrored", "single", "image", "blocks"}, "in a volume statement");
      const bool kind = opt.text == "mirrored" || opt.text == "single";
      bool& seen = opt.text == "controllers" ? has_controllers
                   : opt.text == "cpus"      ? has_cpus
                   : kind                    ? has_kind
                   : opt.text == "image"     ? has_image
                                             : has_blocks;
      if (seen)
        fail(opt.col, kind ? "a volume is either mirrored or single, not both"
                           : "'" + opt.text + "' given twice in one volume statement");
      seen = true;
      if (opt.text == "controllers") {
        for (int i = 0; i < 2; ++i) {
          const ScenarioToken* at = in.peek();
          const int c = static_cast<int>(int_in_range(in, 0, max_controller, "a controller number"));
          if (i == 1 && c == v.controllers[0])
            fail(at->col, "a volume's two controllers must differ: both are " + std::to_string(c));
          if (auto it = controller_lines_.find(c); it != controller_lines_.end())
            fail(at->col, "controller " + std::to_string(c) + " already serves the volume at line " +
                              std::to_string(it->second));
          v.controllers[i] = c;
        }
      } else if (opt.text == "cpus") {
        for (int i = 0; i < 2; ++i) {
          const ScenarioToken* at = in.peek();
          const int c = cpu_number(in);
          if (i == 1 && c == v.cpus[0])
            fail(at->col, "a volume's two CPUs must differ (the disk process's primary and backup): both are " +
                              std::to_string(c));
          v.cpus[i] = c;
        }
      } else if (kind) {
        v.mirrored = opt.text == "mirrored";
      } else if (opt.text == "image") {
        const ScenarioToken& tok = in.take("an image file such as data.img");
        if (tok.text.empty()) fail(tok.col, "the image path is empty");
        v.image_as_written = tok.text;
        v.image = image_path(tok.text);
        for (const auto& other : scenario_.volumes)
          if (other.image == v.image)
            fail(tok.col, "the image " + tok.text + " already holds volume " + other.name + " (line " +
                              std::to_string(other.loc.line) + ")");
      } else {
        v.blocks = static_cast<std::uint32_t>(int_in_range(in, min_volume_blocks, max_volume_blocks, "blocks"));
      }
    }
    if (!has_controllers) fail(in.end_col(), "a volume statement needs 'controllers C0 C1'");
    if (!has_cpus) fail(in.end_col(), "a volume statement needs 'cpus A B'");
    pending_.started_name = v.name;  // the disk process pair: expectations may name it
    volume_lines_.emplace(v.name, line_);
    for (int c : v.controllers) controller_lines_.emplace(c, line_);
    scenario_.volumes.push_back(std::move(v));
  }

  // `terminal $NAME cpus A B`
  void terminal(Cursor& in, const ScenarioToken& kw, const std::string& text) {
    if (run_line_ != 0)
      fail(kw.col, "a terminal statement must come before the run statement (line " + std::to_string(run_line_) + ")");
    TerminalSpec t;
    t.loc = here(kw.col);
    t.text = text;
    const ScenarioToken& name_tok = in.take("the terminal's name, a process name such as $TERM");
    t.name = process_name(name_tok);
    if (volume_lines_.count(t.name) != 0 || terminal_lines_.count(t.name) != 0)
      fail(name_tok.col, t.name + " is already a volume or a terminal");
    if (auto it = started_.find(t.name); it != started_.end())
      fail(name_tok.col, "process " + t.name + " is already started at line " + std::to_string(it->second) +
                             ": a terminal's process goes by the terminal's name");
    in.keyword({"cpus"}, "after the terminal's name");
    for (int i = 0; i < 2; ++i) {
      const ScenarioToken* at = in.peek();
      const int c = cpu_number(in);
      if (i == 1 && c == t.cpus[0])
        fail(at->col, "a terminal's two CPUs must differ (the terminal process's primary and backup): both are " +
                          std::to_string(c));
      t.cpus[i] = c;
    }
    in.expect_end();
    pending_.started_name = t.name;  // the terminal process pair: expectations may name it
    terminal_lines_.emplace(t.name, line_);
    scenario_.terminals.push_back(std::move(t));
  }

  // A relative image path is beside the scenario file (whose own path may be relative to the current directory).
  std::string image_path(const std::string& written) const {
    namespace fs = std::filesystem;
    const fs::path p(written);
    if (p.is_absolute()) return p.lexically_normal().string();
    return (fs::path(name_).parent_path() / p).lexically_normal().string();
  }

  void at(Cursor& in, TimedAction& a) {
    if (in.accept("random")) {
      const ScenarioToken& tok = in.word("a time range such as 1s..5s");
      auto [from, to] = time_range(tok, "1s..5s");
      a.t_ns = from;
      a.random_range = TimeRange{from, to};
      pending_.time_checks.push_back({here(tok.col), to, false, "the range's end " + format_duration(to)});
    } else {
      const ScenarioToken& tok = in.word("a time such as 1.5s, or 'random'");
      a.t_ns = time_of(tok);
      pending_.time_checks.push_back({here(tok.col), a.t_ns, false, "the time " + tok.text});
    }
    if (in.accept("pick")) {
      Pick p;
      p.count = static_cast<int>(int_in_range(in, 1, max_pick, "the number of faults to pick"));
      in.keyword({"from"}, "after the number of faults");
      const ScenarioToken& name = in.word("the name of a menu");
      p.menu = name.text;
      pending_.picks.push_back({here(name.col), p.menu});
      a.pick = std::move(p);
      return;
    }
    action(in, a);
  }

  // `menu NAME ACTION`: one entry of a menu of faults that `at … pick N from NAME` draws from.
  void menu(Cursor& in, const std::string& text, int kw_col) {
    const ScenarioToken& name = in.word("a menu name such as faults");
    if (!is_menu_name(name.text))
      fail(name.col, "bad menu name " + describe(name) + ": a letter, then letters, digits, _ or -");
    ActionSpec e;
    e.loc = here(kw_col);
    e.text = text;
    const ScenarioToken* verb = in.peek();
    action(in, e);
    if (std::holds_alternative<StartProcess>(e.action))
      fail(verb->col, "a menu holds faults (fail, repair, reload, revive, switch), not 'start'");
    in.expect_end();
    menus_[name.text].push_back(std::move(e));
  }

  static bool is_menu_name(const std::string& s) {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
  }

  std::pair<std::uint64_t, std::uint64_t> time_range(const ScenarioToken& tok, std::string_view example) {
    return range_of(tok, example, [](const std::string& s, int col) {
      return time_of(ScenarioToken{s, col, col, false});
    });
  }

  void action(Cursor& in, ActionSpec& a) {
    const ScenarioToken& verb = in.keyword({"fail", "repair", "reload", "revive", "switch", "start"}, "as the action");
    if (verb.text == "fail") {
      const ScenarioToken& what = in.keyword({"cpu", "bus", "path", "drive", "controller"}, "after 'fail'");
      if (what.text == "cpu") {
        a.action = FailCpu{cpu_choice(in, a)};
      } else if (what.text == "bus") {
        a.action = FailBus{bus_choice(in, a)};
      } else if (what.text == "drive") {
        if (const ScenarioToken* tok = in.peek(); tok && !tok->is_string && tok->text == "random") {
          in.take("random");
          pending_.random_io.emplace_back(here(tok->col), "drive");
          a.action = FailDrive{"", random_drive};
        } else {
          auto [volume, drive] = drive_ref(in);
          a.action = FailDrive{volume, drive};
        }
      } else if (what.text == "controller") {
        if (const ScenarioToken* tok = in.peek(); tok && !tok->is_string && tok->text == "random") {
          in.take("random");
          pending_.random_io.emplace_back(here(tok->col), "controller");
          a.action = FailController{random_controller};
        } else {
          a.action = FailController{controller_ref(in)};
        }
      } else {
        BusName bus = bus_choice(in, a);
        in.keyword({"cpu"}, "after the bus name");
        a.action = FailPath{bus, cpu_choice(in, a)};
      }
      if (in.accept("for")) {
        if (in.accept("random")) {
          const ScenarioToken& tok = in.word("a time range such as 1ms..10ms");
          auto [from, to] = time_range(tok, "1ms..10ms");
          if (from == 0) fail(tok.col, "a fault lasts longer than 0s");
          a.lasts = TimeRange{from, to};
        } else {
          std::uint64_t d = positive_time(in, "a fault's duration");
          a.lasts = TimeRange{d, d};
        }
      }
      return;
    }
    if (verb.text == "repair") {
      const ScenarioToken& what =
          in.keyword({"bus", "path", "controller"},
                     "after 'repair' (a CPU comes back with 'reload cpu N', a drive with 'revive drive $V N')");
      if (what.text == "controller") {
        a.action = RepairController{controller_ref(in)};
        return;
      }
      BusName bus = bus_choice(in, a);
      if (what.text == "bus") {
        a.action = RepairBus{bus};
        return;
      }
      in.keyword({"cpu"}, "after the bus name");
      a.action = RepairPath{bus, cpu_choice(in, a)};
      return;
    }
    if (verb.text == "reload") {
      in.keyword({"cpu"}, "after 'reload'");
      a.action = ReloadCpu{cpu_choice(in, a)};
      return;
    }
    if (verb.text == "revive") {
      in.keyword({"drive"}, "after 'revive'");
      auto [volume, drive] = drive_ref(in);
      a.action = ReviveDrive{volume, drive};
      return;
    }
    if (verb.text == "switch") {
      in.keyword({"controller"}, "after 'switch'");
      a.action = SwitchController{controller_ref(in)};
      return;
    }
    a.action = start_body(in);
  }

  // `$V N`: a volume and one of its drives, checked against the volume statements at the end of the file.
  std::pair<std::string, int> drive_ref(Cursor& in) {
    const ScenarioToken& vol = in.take("a volume name such as $DATA");
    if (!vol.is_string && vol.text == "random") fail(vol.col, "'random' is allowed only in 'fail drive random'");
    std::string name = volume_name(vol);
    const ScenarioToken* at = in.peek();
    const int drive = static_cast<int>(int_in_range(in, 0, 1, "the drive number (0, or 1 of a mirrored volume)"));
    pending_.volume_refs.push_back(VolumeRef{here(vol.col), here(at->col), name, drive});
    return {name, drive};
  }

  std::string volume_name(const ScenarioToken& tok) {
    if (tok.is_string || tok.text.empty() || tok.text[0] != '$')
      fail(tok.col, "expected a volume name such as $DATA, found " + describe(tok));
    return process_name(tok);
  }

  // A controller number, checked against the volume statements at the end of the file.
  int controller_ref(Cursor& in) {
    const ScenarioToken* tok = in.peek();
    if (tok && !tok->is_string && tok->text == "random")
      fail(tok->col, "'random' is allowed only in 'fail controller random'");
    const int c = static_cast<int>(int_in_range(in, 0, max_controller, "a controller number"));
    pending_.controller_refs.emplace_back(here(tok->col), c);
    return c;
  }

  BusName bus_choice(Cursor& in, ActionSpec& a) {
    if (in.accept("random")) {
      a.random_bus = true;
      return BusName::x;
    }
    return bus_name(in);
  }

  BusName bus_name(Cursor& in) {
    const ScenarioToken& tok = in.word("a bus name, X or Y, or 'random'");
    if (tok.text == "X" || tok.text == "x") return BusName::x;
    if (tok.text == "Y" || tok.text == "y") return BusName::y;
    fail(tok.col, "expected a bus name, X or Y, or 'random', found " + describe(tok));
  }

  // `N`, `random` (any CPU) or `random of 1 2 3` (one of those).
  int cpu_choice(Cursor& in, ActionSpec& a) {
    const ScenarioToken* tok = in.peek();
    if (!tok || tok->is_string || tok->text != "random") return cpu_number(in);
    in.take("random");
    pending_.names_cpu = true;
    if (in.accept("of")) {
      while (!in.at_end() && !in.peek()->is_string && in.peek()->text != "for") {
        const ScenarioToken* at = in.peek();
        int cpu = cpu_number(in);
        if (std::find(a.cpu_choices.begin(), a.cpu_choices.end(), cpu) != a.cpu_choices.end())
          fail(at->col, "CPU " + std::to_string(cpu) + " is listed twice after 'of'");
        a.cpu_choices.push_back(cpu);
      }
      if (a.cpu_choices.empty()) fail(in.end_col(), "expected CPU numbers after 'of', such as: cpu random of 1 2");
      std::sort(a.cpu_choices.begin(), a.cpu_choices.end());
    } else {
      for (int c = 0; c < scenario_.machine.cpus; ++c) a.cpu_choices.push_back(c);
    }
    return random_cpu;
  }

  int cpu_number(Cursor& in) {
    const ScenarioToken& tok = in.word("a CPU number");
    pending_.names_cpu = true;
    if (tok.text == "random") fail(tok.col, "'cpu random' is allowed only where a fault names a CPU (fail cpu, fail path, repair path, reload cpu)");
    Integer n = parse_integer(tok.text);
    if (!n.valid) fail(tok.col, "expected a CPU number, found " + describe(tok));
    int cpus = scenario_.machine.cpus;
    if (n.overflow || n.value < 0 || n.value >= cpus)
      fail(tok.col, "CPU " + tok.text + " does not exist: the machine has " + std::to_string(cpus) +
                        " CPUs, numbered 0 to " + std::to_string(cpus - 1));
    return static_cast<int>(n.value);
  }

  std::string process_name(const ScenarioToken& tok) {
    const std::string& s = tok.text;
    if (tok.is_string || s.empty() || s[0] != '$')
      fail(tok.col, "expected a process name such as $SERV, found " + describe(tok));
    if (s.size() > guest::kMaxProcessNameLength)
      fail(tok.col, "process name " + describe(tok) + " is longer than 16 characters");
    if (!guest::is_process_name(s))
      fail(tok.col, "bad process name " + describe(tok) + ": a name is $, a letter, then letters, digits or _");
    return s;
  }

  std::string process_ref(Cursor& in) {
    const ScenarioToken& tok = in.take("a process name such as $SERV");
    std::string name = process_name(tok);
    pending_.process_refs.emplace_back(here(tok.col), name);
    return name;
  }

  StartProcess start_body(Cursor& in) {
    StartProcess p;
    const ScenarioToken* first = in.peek();
    if (first && !first->is_string && !first->text.empty() && first->text[0] == '$') {
      p.name = process_name(in.take("a process name"));
      auto it = started_.find(p.name);
      if (it != started_.end())
        fail(first->col, "process " + p.name + " is already started at line " + std::to_string(it->second) +
                             (volume_lines_.count(p.name) ? " (the disk process of volume " + p.name + ")" : ""));
      pending_.started_name = p.name;
    }
    bool has_program = false, has_cpu = false, has_priority = false, has_args = false;
    while (!in.at_end()) {
      const ScenarioToken& opt = in.keyword({"program", "cpu", "priority", "args"}, "in a start statement");
      bool& seen = opt.text == "program"    ? has_program
                   : opt.text == "cpu"      ? has_cpu
                   : opt.text == "priority" ? has_priority
                                            : has_args;
      if (seen) fail(opt.col, "'" + opt.text + "' given twice in one start statement");
      if (opt.text == "program") {
        const ScenarioToken& tok = in.take("a program path such as guest/echo.pasm");
        if (tok.text.empty()) fail(tok.col, "the program path is empty");
        p.program = tok.text;
      } else if (opt.text == "cpu") {
        p.cpu = cpu_number(in);
      } else if (opt.text == "priority") {
        p.priority = static_cast<int>(int_in_range(in, 1, 199, "priority"));
      } else {
        do {
          const ScenarioToken& tok = in.word("a whole number as an argument");
          Integer n = parse_integer(tok.text);
          bool hex = tok.text.find_first_of("xX") != std::string::npos;
          std::int64_t lo = hex ? 0 : std::numeric_limits<std::int32_t>::min();
          std::int64_t hi = hex ? 0xFFFFFFFFll : std::numeric_limits<std::int32_t>::max();
          if (!n.valid || n.overflow || n.value < lo || n.value > hi)
            fail(tok.col, "expected a 32-bit whole number as an argument, found " + describe(tok));
          p.args.push_back(static_cast<std::int32_t>(static_cast<std::uint32_t>(n.value)));
        } while (!in.at_end());
      }
      seen = true;
    }
    if (!has_program) fail(in.end_col(), "a start statement needs 'program PATH'");
    if (!has_cpu) fail(in.end_col(), "a start statement needs 'cpu N'");
    return p;
  }

  void run(Cursor& in, const ScenarioToken& kw, const std::string& text) {
    if (run_line_ != 0) fail(kw.col, "run given twice (first at line " + std::to_string(run_line_) + ")");
    RunSpec r;
    r.loc = here(kw.col);
    r.text = text;
    const ScenarioToken& how = in.keyword({"for", "until"}, "after 'run'");
    if (how.text == "until") {
      r.until_process_stops = process_ref(in);
      in.keyword({"stops"}, "after the process name");
      if (in.at_end()) fail(in.end_col(), "'run until' needs a time limit: run until $X stops or 60s");
      in.keyword({"or"}, "after 'stops'");
    }
    r.for_ns = positive_time(in, "the run");
    in.expect_end();
    scenario_.run = r;
    run_line_ = line_;
  }

  void seed(Cursor& in, const ScenarioToken& kw) {
    if (seed_line_ != 0) fail(kw.col, "seed given twice (first at line " + std::to_string(seed_line_) + ")");
    const ScenarioToken& tok = in.word("a seed, a whole number");
    std::uint64_t v = 0;
    bool ok = !tok.text.empty() && tok.text.size() <= 20;
    for (char c : tok.text) {
      if (c < '0' || c > '9') ok = false;
      std::uint64_t d = static_cast<std::uint64_t>(c - '0');
      if (ok && v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) ok = false;
      if (ok) v = v * 10 + d;
    }
    if (!ok) fail(tok.col, "expected a seed, a whole number from 0 to 18446744073709551615, found " + describe(tok));
    in.expect_end();
    scenario_.seed = v;
    seed_line_ = line_;
  }

  ExpectationForm expect(Cursor& in) {
    const ScenarioToken& kw = in.take("an expectation");
    const std::string& w = kw.is_string ? std::string() : kw.text;
    if (w == "cpu") {
      int cpu = cpu_number(in);
      const ScenarioToken& st = in.word("a CPU state (one of: up, down, halted, reloading)");
      std::optional<CpuState> state = parse_cpu_state(st.text);
      if (!state) fail(st.col, "expected a CPU state (one of: up, down, halted, reloading), found " + describe(st));
      ExpectCpuState e{cpu, *state, std::nullopt};
      if (in.accept("at")) {
        const ScenarioToken& tok = in.word("a time such as 5s");
        e.at_ns = time_of(tok);
        pending_.time_checks.push_back({here(tok.col), *e.at_ns, true, "the time " + tok.text});
      }
      return e;
    }
    if (w == "detected") {
      in.keyword({"cpu"}, "after 'detected'");
      int cpu = cpu_number(in);
      in.keyword({"within"}, "after the CPU number");
      return ExpectDetected{cpu, positive_time(in, "'within'")};
    }
    if (w == "no") {
      const ScenarioToken& what = in.keyword({"halt", "takeover"}, "after 'no'");
      if (what.text == "halt") return ExpectNoHalt{};
      return ExpectNoTakeover{process_ref(in)};
    }
    if (w == "halted") {
      in.keyword({"cpu"}, "after 'halted'");
      return ExpectHalted{cpu_number(in)};
    }
    if (w == "output") return expect_output(in);
    if (w == "takeover") {
      ExpectTakeover e{process_ref(in), std::nullopt};
      if (in.accept("within")) e.within_ns = positive_time(in, "'within'");
      return e;
    }
    if (w == "pair") {
      std::string name = process_ref(in);
      in.keyword({"lost"}, "after the pair's name");
      return ExpectPairLost{name};
    }
    if (w == "invariants") return ExpectInvariants{};
    if (w == "volume") {
      const ScenarioToken& vol = in.take("a volume name such as $DATA");
      std::string name = volume_name(vol);
      const ScenarioToken& what = in.keyword({"mirrors", "drive"}, "after the volume's name");
      if (what.text == "mirrors") {
        in.keyword({"equal"}, "after 'mirrors'");
        pending_.volume_refs.push_back(VolumeRef{here(vol.col), here(vol.col), name, -1});
        return ExpectMirrorsEqual{name};
      }
      const ScenarioToken* at = in.peek();
      const int drive = static_cast<int>(int_in_range(in, 0, 1, "the drive number (0, or 1 of a mirrored volume)"));
      pending_.volume_refs.push_back(VolumeRef{here(vol.col), here(at->col), name, drive});
      const ScenarioToken& st = in.word("a drive state (one of: up, down, reviving)");
      std::optional<DriveStateName> state = parse_drive_state(st.text);
      if (!state) fail(st.col, "expected a drive state (one of: up, down, reviving), found " + describe(st));
      return ExpectDriveState{name, drive, *state};
    }
    if (w == "file") {
      const ScenarioToken& tok = in.word("a file name such as $DATA.ACCOUNTS");
      const std::size_t dot = tok.text.find('.');
      if (tok.text.empty() || tok.text[0] != '$' || dot == std::string::npos)
        fail(tok.col,
             "expected a file name such as $DATA.ACCOUNTS (the volume, a dot, the file), found " + describe(tok));
      const std::string name = volume_name(ScenarioToken{tok.text.substr(0, dot), tok.col, tok.col + int(dot), false});
      const std::string file = tok.text.substr(dot + 1);
      const int file_col = tok.col + static_cast<int>(dot) + 1;
      if (!io::valid_file_name(file))
        fail(file_col, "bad file name '" + file +
                           "': 1 to 8 characters, an upper-case letter, then upper-case "
                           "letters and digits");
      pending_.volume_refs.push_back(VolumeRef{here(tok.col), here(tok.col), name, -1});
      in.keyword({"records"}, "after the file name");
      const auto n = static_cast<std::uint64_t>(int_in_range(in, 0, 0xFFFFFFFFll, "the number of records"));
      return ExpectFileRecords{name, file, n};
    }
    if (!w.empty() && w[0] == '$') {
      std::string name = process_name(kw);
      pending_.process_refs.emplace_back(here(kw.col), name);
      return expect_process(in, name);
    }
    fail(kw.col,
         "expected one of: cpu, detected, no, halted, output, takeover, pair, invariants, volume, file, or a "
         "process name such as $SERV after 'expect', found " +
             describe(kw));
  }

  ExpectationForm expect_process(Cursor& in, const std::string& name) {
    const ScenarioToken& what =
        in.keyword({"exit", "running", "abend", "stopped", "primary", "backup", "no"}, "after the process name");
    if (what.text == "exit") {
      auto code = static_cast<std::int32_t>(int_in_range(in, std::numeric_limits<std::int32_t>::min(),
                                                         std::numeric_limits<std::int32_t>::max(), "the exit code"));
      return ExpectExit{name, code};
    }
    if (what.text == "running") return ExpectRunning{name};
    if (what.text == "stopped") return ExpectStopped{name};
    if (what.text == "abend") {
      ExpectAbend e{name, std::nullopt};
      if (!in.at_end()) e.reason_contains = in.string("the abend reason").text;
      return e;
    }
    if (what.text == "no") {
      in.keyword({"backup"}, "after 'no'");
      return ExpectNoBackup{name};
    }
    in.keyword({"cpu"}, "after '" + what.text + "'");
    int cpu = cpu_number(in);
    if (what.text == "primary") return ExpectPrimary{name, cpu};
    return ExpectBackup{name, cpu};
  }

  ExpectationForm expect_output(Cursor& in) {
    std::string name = process_ref(in);
    const ScenarioToken& tok = in.take("a \"line\", or one of: contains, sequence, count");
    if (tok.is_string) return ExpectOutputLine{name, tok.text};
    if (tok.text == "contains") return ExpectOutputContains{name, in.string("the text to look for").text};
    if (tok.text == "count") {
      std::string line = in.string("the line to count").text;
      auto n = static_cast<std::uint64_t>(int_in_range(in, 0, std::numeric_limits<std::int64_t>::max(), "the count"));
      return ExpectOutputCount{name, line, n};
    }
    if (tok.text == "sequence") {
      const ScenarioToken& r = in.word("a range of numbers such as 1..100");
      auto [first, last] = range_of(r, "1..100", [&r](const std::string& s, int col) {
        Integer n = parse_integer(s);
        if (!n.valid || n.overflow) fail(col, "expected a whole number in the range " + describe(r));
        return n.value;
      });
      std::uint64_t repeats = 0;
      if (in.accept("repeats"))
        repeats = static_cast<std::uint64_t>(int_in_range(in, 0, 1'000'000, "the number of repeats allowed"));
      return ExpectOutputSequence{name, first, last, repeats};
    }
    fail(tok.col, "expected a \"line\", or one of: contains, sequence, count, found " + describe(tok));
  }

  void check_whole_file(int line_count) {
    if (run_line_ == 0 && !run_attempted_) {
      add_error(std::max(line_count, 1), 1, "missing run statement: add one, for example 'run for 10s'");
    } else if (run_line_ != 0) {
      std::uint64_t end = scenario_.run.for_ns;
      std::string at_end = "the end of the run (" + format_duration(end) + ", line " + std::to_string(run_line_) + ")";
      for (const auto& c : time_checks_) {
        if (c.may_equal_end && c.t_ns > end)
          errors_.push_back({c.loc, c.what + " is after " + at_end});
        else if (!c.may_equal_end && c.t_ns >= end)
          errors_.push_back({c.loc, c.what + " is not before " + at_end});
      }
    }
    check_volume_refs();
    // A menu may be written before or after the statements that pick from it.
    for (auto& a : scenario_.actions) {
      if (!a.pick) continue;
      auto it = menus_.find(a.pick->menu);
      if (it != menus_.end()) a.pick->entries = it->second;
    }
    for (const auto& [where, name] : picks_) {
      if (menus_.count(name)) continue;
      std::string known;
      for (const auto& [n, entries] : menus_) known += (known.empty() ? "" : ", ") + n;
      errors_.push_back({where, "no menu statement defines menu '" + name + "'" +
                                    (known.empty() ? " (write entries as: menu " + name + " fail cpu random)"
                                                   : " (defined: " + known + ")")});
    }
    for (const auto& [where, name] : process_refs_) {
      if (started_.count(name)) continue;
      std::string known;
      for (const auto& [n, line] : started_) known += (known.empty() ? "" : ", ") + n;
      errors_.push_back({where, "no start statement names process " + name +
                                    (known.empty() ? " (no process is named)" : " (named: " + known + ")")});
    }
  }

  // Volumes may be named before their statement: every reference is checked here, and the random drive and
  // controller faults get their choices.
  void check_volume_refs() {
    auto known_volumes = [&] {
      std::string known;
      for (const auto& v : scenario_.volumes) known += (known.empty() ? "" : ", ") + v.name;
      return known.empty() ? std::string(
                                 " (no volume statement: add one, for example 'volume $DATA controllers 0 1 "
                                 "cpus 0 1')")
                           : " (volumes: " + known + ")";
    };
    auto find = [&](const std::string& name) -> const VolumeSpec* {
      for (const auto& v : scenario_.volumes)
        if (v.name == name) return &v;
      return nullptr;
    };
    for (const auto& r : volume_refs_) {
      const VolumeSpec* v = find(r.volume);
      if (!v) {
        errors_.push_back({r.loc, "no volume statement defines volume " + r.volume + known_volumes()});
      } else if (r.drive >= v->drive_count()) {
        errors_.push_back({r.drive_loc, "volume " + v->name + " is single: its only drive is drive 0"});
      }
    }
    std::vector<int> controllers;
    std::vector<std::pair<std::string, int>> drives;
    for (const auto& v : scenario_.volumes) {
      controllers.insert(controllers.end(), std::begin(v.controllers), std::end(v.controllers));
      for (int d = 0; d < v.drive_count(); ++d) drives.emplace_back(v.name, d);
    }
    for (const auto& [where, c] : controller_refs_) {
      if (std::find(controllers.begin(), controllers.end(), c) != controllers.end()) continue;
      std::string known;
      for (int k : controllers) known += (known.empty() ? "" : ", ") + std::to_string(k);
      errors_.push_back({where, "no volume statement has controller " + std::to_string(c) +
                                    (known.empty() ? known_volumes() : " (controllers: " + known + ")")});
    }
    for (const auto& [where, what] : random_io_)
      if (scenario_.volumes.empty())
        errors_.push_back({where, "'fail " + what + " random' draws from the volumes" + known_volumes()});
    auto fill = [&](ActionSpec& a) {
      if (auto* d = std::get_if<FailDrive>(&a.action); d && d->drive == random_drive) a.drive_choices = drives;
      if (auto* c = std::get_if<FailController>(&a.action); c && c->controller == random_controller)
        a.controller_choices = controllers;
    };
    for (auto& a : scenario_.actions) fill(a);
    for (auto& [name, entries] : menus_)
      for (auto& e : entries) fill(e);
  }

  ParseResult finish() {
    ParseResult result;
    if (errors_.empty()) {
      std::stable_sort(scenario_.actions.begin(), scenario_.actions.end(),
                       [](const TimedAction& a, const TimedAction& b) { return a.t_ns < b.t_ns; });
      // Each volume's disk process pair starts first, in volume order: the programs may open its files at once.
      std::vector<ProcessStart> disks;
      for (const auto& v : scenario_.volumes)
        disks.push_back(ProcessStart{
            StartProcess{
                v.name, disk_process_program, v.cpus[0], disk_process_priority, {static_cast<std::int32_t>(v.cpus[1])}},
            v.loc, v.text});
      for (const auto& t : scenario_.terminals)
        disks.push_back(ProcessStart{StartProcess{t.name,
                                                  terminal_process_program,
                                                  t.cpus[0],
                                                  disk_process_priority,
                                                  {static_cast<std::int32_t>(t.cpus[1])}},
                                     t.loc, t.text});
      scenario_.starts.insert(scenario_.starts.begin(), disks.begin(), disks.end());
      result.scenario = std::move(scenario_);
      return result;
    }
    std::stable_sort(errors_.begin(), errors_.end(), [](const ScenarioError& a, const ScenarioError& b) {
      return a.loc.line != b.loc.line ? a.loc.line < b.loc.line : a.loc.col < b.loc.col;
    });
    if (errors_.size() > max_reported_errors) {
      std::size_t more = errors_.size() - max_reported_errors;
      errors_.resize(max_reported_errors);
      errors_.push_back({errors_.back().loc, std::to_string(more) + " more error(s) not shown"});
    }
    result.errors = std::move(errors_);
    return result;
  }

  std::string name_;
  Scenario scenario_;
  std::vector<ScenarioError> errors_;
  Pending pending_;
  int line_ = 0;
  int machine_line_ = 0;
  int first_cpu_line_ = 0;
  int run_line_ = 0;
  bool run_attempted_ = false;
  int seed_line_ = 0;
  std::map<std::string, int> started_;  // name -> line of its start statement
  std::vector<std::pair<SourceLoc, std::string>> process_refs_;
  std::vector<Pending::TimeCheck> time_checks_;
  std::vector<std::pair<SourceLoc, std::string>> picks_;
  std::map<std::string, std::vector<ActionSpec>> menus_;  // name -> entries, in file order
  std::map<std::string, int> terminal_lines_;             // terminal name -> line
  std::map<std::string, int> volume_lines_;               // volume name -> line of its statement
  std::map<int, int> controller_lines_;                   // controller -> line of its volume statement
  std::vector<VolumeRef> volume_refs_;
  std::vector<std::pair<SourceLoc, int>> controller_refs_;
  std::vector<std::pair<SourceLoc, std::string>> random_io_;
};

}  // namespace

ParseResult parse_scenario(std::string_view text, const std::string& name) {
  return ScenarioParser(name).parse(text);
}

ParseResult parse_scenario_file(const std::string& path) {
  auto refuse = [&](const std::string& why) {
    ParseResult r;
    r.errors.push_back({SourceLoc{path, 0, 0}, why});
    return r;
  };
  // Scenarios are short; a huge file is a mistake (a log, an image), not a scenario.
  std::string text, why;
  if (!guest::read_whole_file(path, text, why, std::uintmax_t{4} << 20)) {
    if (why == "no such file") return refuse("cannot read the scenario file: no such file");
    if (why == "is a directory") return refuse("is a directory, not a scenario file");
    if (why.rfind("is larger", 0) == 0) return refuse(why + ": not a scenario file");
    if (why.rfind("is not", 0) == 0) return refuse(why);
    return refuse("cannot read the scenario file: " + why);
  }
  return parse_scenario(guest::plain_source(std::move(text)), path);
}

std::vector<std::string> program_search_paths(const std::string& scenario_path, const std::string& program,
                                              const std::string& project_dir) {
  namespace fs = std::filesystem;
  fs::path p(program);
  if (p.is_absolute()) return {p.string()};
  return {(fs::path(scenario_path).parent_path() / p).lexically_normal().string(), p.lexically_normal().string(),
          (fs::path(project_dir) / "guest" / p).lexically_normal().string(),
          (fs::path(project_dir) / p).lexically_normal().string()};
}

}  // namespace pairsim::sim
