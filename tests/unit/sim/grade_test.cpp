// The graded labs' kernel-free parts (sim/campaign/grade.hpp): the manifest, the programs put in place of the
// starter, a check's moments, the advice comments and the report.
#include "sim/campaign/grade.hpp"

#include <catch2/catch.hpp>

using namespace pairsim::sim;

namespace {

LabManifest parse_ok(const std::string& text) {
  std::vector<std::string> errors;
  auto m = parse_lab_manifest(text, "lab.grade", errors);
  INFO((errors.empty() ? std::string() : errors.front()));
  REQUIRE(m);
  return *m;
}

std::vector<std::string> parse_errors(const std::string& text) {
  std::vector<std::string> errors;
  CHECK_FALSE(parse_lab_manifest(text, "lab.grade", errors));
  return errors;
}

}  // namespace

TEST_CASE("a lab manifest names the submission and its checks") {
  const auto m = parse_ok(
      "# a comment\n"
      "title \"Phoenix: a pair\"\n"
      "submission phoenix.ptal\n"
      "\n"
      "check counts counts.scn points 1\n"
      "check primary-fails primary.scn points 4 moments 24 quick 6 fault \"the primary's CPU failed\"  # why\n"
      "check backup backup.scn points 2 moments 8 fault \"the backup's CPU failed\"\n");
  CHECK(m.title == "Phoenix: a pair");
  CHECK(m.submission == "phoenix.ptal");
  REQUIRE(m.checks.size() == 3);
  CHECK(m.checks[0].name == "counts");
  CHECK(m.checks[0].moments == 0);
  CHECK(m.checks[1].scenario == "primary.scn");
  CHECK(m.checks[1].points == 4);
  CHECK(m.checks[1].moments == 24);
  CHECK(m.checks[1].quick == 6);
  CHECK(m.checks[1].fault == "the primary's CPU failed");
  CHECK(m.checks[1].line == 6);
  CHECK(m.checks[2].quick == 4);  // the default
}

TEST_CASE("a lab manifest's mistakes are reported at their line and column") {
  CHECK(parse_errors("submission a.ptal\nchek x x.scn points 1\n").front() ==
        "lab.grade:2:1: error: expected 'title', 'submission' or 'check', found 'chek'");
  CHECK(parse_errors("submission a.ptal\ncheck x x.scn points -1\n").front() ==
        "lab.grade:2:22: error: points takes a whole number from 0 to 1000, not '-1'");
  CHECK(parse_errors("submission a.ptal\ncheck x x.scn\n").front() ==
        "lab.grade:2:14: error: check 'x' needs its points: points P");
  CHECK(parse_errors("submission a.ptal\ncheck X x.scn points 1\n").front().rfind("lab.grade:2:7: error:", 0) == 0);
  CHECK(parse_errors("submission a.ptal\ncheck x x.scn points 1 moments 4\n").front().find("needs fault") !=
        std::string::npos);
  CHECK(parse_errors("submission a.ptal\ncheck x x.scn points 1\ncheck x y.scn points 1\n").front() ==
        "lab.grade:3:7: error: check 'x' is named twice (first on line 2)");
  CHECK(parse_errors("title \"open\nsubmission a.ptal\n").front() ==
        "lab.grade:1:7: error: this string is not closed with a \"");
  CHECK(parse_errors("check x x.scn points 1\n").front() ==
        "lab.grade:2:1: error: the manifest names no submission file");
}

TEST_CASE("the submission takes the starter's place in a scenario's starts") {
  const std::string text =
      "start $COUNT program phoenix.ptal cpu 1 args 2   # program phoenix.ptal\n"
      "at 1ms start $C1 program \"client.ptal\" cpu 0\n"
      "at 1ms start $C2 program bank-client.pasm cpu 3\n"
      "expect output $C1 \"program phoenix.ptal\"\n";
  const std::string out =
      substitute_programs(text, "phoenix.ptal", "/home/s/my \"x\".ptal", "/labs/01", {"client.ptal"});
  CHECK(out ==
        "start $COUNT program \"/home/s/my \\\"x\\\".ptal\" cpu 1 args 2   # program phoenix.ptal\n"
        "at 1ms start $C1 program \"/labs/01/client.ptal\" cpu 0\n"
        "at 1ms start $C2 program bank-client.pasm cpu 3\n"
        "expect output $C1 \"program phoenix.ptal\"\n");
}

