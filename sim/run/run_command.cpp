#include "sim/run/run_command.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <systemc>

#include "io/disk_process.hpp"
#include "io/terminal_process.hpp"
#include "io/volume_layout.hpp"
#include "sim/campaign/file_io.hpp"
#include "sim/report/expectations.hpp"
#include "sim/report/explain.hpp"
#include "sim/report/pair_table.hpp"
#include "sim/report/protocol_log.hpp"
#include "sim/report/report.hpp"
#include "sim/report/run_record.hpp"
#include "sim/report/volume_facts.hpp"
#include "sim/run/colour.hpp"
#include "sim/run/library_home.hpp"
#include "sim/run/machine.hpp"
#include "sim/run/program_library.hpp"
#include "sim/run/run_shape.hpp"
#include "sim/run/scenario_driver.hpp"
#include "sim/scenario/scenario_parser.hpp"
#include "sim/trace/jsonl_writer.hpp"
#include "sim/view/event_log.hpp"
#include "sim/view/html_report.hpp"
#include "sim/view/perfetto.hpp"
#include "sim/view/vcd_waveform.hpp"

namespace pairsim::sim {

namespace {

constexpr std::uint64_t default_seed = 1;

// Whether `path` can be written, asked before anything is simulated; the probe leaves no file behind.
bool can_write(const std::string& path) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  const bool writable = static_cast<bool>(std::ofstream(path, std::ios::app));
  if (!existed) std::filesystem::remove(path, ec);
  return writable;
}

// Ctrl-C during `pairsim run`: the run stops at the end of the slice it is in (below), with its trace
// flushed and its report printed, and exits 130. A second Ctrl-C ends the process at once.
volatile std::sig_atomic_t interrupt_requested = 0;

extern "C" void on_interrupt(int) {
  interrupt_requested = 1;
  std::signal(SIGINT, SIG_DFL);
}

// Runs the simulation to `end_ns` in slices of simulated time. SystemC carries out every event up to and at
// the end of a slice before it returns, and the next slice goes on from there, so a run in slices is the same
// run as in one piece (the golden traces are made this way). Between slices: Ctrl-C is noticed, and on a
// terminal a run longer than two seconds shows its progress on one line of standard error.
bool run_in_slices(std::uint64_t end_ns, bool show_progress) {
  constexpr std::uint64_t slice_ns = 10'000'000;  // 10 ms of simulated time
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  auto shown = started;
  bool progress_line = false;
  std::uint64_t at = 0;
  while (at < end_ns) {
    const std::uint64_t step = std::min(slice_ns, end_ns - at);
    sc_core::sc_start(sc_core::sc_time::from_value(step * sc_core::sc_time(1, sc_core::SC_NS).value()));
    at += step;
    if (sc_core::sc_get_status() == sc_core::SC_STOPPED) break;  // `run until $X stops` ended it
    if (interrupt_requested) break;
    if (!show_progress) continue;
    const auto now = Clock::now();
    if (now - started < std::chrono::seconds(2) || now - shown < std::chrono::milliseconds(250)) continue;
    shown = now;
    std::fprintf(stderr, "\r\x1b[Kpairsim: simulated %.3f s of %.3f s (%d%%)", static_cast<double>(at) / 1e9,
                 static_cast<double>(end_ns) / 1e9, static_cast<int>(100.0 * static_cast<double>(at) / end_ns));
    progress_line = true;
  }
  if (progress_line) std::fprintf(stderr, "\r\x1b[K");
  return interrupt_requested != 0;
}

// SystemC's own reports go to the log; errors still stop the run (they become exit code 3).
void route_systemc_reports() {
  sc_core::sc_report_handler::set_handler([](const sc_core::sc_report& rep, const sc_core::sc_actions& actions) {
    const auto sev = rep.get_severity();
    if (sev == sc_core::SC_INFO || sev == sc_core::SC_WARNING) {
      spdlog::log(sev == sc_core::SC_INFO ? spdlog::level::info : spdlog::level::warn, "[systemc] {}: {}",
                  rep.get_msg_type(), rep.get_msg());
      return;
    }
    sc_core::sc_report_handler::default_handler(rep, actions);
  });
}

// --log-level takes spdlog's names; any other is bad input, said on standard error.
std::optional<spdlog::level::level_enum> log_level(const std::string& name) {
  const auto level = spdlog::level::from_str(name);
  if (level != spdlog::level::off || name == "off") return level;
  std::cerr << "pairsim: error: unknown log level '" << name << "' (trace, debug, info, warn, error, critical, off)\n";
  return std::nullopt;
}

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_NS).value());
}

