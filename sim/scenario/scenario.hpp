#pragma once
// The scenario AST: what a .scn file says, as plain data. The parser (sim/scenario/scenario_parser.hpp)
// builds it and has validated everything in it; the machine builder and the scenario driver
// consume it. The language itself is documented in docs/scenarios.md.
// Standard library only (and the CPU states of cpu/cpu_state.hpp): bus names and times are plain types.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "cpu/cpu_state.hpp"

namespace pairsim::sim {

struct SourceLoc {
  std::string file;
  int line = 0;             // 1-based; 0 = the file as a whole (for example, it cannot be read)
  int col = 0;              // 1-based byte column
  std::string str() const;  // "file:line:col", or "file" when line is 0
};

// Every value the `machine` statement can set, with its default. Times in ns.
struct MachineConfig {
  int cpus = 4;                                     // 2..16
  double mips = 0.8;                                // guest instructions per simulated µs
  std::uint64_t memory_bytes = 2u << 20;            // per CPU; >= 64KiB, a multiple of 4
  std::uint64_t bus_bytes_per_second = 13'000'000;  // each of X and Y
  std::uint64_t heartbeat_ns = 1'000'000'000;       // I'm-alive period
  std::uint64_t quantum_ns = 10'000;                // temporal decoupling; <= heartbeat
  std::uint64_t ack_timeout_ns = 1'000'000'000;     // message acknowledgement timeout
  int path_errors = 3;                              // failures before a path is marked down
  std::uint64_t slice_ns = 10'000'000;              // dispatcher time slice
  std::uint64_t reload_ns = 100'000'000;            // from `reload cpu` until the CPU is up
};

enum class BusName { x, y };
char to_char(BusName bus);  // 'X' or 'Y'

// The CPU states a scenario can name are the CPU's own (cpu/cpu_state.hpp: up, down, halted, reloading).
using CpuState = cpu::CpuState;
std::optional<CpuState> parse_cpu_state(std::string_view word);

// The CPU of an action whose CPU is drawn from the run's seeded generator, until it is drawn.
inline constexpr int random_cpu = -1;

// ---- actions: what a `start` or an `at` statement does ----
struct FailCpu {
  int cpu = 0;  // or random_cpu
};
struct ReloadCpu {
  int cpu = 0;  // or random_cpu
};
struct FailBus {
  BusName bus = BusName::x;
};
struct RepairBus {
  BusName bus = BusName::x;
};
struct FailPath {  // one CPU's attachment to one bus
  BusName bus = BusName::x;
  int cpu = 0;  // or random_cpu
};
struct RepairPath {
  BusName bus = BusName::x;
  int cpu = 0;  // or random_cpu
};
struct StartProcess {
  std::string name;     // "$SERV"; empty for an unnamed process
  std::string program;  // as written; see program_search_paths() in scenario_parser.hpp
  int cpu = 0;
  int priority = 150;  // 1..199, higher runs first
  std::vector<std::int32_t> args;
};
// The I/O faults and commands (docs/scenarios.md, "at"). A drive is named by its volume and its number
// (0, and 1 for a mirrored volume); a controller by its number, unique over the machine.
inline constexpr int random_drive = -1;       // `fail drive random`: volume "" and drive random_drive until drawn
inline constexpr int random_controller = -1;  // `fail controller random`, until drawn
struct FailDrive {
  std::string volume;  // "$DATA"; "" while random
  int drive = 0;       // or random_drive
};
struct ReviveDrive {  // copies the survivor onto the drive; up again when the copy ends
  std::string volume;
  int drive = 0;
};
struct FailController {
  int controller = 0;  // or random_controller
};
struct RepairController {
  int controller = 0;
};
struct SwitchController {  // the other port's CPU owns the controller now
  int controller = 0;
};
using Action = std::variant<FailCpu, ReloadCpu, FailBus, RepairBus, FailPath, RepairPath, StartProcess, FailDrive,
                            ReviveDrive, FailController, RepairController, SwitchController>;

struct TimeRange {
  std::uint64_t from_ns = 0;
  std::uint64_t to_ns = 0;  // inclusive; from_ns <= to_ns
};

// An action as written, its random parts not drawn yet (sim/scenario/schedule.hpp draws them).
struct ActionSpec {
  Action action;                   // a drawn CPU is random_cpu, a drawn bus X, until the schedule draws them
  std::vector<int> cpu_choices;    // `cpu random [of 1 2]`: the CPUs it is drawn from, sorted, each once
  bool random_bus = false;         // `fail bus random`, `fail path random cpu N`: X or Y is drawn
  std::optional<TimeRange> lasts;  // `for D` (from == to) / `for random A..B`: a fault's repair comes that long after
  // `fail drive random`: every (volume, drive) of the scenario, volumes in file order; `fail controller random`:
  // every controller, volumes in file order, each volume's two as written. One is drawn uniformly.
  std::vector<std::pair<std::string, int>> drive_choices;
  std::vector<int> controller_choices;
  SourceLoc loc;                   // the `at` keyword, or the `menu` keyword for a menu entry
  std::string text;                // the statement, trimmed, without its comment
};

// `at … pick N from MENU`: N faults, each its own time in the `at` statement's range and its own entry of
// the menu (drawn with replacement), with that entry's own random parts.
struct Pick {
  int count = 1;
  std::string menu;
  std::vector<ActionSpec> entries;  // the menu's `menu NAME ACTION` statements, in file order
};

struct TimedAction : ActionSpec {
  std::uint64_t t_ns = 0;                 // for a random action: its range's from_ns
  std::optional<TimeRange> random_range;  // `at random A..B`: time drawn uniformly in [A, B]
  std::optional<Pick> pick;               // set: the action is drawn from a menu (ActionSpec's fields unused)
};

// A `start` statement without `at`: runs at time 0, before any `at` action.
struct ProcessStart {
  StartProcess process;
  SourceLoc loc;
  std::string text;
};

struct RunSpec {
  std::uint64_t for_ns = 0;  // the run's end (`run for T`), or its limit (`run until $X stops or T`)
  std::optional<std::string> until_process_stops;  // "$CLI": end when it exits or abends
  SourceLoc loc;
  std::string text;
};

// ---- expectations: one struct per form; the checks are described in docs/scenarios.md ----
struct ExpectCpuState {  // expect cpu N STATE [at T]
  int cpu = 0;
  CpuState state = CpuState::up;
  std::optional<std::uint64_t> at_ns;  // sampled at that time; none = at the end
};
struct ExpectDetected {  // expect detected cpu N within T
  int cpu = 0;
  std::uint64_t within_ns = 0;
};
struct ExpectNoHalt {};  // expect no halt
struct ExpectHalted {    // expect halted cpu N
  int cpu = 0;
};
struct ExpectExit {  // expect $X exit N
  std::string process;
  std::int32_t code = 0;
};
struct ExpectRunning {  // expect $X running
  std::string process;
};
struct ExpectAbend {  // expect $X abend ["reason"]
  std::string process;
  std::optional<std::string> reason_contains;
};
struct ExpectStopped {  // expect $X stopped
  std::string process;
};
struct ExpectOutputLine {  // expect output $X "line"
  std::string process;
  std::string line;
};
struct ExpectOutputContains {  // expect output $X contains "text"
  std::string process;
  std::string text;
};
struct ExpectOutputSequence {  // expect output $X sequence A..B [repeats N]
  std::string process;
  std::int64_t first = 0;
  std::int64_t last = 0;     // first <= last
  std::uint64_t repeats = 0;  // how many times a number may come again right after itself
};
struct ExpectOutputCount {  // expect output $X count "line" N
  std::string process;
  std::string line;
  std::uint64_t count = 0;
};
struct ExpectPrimary {  // expect $X primary cpu N
  std::string process;
  int cpu = 0;
};
struct ExpectBackup {  // expect $X backup cpu N
  std::string process;
  int cpu = 0;
};
struct ExpectNoBackup {  // expect $X no backup
  std::string process;
};
struct ExpectTakeover {  // expect takeover $X [within T]
  std::string process;
  std::optional<std::uint64_t> within_ns;
};
struct ExpectNoTakeover {  // expect no takeover $X
  std::string process;
};
struct ExpectPairLost {  // expect pair $X lost
  std::string process;
};
struct ExpectInvariants {};  // expect invariants: the run broke none of the machine's invariants
// The drive states a scenario can name (io/drive.hpp's, as words).
enum class DriveStateName { up, down, reviving };
const char* to_string(DriveStateName s);  // "up", "down", "reviving"
std::optional<DriveStateName> parse_drive_state(std::string_view word);
struct ExpectMirrorsEqual {  // expect volume $V mirrors equal
  std::string volume;
};
struct ExpectDriveState {  // expect volume $V drive N STATE
  std::string volume;
  int drive = 0;
  DriveStateName state = DriveStateName::up;
};
struct ExpectFileRecords {  // expect file $V.NAME records N
  std::string volume;
  std::string file;  // "ACCOUNTS"
  std::uint64_t records = 0;
};
using ExpectationForm =
    std::variant<ExpectCpuState, ExpectDetected, ExpectNoHalt, ExpectHalted, ExpectExit, ExpectRunning, ExpectAbend,
                 ExpectStopped, ExpectOutputLine, ExpectOutputContains, ExpectOutputSequence, ExpectOutputCount,
                 ExpectPrimary, ExpectBackup, ExpectNoBackup, ExpectTakeover, ExpectNoTakeover, ExpectPairLost,
                 ExpectInvariants, ExpectMirrorsEqual, ExpectDriveState, ExpectFileRecords>;

struct Expectation {
  ExpectationForm form;
  SourceLoc loc;  // the `expect` keyword
  std::string text;
};

// `volume $DATA controllers 0 1 cpus 2 3 [mirrored | single] [image FILE] [blocks N]`: a volume, its two
// controllers (each dual-ported to both CPUs; the first CPU owns them at first) and its disk process pair
// (primary in cpus[0], backup in cpus[1]), which the run starts at time 0 before any other process.
struct VolumeSpec {
  std::string name;  // "$DATA": the volume's and its disk process pair's name
  int controllers[2] = {0, 1};
  int cpus[2] = {0, 1};
  bool mirrored = true;
  std::string image;             // the image file, resolved against the scenario's folder; "" = in memory only
  std::uint32_t blocks = 16384;  // a new volume's size, in 4 KiB blocks (an image has its own)
  std::string image_as_written;  // the image word of the statement ("" without one)
  int drive_count() const { return mirrored ? 2 : 1; }
  SourceLoc loc;
  std::string text;
};

// How a volume's disk process pair is started (docs/scenarios.md, "volume"): the native program of that name
// (io::DiskProcess::kProgramName) in the volume's first CPU, with its backup's CPU as its one argument, at a
// priority above the programs' default, as Guardian's system processes run.
inline constexpr const char* disk_process_program = "disk-process";
inline constexpr int disk_process_priority = 180;
// A terminal's process pair: the native program of that name (io::TerminalProcess::kProgramName), started
// the same way.
inline constexpr const char* terminal_process_program = "terminal-process";

// `terminal $TERM cpus A B`: a terminal dual-ported to CPUs A and B, and its terminal process pair (primary
// in A, backup in B), which the run starts at time 0 with the volumes' disk processes.
struct TerminalSpec {
  std::string name;  // "$TERM"
  int cpus[2] = {0, 1};
  SourceLoc loc;
  std::string text;
};

struct Scenario {
  std::string path;  // as given to the parser (the name for parse_scenario)
  MachineConfig machine;
  std::vector<VolumeSpec> volumes;      // file order
  std::vector<TerminalSpec> terminals;  // file order
  std::optional<std::uint64_t> seed;  // `seed N`; the command line's --seed overrides it
  // Un-timed starts: each volume's disk process pair first (volume order), then the `start` statements in file order.
  std::vector<ProcessStart> starts;
  std::vector<TimedAction> actions;   // sorted by t_ns; equal times keep file order
  RunSpec run;
  std::vector<Expectation> expectations;  // file order
};

struct ScenarioError {
  SourceLoc loc;
  std::string message;
  std::string str() const;  // "file:line:col: error: message"
};

}  // namespace pairsim::sim