TEST_CASE("a moment fixes the time of the check's `at random` statement") {
  const std::string text = "run for 1s\nat random 2ms..20ms fail cpu 1   # moved\n";
  CHECK(fix_moment(text, 2, 12345678) == "run for 1s\nat 12345678ns fail cpu 1   # moved\n");
  CHECK_FALSE(fix_moment(text, 1, 5));
  CHECK_FALSE(fix_moment(text, 9, 5));
}

TEST_CASE("an expectation's advice is the comment at the end of its line, outside strings") {
  const std::string text = "expect output $C \"a # b\"   # the advice \nexpect $C exit 0\n";
  CHECK(trailing_comment(text, 1) == "the advice");
  CHECK(trailing_comment(text, 2).empty());
  CHECK(moment_words(12345678) == "12.346 ms");
  CHECK(moment_words(5000000) == "5.000 ms");
}

TEST_CASE("the report gives a check its points only when every moment held, and says what failed and when") {
  const auto m = parse_ok(
      "title \"T\"\nsubmission s.ptal\ncheck a a.scn points 1\ncheck b b.scn points 3 moments 3 fault \"CPU 1 "
      "failed\"\n");
  std::vector<CheckOutcome> outcomes(2);
  outcomes[0].check = &m.checks[0];
  outcomes[0].results.resize(1);
  outcomes[0].results[0].verdict = Verdict::held;
  outcomes[1].check = &m.checks[1];
  outcomes[1].scenario_text = "machine cpus 4\nexpect $C exit 0   # the client saw a transfer twice\n";
  outcomes[1].times = {2000000, 11000000, 20000000};
  outcomes[1].results.resize(3);
  outcomes[1].details.resize(3);
  outcomes[1].abends.resize(3);
  outcomes[1].results[0].verdict = Verdict::held;
  for (int k : {1, 2}) {
    outcomes[1].results[k].verdict = Verdict::failed;
    outcomes[1].results[k].failed.push_back({2, "expect $C exit 0"});
  }
  outcomes[1].details[1][2] = "$C stopped with exit 1";
  CHECK(points_earned(outcomes[0]) == 1);
  CHECK(points_earned(outcomes[1]) == 0);
  const std::string report = grade_report(m, "labs/x", outcomes, "pairsim grade labs/x s.ptal");
  CHECK(report ==
        "lab labs/x: T\n\n"
        "  ✓ a  1/1 points\n"
        "  ✗ b  0/3 points, held at 1 of 3 moments (2.000 ms .. 20.000 ms) when CPU 1 failed\n"
        "      b.scn:2: expect $C exit 0 — failed at 2 of 3 moments, first after CPU 1 failed at 11.000 ms\n"
        "        found: $C stopped with exit 1\n"
        "        the client saw a transfer twice\n"
        "        replay: pairsim grade labs/x s.ptal --replay b:1\n"
        "\nscore: 1/4 points, 1 of 2 checks passed\n");
}

TEST_CASE("a run's facts: what each failed expectation found, what a process printed last, abends") {
  const std::string summary = R"({"processes": [
      {"name": "$C1", "cpu": 0, "abend": null, "output": ["reply 1", "bad reply 2", "reply seq 2", "reply count 3"]},
      {"name": "$S", "cpu": 1, "abend": "division by zero", "output": []}],
    "expectations": {"results": [
      {"line": 4, "text": "expect $C1 exit 0", "ok": false, "detail": "$C1 (cpu 0, pin 2) stopped with exit 1"},
      {"line": 5, "text": "expect output $C1 \"x\"", "ok": false, "detail": "no line equals \"x\""},
      {"line": 6, "text": "expect $S running", "ok": true, "detail": "running"}]}})";
  std::map<int, std::string> details;
  std::vector<std::string> abends;
  read_run_facts(summary, details, abends);
  CHECK(details.size() == 2);
  CHECK(details[4] ==
        "$C1 (cpu 0, pin 2) stopped with exit 1; its last lines: \"bad reply 2\", \"reply seq 2\", \"reply count 3\"");
  CHECK(details[5] == "no line equals \"x\"");
  REQUIRE(abends.size() == 1);
  CHECK(abends[0] == "$S abended in cpu 1: division by zero");
}
