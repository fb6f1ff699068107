// Volumes in the scenario language: the `volume` statement, the drive and controller actions, their random
// forms, durations and pins, the volume expectations and every error they can have; the verdicts and the
// report's volumes section from plain facts.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "sim/report/expectations.hpp"
#include "sim/report/json_reader.hpp"
#include "sim/report/report.hpp"
#include "sim/report/run_record.hpp"
#include "sim/scenario/duration.hpp"
#include "sim/scenario/scenario_parser.hpp"
#include "sim/scenario/schedule.hpp"

using namespace pairsim::sim;

namespace {

const char* const two_volumes =
    "machine cpus 4\n"
    "volume $DATA controllers 0 1 cpus 2 3\n"
    "volume $LOG controllers 4 5 cpus 1 0 single image logs/log.img blocks 64\n";

Scenario parse_ok(const std::string& text, const std::string& name = "dir/t.scn") {
  ParseResult r = parse_scenario(text, name);
  for (const ScenarioError& e : r.errors) UNSCOPED_INFO(e.str());
  REQUIRE(r.ok());
  return *r.scenario;
}

template <typename T>
T action(const std::string& line) {
  Scenario s = parse_ok(std::string(two_volumes) + "run for 10s\n" + line + "\n");
  REQUIRE(s.actions.size() == 1);
  REQUIRE(std::holds_alternative<T>(s.actions[0].action));
  return std::get<T>(s.actions[0].action);
}

template <typename T>
T expectation(const std::string& line) {
  Scenario s = parse_ok(std::string(two_volumes) + "run for 10s\n" + line + "\n");
  REQUIRE(s.expectations.size() == 1);
  REQUIRE(std::holds_alternative<T>(s.expectations[0].form));
  return std::get<T>(s.expectations[0].form);
}

struct Found {
  int line, col;
  std::string message;
};

void check_error(const std::string& text, int line, int col, const std::string& message) {
  ParseResult r = parse_scenario(text, "bad.scn");
  for (const ScenarioError& e : r.errors) UNSCOPED_INFO(e.str());
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].loc.line == line);
  CHECK(r.errors[0].loc.col == col);
  CHECK(r.errors[0].message == message);
}

std::vector<std::string> lines_of(const std::vector<ResolvedAction>& s) {
  std::vector<std::string> out;
  for (const auto& a : s) out.push_back(format_duration(a.t_ns) + " " + describe(a.action));
  return out;
}

}  // namespace

TEST_CASE("volume: the statement and its defaults", "[scenario][volume]") {
  Scenario s = parse_ok(std::string(two_volumes) + "run for 1s\n");
  REQUIRE(s.volumes.size() == 2);
  const VolumeSpec& d = s.volumes[0];
  CHECK(d.name == "$DATA");
  CHECK(d.controllers[0] == 0);
  CHECK(d.controllers[1] == 1);
  CHECK(d.cpus[0] == 2);
  CHECK(d.cpus[1] == 3);
  CHECK(d.mirrored);
  CHECK(d.drive_count() == 2);
  CHECK(d.image.empty());
  CHECK(d.blocks == 16384);
  CHECK(d.loc.line == 2);
  CHECK(d.loc.col == 1);
  CHECK(d.text == "volume $DATA controllers 0 1 cpus 2 3");
  const VolumeSpec& l = s.volumes[1];
  CHECK_FALSE(l.mirrored);
  CHECK(l.drive_count() == 1);
  CHECK(l.image == "dir/logs/log.img");  // beside the scenario
  CHECK(l.image_as_written == "logs/log.img");
  CHECK(l.blocks == 64);
  // options in any order; an absolute image is kept
  Scenario t = parse_ok("volume $V image /x/v.img single cpus 1 0 blocks 1048576 controllers 7 3\nrun for 1s\n");
  CHECK(t.volumes[0].image == "/x/v.img");
  CHECK(t.volumes[0].controllers[0] == 7);
  CHECK(t.volumes[0].cpus[0] == 1);
  CHECK(t.volumes[0].blocks == 1048576);
  CHECK(parse_ok("volume $V controllers 0 1 cpus 0 1 mirrored\nrun for 1s\n").volumes[0].mirrored);
}