static_assert(std::string_view(disk_process_program) == io::DiskProcess::kProgramName,
              "the scenario starts the disk process by the name the CPUs know it by");
static_assert(std::string_view(terminal_process_program) == io::TerminalProcess::kProgramName,
              "the scenario starts the terminal process by the name the CPUs know it by");

// Before anything is simulated: the folder of every image the run will write back exists and can be written
// (the image itself is replaced by a rename, so its own permissions do not matter). "" when it can.
std::string unwritable_image(const VolumeSpec& v) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(v.image).parent_path().empty() ? fs::path(".") : fs::path(v.image).parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return "cannot write the image " + v.image_as_written + ": the folder " + dir.string() + " does not exist";
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return "cannot write the image " + v.image_as_written + ": the folder " + dir.string() + " is not writable";
  return "";
}

// What the volumes hold at the end, as plain facts for the expectations and the report.
std::vector<VolumeFacts> volume_facts(const Scenario& scenario, Machine& machine) {
  std::vector<VolumeFacts> out;
  for (const auto& spec : scenario.volumes) {
    const io::VolumeUnit* unit = machine.volume(spec.name);
    if (!unit) continue;
    const io::Volume& v = unit->volume();
    VolumeFacts f;
    f.name = spec.name;
    for (int d = 0; d < v.drive_count(); ++d) f.drives.emplace_back(io::to_string(v.drive(d).state()));
    f.mirrors_equal = v.mirrors_equal();
    if (v.drive_count() == 2) f.first_difference = io::first_difference(v.drive(0), v.drive(1));
    for (int c : spec.controllers)
      if (const io::Controller* ctl = machine.controller(c)) f.controllers.push_back({c, ctl->owner(), ctl->is_up()});
    for (int d = 0; d < v.drive_count(); ++d) {
      if (v.drive(d).state() != io::DriveState::up) continue;
      f.files.emplace();
      f.directory_drive = d;
      for (const auto& e : io::read_directory(v.drive(d)))
        if (e) f.files->push_back({e->name, e->records});
      break;
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

std::vector<std::string> preload_programs(const Scenario& scenario, ProgramLibrary& programs) {
  std::vector<std::string> diags;
  auto check = [&](const StartProcess& p, const SourceLoc& loc) {
    std::vector<std::string> d;
    if (!programs.preload(p.program, d)) {
      if (programs.resolve(p.program).empty())
        diags.push_back(
            loc.str() + ": error: program '" + p.program +
            "' not found (looked beside the scenario, in the current directory, in the project's guest/ folder "
            "and in the project's root folder)");
      else
        diags.insert(diags.end(), d.begin(), d.end());
    }
  };
  // A volume's disk process is built in: there is no file to load.
  auto is_disk_process = [&](const ProcessStart& s) {
    for (const auto& v : scenario.volumes)
      if (s.process.name == v.name && s.process.program == disk_process_program && s.loc.line == v.loc.line)
        return true;
    for (const auto& t : scenario.terminals)
      if (s.process.name == t.name && s.process.program == terminal_process_program && s.loc.line == t.loc.line)
        return true;
    return false;
  };
  for (const auto& s : scenario.starts)
    if (!is_disk_process(s)) check(s.process, s.loc);
  for (const auto& a : scenario.actions)
    if (auto* p = std::get_if<StartProcess>(&a.action)) check(*p, a.loc);
  return diags;
}

PreparedScenario::PreparedScenario(Scenario s) : scenario(std::move(s)), programs(scenario.path, library_home()) {}

std::unique_ptr<PreparedScenario> prepare_scenario(const std::string& path, std::ostream& err) {
  auto parsed = parse_scenario_file(path);
  if (!parsed.ok()) {
    for (const auto& e : parsed.errors) err << e.str() << "\n";
    return nullptr;
  }
  auto prepared = std::make_unique<PreparedScenario>(std::move(*parsed.scenario));
  // Every program the scenario names must assemble before anything is simulated.
  if (auto diags = preload_programs(prepared->scenario, prepared->programs); !diags.empty()) {
    for (const auto& d : diags) err << d << "\n";
    return nullptr;
  }
  return prepared;
}

int run_scenario(const RunOptions& opts) {
  if (!log_level(opts.log_level)) return exit_bad_input;
  if (opts.table && opts.json) {
    std::cerr << "pairsim: error: --table prints text; it cannot be combined with --json\n";
    return exit_bad_input;
  }
  if (opts.explain && opts.json) {
    std::cerr << "pairsim: error: --explain prints text; it cannot be combined with --json\n";
    return exit_bad_input;
  }
  if ((!opts.pair.empty() || opts.table_all) && !opts.table) {
    std::cerr << "pairsim: error: " << (opts.table_all ? "--all" : "--pair") << " goes with --table\n";
    return exit_bad_input;
  }
  auto prepared = prepare_scenario(opts.scenario, std::cerr);
  if (!prepared) return exit_bad_input;
  RunOptions run = opts;
  run.save_images = true;
  return simulate_prepared(*prepared, run);
}

int simulate_prepared(PreparedScenario& prepared, const RunOptions& opts, RunShape* shape) {
  const auto level = log_level(opts.log_level);
  if (!level) return exit_bad_input;
  spdlog::set_default_logger(spdlog::stderr_color_st("pairsim"));
  spdlog::set_level(*level);
  spdlog::set_pattern("[%L] %v");

  const Scenario& scenario = prepared.scenario;
  ProgramLibrary& programs = prepared.programs;
  const std::uint64_t seed = opts.seed ? *opts.seed : scenario.seed.value_or(default_seed);

  // Output files are checked before anything is written or simulated: a wrong path is bad input (exit 2).
  for (const auto& [path, what] : {std::pair{&opts.vcd, "VCD file"}, std::pair{&opts.perfetto, "Perfetto file"},
                                   std::pair{&opts.html, "HTML report"}}) {
    if (path->empty() || can_write(*path)) continue;
    std::cerr << "pairsim: error: cannot write " << what << " '" << *path << "'\n";
    return exit_bad_input;
  }
  if (opts.save_images) {
    bool ok = true;
    for (const auto& v : scenario.volumes) {
      if (v.image.empty()) continue;
      if (const std::string why = unwritable_image(v); !why.empty()) {
        std::cerr << v.loc.str() << ": error: " << why << "\n";
        ok = false;
      }
    }
    if (!ok) return exit_bad_input;
  }
  std::unique_ptr<JsonlWriter> trace_file;
  if (!opts.trace.empty()) {
    trace_file = std::make_unique<JsonlWriter>(opts.trace);
    if (!trace_file->ok()) {
      std::cerr << "pairsim: error: cannot write trace file '" << opts.trace << "'\n";
      return exit_bad_input;
    }
  }

  route_systemc_reports();
  TraceBus trace;
  RunRecord record(scenario.machine.cpus);
  trace.add_sink(&record);
  ProtocolLog protocol;  // the protocol warnings and --explain read it
  trace.add_sink(&protocol);
  if (trace_file) {
    trace.add_sink(trace_file.get());
    trace.set_detail(true);
  }
  PairStepLog pair_steps;
  if (opts.table) trace.add_sink(&pair_steps);
  EventLog all_events;  // for the views written at the end
  if (!opts.perfetto.empty() || !opts.html.empty()) {
    trace.add_sink(&all_events);
    trace.set_detail(true);
  }

  Machine machine("top", scenario.machine, trace, programs);
  for (const auto& v : scenario.volumes) {
    try {
      machine.add_volume(v);
    } catch (const std::runtime_error& e) {
      // The sentence says what is wrong with the file; the statement may have to say which file it is.
      std::string why = e.what();
      if (!v.image.empty() && why.rfind(v.image, 0) != 0 && why.find(v.image_as_written) == std::string::npos)
        why = "the image " + v.image_as_written + ": " + why;
      std::cerr << v.loc.str() << ": error: " << why << "\n";
      return exit_bad_input;
    }
  }
  for (const auto& t : scenario.terminals) machine.add_terminal(t);
  // The waveform: the models put their own signals on it, its sinks what the trace events tell; it is written,
  // with its GTKWave save file, when the run ends (docs/trace-format.md, "The VCD waveform").
  // Its sinks come before the driver's, as the trace file does: an event the driver emits while it handles
  // another then reaches them second, in the order the trace file has.
  std::unique_ptr<Waveform> waveform;
  if (!opts.vcd.empty()) {
    waveform = std::make_unique<Waveform>(opts.vcd, "pairsim run " + scenario.path + " --seed " + std::to_string(seed),
                                          scenario.machine.cpus);
    machine.trace(waveform->vcd());
    waveform->attach(trace);
  }

  ScenarioDriver driver("driver", scenario, shape ? shape->schedule(scenario, seed) : resolve_schedule(scenario, seed),
                        machine, trace, record);
  trace.add_sink(&driver);
  if (shape) shape->attach(driver, trace);

  trace.emit(TraceEvent(0, "run_start")
                 .with("scenario", scenario.path)
                 .with("seed", seed)
                 .with("cpus", scenario.machine.cpus));

  const auto host_start = std::chrono::steady_clock::now();
  // Only `pairsim run` itself listens for Ctrl-C: the runs of a campaign or sweep are stopped by their parent.
  struct sigaction old_int {};
  if (!shape) {
    interrupt_requested = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    if (old_int.sa_handler == SIG_IGN) sigaction(SIGINT, &old_int, nullptr);  // started with Ctrl-C ignored
  }
  const bool interrupted = run_in_slices(scenario.run.for_ns, !shape && isatty(STDERR_FILENO) == 1);
  if (!shape) sigaction(SIGINT, &old_int, nullptr);
  const double host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
  const std::uint64_t end_ns = now_ns();
  machine.report_open_requests(end_ns);  // the invariant "no hung request" (sim/report/invariants.hpp)
  if (waveform) machine.bus().finish_waveform();
  TraceEvent run_end(end_ns, "run_end");
  run_end.with("stopped_early", driver.stopped_early() ? 1 : 0);
  if (interrupted) run_end.with("interrupted", 1);  // only then: an ended run's trace is as it always was
  trace.emit(std::move(run_end));
  if (std::string error; waveform && !waveform->write(end_ns, error)) {
    std::cerr << "pairsim: error: " << error << "\n";
    return exit_internal;
  }
  if (trace_file) trace_file->flush();  // a write error is told after the report
  // The images are written back before the report: a run whose volumes could not be saved says so, and exits 3.
  std::string save_error;
  const bool saved = !opts.save_images || machine.save_images(save_error);

  RunOutcome outcome;
  outcome.scenario = &scenario;
  outcome.seed = seed;
  outcome.sim_time_ns = end_ns;
  outcome.host_seconds = host_seconds;
  outcome.guest_instructions = machine.guest_instructions();
  outcome.record = &record;
  outcome.volumes = volume_facts(scenario, machine);
  outcome.results = check_expectations(scenario, record, driver.samples(), outcome.volumes);
  outcome.problems = driver.problems();
  outcome.stopped_early = driver.stopped_early();
  outcome.interrupted = interrupted;
  outcome.warnings = protocol_warnings(protocol, scenario.machine.heartbeat_ns, end_ns);

  // With the trace on standard output, the report goes to standard error.
  std::ostream& out = shape ? shape->report() : opts.trace == "-" ? std::cerr : std::cout;
  const bool colour = !shape && !opts.json && colour_on(&out == &std::cout ? STDOUT_FILENO : STDERR_FILENO);
  out << (opts.json ? json_summary(outcome) : colour ? colour_report(text_report(outcome)) : text_report(outcome));
  if (opts.explain) {
    const std::string why = explain_text(protocol, scenario.machine.heartbeat_ns);
    out << (why.empty() ? "\nexplanation: no CPU went down and no pair took over\n" : why);
  }
  std::string table_error;
  if (opts.table) {
    std::string err;
    const std::string table = pair_tables(pair_steps.events(), opts.pair, err, opts.table_all);
    if (err.empty())
      out << "\n" << table;
    else
      table_error = "no table: " + err;
  }
  out.flush();
  bool written = true;
  if (!opts.perfetto.empty() && !write_file(opts.perfetto, perfetto_json(all_events.events()))) {
    std::cerr << "pairsim: error: cannot write Perfetto file '" << opts.perfetto << "'\n";
    written = false;
  }
  if (!opts.html.empty() && !write_file(opts.html, html_report(outcome, all_events.events()))) {
    std::cerr << "pairsim: error: cannot write HTML report '" << opts.html << "'\n";
    written = false;
  }
  if (trace_file && !trace_file->flush()) {
    std::cerr << "pairsim: error: cannot write trace file '" << opts.trace << "': " << trace_file->error() << "\n";
    written = false;
  }
  if (!out) {
    std::cerr << "pairsim: error: cannot write the report to " << (shape ? "its file" : "standard output") << "\n";
    written = false;
  }
  if (!written) return exit_internal;
  if (interrupted) {
    std::cerr << "pairsim: interrupted at " << static_cast<double>(end_ns) / 1e9
              << " s of simulated time: the report and the trace cover the run up to there\n";
    return exit_run_interrupted;
  }
  if (!table_error.empty()) {
    std::cerr << "pairsim: error: " << table_error << "\n";
    return exit_bad_input;
  }
  if (!saved) {
    std::cerr << "pairsim: error: " << save_error << "\n";
    return exit_internal;
  }
  return outcome.failed() == 0 ? exit_ok : exit_expectation_failed;
}

}  // namespace pairsim::sim