TEST_CASE("volume: its disk process pair starts first, in volume order, before any start", "[scenario][volume]") {
  Scenario s = parse_ok(std::string(two_volumes) + "start $A program a.pasm cpu 0\n" +
                        "start $B program b.pasm cpu 1\nrun for 1s\nexpect $DATA running\nexpect pair $LOG lost\n");
  REQUIRE(s.starts.size() == 4);
  const StartProcess& d = s.starts[0].process;
  CHECK(d.name == "$DATA");
  CHECK(d.program == disk_process_program);
  CHECK(d.cpu == 2);
  CHECK(d.priority == disk_process_priority);
  CHECK(d.args == std::vector<std::int32_t>{3});
  CHECK(s.starts[0].loc.line == 2);
  CHECK(s.starts[0].text == "volume $DATA controllers 0 1 cpus 2 3");
  CHECK(s.starts[1].process.name == "$LOG");
  CHECK(s.starts[1].process.args == std::vector<std::int32_t>{0});
  CHECK(s.starts[2].process.name == "$A");
  CHECK(s.starts[3].process.name == "$B");
}

TEST_CASE("volume: drive and controller actions", "[scenario][volume]") {
  FailDrive f = action<FailDrive>("at 1s fail drive $DATA 1");
  CHECK(f.volume == "$DATA");
  CHECK(f.drive == 1);
  ReviveDrive r = action<ReviveDrive>("at 1s revive drive $LOG 0");
  CHECK(r.volume == "$LOG");
  CHECK(r.drive == 0);
  CHECK(action<FailController>("at 1s fail controller 4").controller == 4);
  CHECK(action<RepairController>("at 1s repair controller 5").controller == 5);
  CHECK(action<SwitchController>("at 1s switch controller 0").controller == 0);
  // random: every drive of every volume, in file order; every controller
  Scenario s = parse_ok(std::string(two_volumes) +
                        "run for 10s\nat random 1s..2s fail drive random for 1s\nat 1s fail controller random\n");
  REQUIRE(s.actions.size() == 2);
  const TimedAction& rd = s.actions[1].random_range ? s.actions[1] : s.actions[0];
  CHECK(std::get<FailDrive>(rd.action).drive == random_drive);
  CHECK(rd.drive_choices == std::vector<std::pair<std::string, int>>{{"$DATA", 0}, {"$DATA", 1}, {"$LOG", 0}});
  REQUIRE(rd.lasts);
  CHECK(rd.lasts->from_ns == 1'000'000'000);
  const TimedAction& rc = s.actions[1].random_range ? s.actions[0] : s.actions[1];
  CHECK(std::get<FailController>(rc.action).controller == random_controller);
  CHECK(rc.controller_choices == std::vector<int>{0, 1, 4, 5});
  // in menus too, and a volume may be named before its statement
  Scenario m = parse_ok("menu io fail drive random for 5ms\nmenu io switch controller 1\nat 1s pick 2 from io\n" +
                        std::string(two_volumes) + "run for 10s\n");
  REQUIRE(m.actions[0].pick);
  REQUIRE(m.actions[0].pick->entries.size() == 2);
  CHECK(m.actions[0].pick->entries[0].drive_choices.size() == 3);
  CHECK(draws_at_random(m));
}

TEST_CASE("volume: expectations", "[scenario][volume]") {
  CHECK(expectation<ExpectMirrorsEqual>("expect volume $DATA mirrors equal").volume == "$DATA");
  ExpectDriveState d = expectation<ExpectDriveState>("expect volume $DATA drive 1 reviving");
  CHECK(d.volume == "$DATA");
  CHECK(d.drive == 1);
  CHECK(d.state == DriveStateName::reviving);
  CHECK(expectation<ExpectDriveState>("expect volume $LOG drive 0 down").state == DriveStateName::down);
  ExpectFileRecords f = expectation<ExpectFileRecords>("expect file $DATA.ACCOUNTS records 12");
  CHECK(f.volume == "$DATA");
  CHECK(f.file == "ACCOUNTS");
  CHECK(f.records == 12);
  // the disk process pair is a named process
  CHECK(expectation<ExpectRunning>("expect $DATA running").process == "$DATA");
}

TEST_CASE("volume: the schedule draws drives and controllers, and repairs what it drew", "[schedule][volume]") {
  const std::string text = std::string(two_volumes) +
                           "at random 1ms..9ms fail drive random for 2ms\n"
                           "at 5ms fail controller random for random 1ms..3ms\n"
                           "at 6ms switch controller 4\nrun for 1s\n";
  Scenario s = parse_ok(text);
  std::set<std::string> drawn;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    auto sched = resolve_schedule(s, seed);
    CHECK(lines_of(resolve_schedule(s, seed)) == lines_of(sched));  // the same every time
    REQUIRE(sched.size() == 5);
    for (const auto& a : sched) {
      if (auto* f = std::get_if<FailDrive>(&a.action)) {
        drawn.insert(describe(a.action));
        bool repaired = false;
        for (const auto& b : sched)
          if (auto* r = std::get_if<ReviveDrive>(&b.action))
            repaired = r->volume == f->volume && r->drive == f->drive && b.is_repair && b.t_ns == a.t_ns + 2'000'000;
        CHECK(repaired);
      }
      if (auto* f = std::get_if<FailController>(&a.action)) {
        drawn.insert(describe(a.action));
        bool repaired = false;
        for (const auto& b : sched)
          if (auto* r = std::get_if<RepairController>(&b.action)) repaired = r->controller == f->controller;
        CHECK(repaired);
      }
    }
  }
  CHECK(drawn == std::set<std::string>{"fail drive $DATA 0", "fail drive $DATA 1", "fail drive $LOG 0",
                                       "fail controller 0", "fail controller 1", "fail controller 4",
                                       "fail controller 5"});
}

TEST_CASE("volume: a pinned scenario draws nothing and names the image absolutely", "[schedule][volume]") {
  const std::string text = std::string(two_volumes) +
                           "menu io fail controller random for 1ms\n"
                           "at random 1ms..9ms fail drive random for random 1ms..4ms\n"
                           "at 2ms pick 2 from io\nat 3ms switch controller 1\nrun for 1s\n";
  Scenario s = parse_ok(text, "t.scn");
  auto sched = resolve_schedule(s, 17);
  const std::string pinned = pin_scenario(text, s, sched, {"pinned"}, ".");
  INFO(pinned);
  CHECK(pinned.find("volume $DATA controllers 0 1 cpus 2 3\n") != std::string::npos);
  CHECK(pinned.find("logs/log.img") != std::string::npos);
  CHECK(pinned.find(" image /") != std::string::npos);
  CHECK(pinned.find("at 3ms switch controller 1\n") != std::string::npos);
  Scenario again = parse_ok(pinned, "t.scn");
  CHECK_FALSE(draws_at_random(again));
  CHECK(lines_of(resolve_schedule(again, 999)) == lines_of(sched));
}

TEST_CASE("volume error: the volume statement", "[scenario][error][volume]") {
  check_error("volume DATA controllers 0 1 cpus 0 1\nrun for 1s\n", 1, 8,
              "expected a process name such as $SERV, found 'DATA'");
  check_error("volume $DATA cpus 0 1\nrun for 1s\n", 1, 22, "a volume statement needs 'controllers C0 C1'");
  check_error("volume $DATA controllers 0 1\nrun for 1s\n", 1, 29, "a volume statement needs 'cpus A B'");
  check_error("volume $DATA controllers 0 0 cpus 0 1\nrun for 1s\n", 1, 28,
              "a volume's two controllers must differ: both are 0");
  check_error("volume $DATA controllers -1 0 cpus 0 1\nrun for 1s\n", 1, 26,
              "a controller number must be between 0 and 255, not -1");
  check_error("volume $A controllers 0 1 cpus 0 1\nvolume $B controllers 2 1 cpus 0 1\nrun for 1s\n", 2, 25,
              "controller 1 already serves the volume at line 1");
  check_error("volume $A controllers 0 1 cpus 0 1\nvolume $A controllers 2 3 cpus 0 1\nrun for 1s\n", 2, 8,
              "volume $A is already defined at line 1");
  check_error("volume $DATA controllers 0 1 cpus 2 2\nrun for 1s\n", 1, 37,
              "a volume's two CPUs must differ (the disk process's primary and backup): both are 2");
  check_error("volume $DATA controllers 0 1 cpus 0 4\nrun for 1s\n", 1, 37,
              "CPU 4 does not exist: the machine has 4 CPUs, numbered 0 to 3");
  check_error("volume $DATA controllers 0 1 cpus 0 1\nmachine cpus 2\nrun for 1s\n", 2, 1,
              "machine must come before the first statement that names a CPU (line 1)");
  check_error("volume $DATA controllers 0 1 cpus 0 1 single mirrored\nrun for 1s\n", 1, 46,
              "a volume is either mirrored or single, not both");
  check_error("volume $DATA controllers 0 1 cpus 0 1 blocks 63\nrun for 1s\n", 1, 46,
              "blocks must be between 64 and 1048576, not 63");
  check_error("volume $DATA controllers 0 1 cpus 0 1 blocks 1048577\nrun for 1s\n", 1, 46,
              "blocks must be between 64 and 1048576, not 1048577");
  check_error("volume $DATA controllers 0 1 cpus 0 1 image \"\"\nrun for 1s\n", 1, 45, "the image path is empty");
  check_error(
      "volume $A controllers 0 1 cpus 0 1 image a.img\nvolume $B controllers 2 3 cpus 0 1 image a.img\n"
      "run for 1s\n",
      2, 42, "the image a.img already holds volume $A (line 1)");
  check_error("volume $DATA controllers 0 1 cpus 0 1 cpus 1 0\nrun for 1s\n", 1, 39,
              "'cpus' given twice in one volume statement");
  check_error(
      "volume $DATA controllers 0 1 cpus 0 1 fast\nrun for 1s\n", 1, 39,
      "expected one of: controllers, cpus, mirrored, single, image, blocks in a volume statement, found 'fast'");
  check_error("run for 1s\nvolume $DATA controllers 0 1 cpus 0 1\n", 2, 1,
              "a volume statement must come before the run statement (line 1)");
  check_error("start $DATA program a.pasm cpu 0\nvolume $DATA controllers 0 1 cpus 0 1\nrun for 1s\n", 2, 8,
              "process $DATA is already started at line 1: a volume's disk process goes by the volume's name");
  check_error("volume $DATA controllers 0 1 cpus 0 1\nstart $DATA program a.pasm cpu 0\nrun for 1s\n", 2, 7,
              "process $DATA is already started at line 1 (the disk process of volume $DATA)");
}

TEST_CASE("volume error: actions", "[scenario][error][volume]") {
  const std::string v = "volume $DATA controllers 0 1 cpus 0 1\nvolume $LOG controllers 2 3 cpus 0 1 single\n";
  check_error(v + "run for 1s\nat 1ms fail drive $NOPE 0\n", 4, 19,
              "no volume statement defines volume $NOPE (volumes: $DATA, $LOG)");
  check_error("run for 1s\nat 1ms fail drive $NOPE 0\n", 2, 19,
              "no volume statement defines volume $NOPE (no volume statement: add one, for example 'volume $DATA "
              "controllers 0 1 cpus 0 1')");
  check_error(v + "run for 1s\nat 1ms fail drive $LOG 1\n", 4, 24, "volume $LOG is single: its only drive is drive 0");
  check_error(v + "run for 1s\nat 1ms revive drive $DATA 2\n", 4, 27,
              "the drive number (0, or 1 of a mirrored volume) must be between 0 and 1, not 2");
  check_error(v + "run for 1s\nat 1ms fail drive DATA 0\n", 4, 19,
              "expected a volume name such as $DATA, found 'DATA'");
  check_error(v + "run for 1s\nat 1ms revive drive random\n", 4, 21, "'random' is allowed only in 'fail drive random'");
  check_error(v + "run for 1s\nat 1ms fail controller 7\n", 4, 24,
              "no volume statement has controller 7 (controllers: 0, 1, 2, 3)");
  check_error(v + "run for 1s\nat 1ms repair controller random\n", 4, 26,
              "'random' is allowed only in 'fail controller random'");
  check_error(v + "run for 1s\nat 1ms switch controller 0 for 1ms\n", 4, 28,
              "unexpected 'for' after a complete statement");
  check_error(v + "run for 1s\nat 1ms revive drive $DATA 0 for 1ms\n", 4, 29,
              "unexpected 'for' after a complete statement");
  check_error(v + "run for 1s\nat 1ms switch cpu 0\n", 4, 15, "expected 'controller' after 'switch', found 'cpu'");
  check_error(v + "run for 1s\nat 1ms revive cpu 0\n", 4, 15, "expected 'drive' after 'revive', found 'cpu'");
  check_error("run for 1s\nat 1ms fail drive random\n", 2, 19,
              "'fail drive random' draws from the volumes (no volume statement: add one, for example 'volume $DATA "
              "controllers 0 1 cpus 0 1')");
  check_error("run for 1s\nmenu io fail controller random\n", 2, 25,
              "'fail controller random' draws from the volumes (no volume statement: add one, for example 'volume "
              "$DATA controllers 0 1 cpus 0 1')");
}

TEST_CASE("volume error: expectations", "[scenario][error][volume]") {
  const std::string v =
      "volume $DATA controllers 0 1 cpus 0 1\nvolume $LOG controllers 2 3 cpus 0 1 single\nrun for 1s\n";
  check_error(v + "expect volume $DATA mirrors\n", 4, 28,
              "expected 'equal' after 'mirrors', but the statement ends here");
  check_error(v + "expect volume $DATA disks\n", 4, 21,
              "expected one of: mirrors, drive after the volume's name, found 'disks'");
  check_error(v + "expect volume $DATA drive 0 broken\n", 4, 29,
              "expected a drive state (one of: up, down, reviving), found 'broken'");
  check_error(v + "expect volume $LOG drive 1 up\n", 4, 26, "volume $LOG is single: its only drive is drive 0");
  check_error(v + "expect volume $TMP mirrors equal\n", 4, 15,
              "no volume statement defines volume $TMP (volumes: $DATA, $LOG)");
  check_error(v + "expect file $DATA records 1\n", 4, 13,
              "expected a file name such as $DATA.ACCOUNTS (the volume, a dot, the file), found '$DATA'");
  check_error(v + "expect file $DATA.accounts records 1\n", 4, 19,
              "bad file name 'accounts': 1 to 8 characters, an upper-case letter, then upper-case letters and digits");
  check_error(v + "expect file $DATA.ACCOUNTS2 records 1\n", 4, 19,
              "bad file name 'ACCOUNTS2': 1 to 8 characters, an upper-case letter, then upper-case letters and digits");
  check_error(v + "expect file $TMP.A records 1\n", 4, 13,
              "no volume statement defines volume $TMP (volumes: $DATA, $LOG)");
  check_error(v + "expect file $DATA.A records -1\n", 4, 29,
              "the number of records must be between 0 and 4294967295, not -1");
  check_error(v + "expect file $DATA.A has 1\n", 4, 21, "expected 'records' after the file name, found 'has'");
}

TEST_CASE("volume: verdicts from the volumes' facts", "[expect][volume]") {
  Scenario s = parse_ok(std::string(two_volumes) +
                        "run for 1s\n"
                        "expect volume $DATA mirrors equal\n"
                        "expect volume $DATA drive 1 down\n"
                        "expect volume $LOG mirrors equal\n"
                        "expect file $DATA.ACCOUNTS records 3\n"
                        "expect file $DATA.LOG records 1\n"
                        "expect file $LOG.A records 0\n");
  RunRecord r(4);
  std::vector<VolumeFacts> facts(2);
  facts[0].name = "$DATA";
  facts[0].drives = {"up", "down"};
  facts[0].mirrors_equal = false;
  facts[0].first_difference = 7;
  facts[0].files = std::vector<FileFacts>{{"ACCOUNTS", 3}};
  facts[0].directory_drive = 0;
  facts[1].name = "$LOG";
  facts[1].drives = {"down"};
  auto res = check_expectations(s, r, {}, facts);
  REQUIRE(res.size() == 6);
  CHECK_FALSE(res[0].ok);
  CHECK(res[0].detail == "the drives differ from block 7 (drive 0 up, drive 1 down)");
  CHECK(res[1].ok);
  CHECK(res[1].detail == "drive 1 was down");
  CHECK(res[2].ok);
  CHECK(res[2].detail == "a single drive");
  CHECK(res[3].ok);
  CHECK(res[3].detail == "$DATA.ACCOUNTS has 3 records (directory of drive 0)");
  CHECK_FALSE(res[4].ok);
  CHECK(res[4].detail == "no file LOG on $DATA (1 file in the directory of drive 0)");
  CHECK_FALSE(res[5].ok);
  CHECK(res[5].detail == "no drive of $LOG is up: its directory cannot be read");
  // without facts (nothing gathered) they fail, and say so
  auto none = check_expectations(s, r, {});
  CHECK_FALSE(none[1].ok);
  CHECK(none[1].detail == "no facts about volume $DATA");
}

TEST_CASE("volume: the report and the summary have a volumes section only with volumes", "[report][volume]") {
  Scenario s = parse_ok(std::string(two_volumes) + "run for 1s\n");
  RunRecord r(4);
  RunOutcome o;
  o.scenario = &s;
  o.record = &r;
  VolumeFacts d;
  d.name = "$DATA";
  d.drives = {"up", "reviving"};
  d.mirrors_equal = false;
  d.first_difference = 5;
  d.controllers = {{0, 2, true}, {1, 3, false}};
  d.files = std::vector<FileFacts>{{"A", 1}, {"B", 2}};
  o.volumes = {d};
  const std::string text = text_report(o);
  INFO(text);
  CHECK(
      text.find("\nvolumes:\n  $DATA: drive 0 up, drive 1 reviving; mirrors differ from block 5; controller 0 (cpu 2), "
                "1 (cpu 3, down); 2 files\n") != std::string::npos);
  auto j = parse_json(json_summary(o));
  REQUIRE(j);
  const JsonValue* vols = j->get("volumes");
  REQUIRE(vols);
  REQUIRE(vols->items().size() == 1);
  const JsonValue& v = vols->items()[0];
  CHECK(v.keys() == std::vector<std::string>{"name", "drives", "mirrors_equal", "controllers"});
  CHECK(v.get("name")->as_string() == "$DATA");
  REQUIRE(v.get("drives")->items().size() == 2);
  CHECK(v.get("drives")->items()[1].as_string() == "reviving");
  CHECK(v.get("mirrors_equal")->as_bool() == false);
  const auto& ctl = v.get("controllers")->items();
  REQUIRE(ctl.size() == 2);
  CHECK(ctl[1].get("id")->as_int() == 1);
  CHECK(ctl[1].get("owner")->as_int() == 3);
  CHECK(ctl[1].get("up")->as_bool() == false);
  // after the invariants, before the expectations
  const auto& keys = j->keys();
  auto at = [&](const char* k) { return std::find(keys.begin(), keys.end(), k) - keys.begin(); };
  CHECK(at("volumes") == at("invariants") + 1);
  CHECK(at("expectations") == at("volumes") + 1);

  Scenario plain = parse_ok("run for 1s\n");
  RunOutcome p;
  p.scenario = &plain;
  p.record = &r;
  CHECK(text_report(p).find("volumes") == std::string::npos);
  CHECK(json_summary(p).find("volumes") == std::string::npos);
}
