#pragma once
// What the run-record tests share: a scenario that must parse, and trace events fed to a record by hand.
#include <catch2/catch.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

#include "sim/report/run_record.hpp"
#include "sim/scenario/scenario_parser.hpp"

namespace pairsim::sim::test {

inline Scenario parse_ok(const std::string& text) {
  auto r = parse_scenario(text, "t.scn");
  INFO((r.errors.empty() ? std::string() : r.errors.front().str()));
  REQUIRE(r.ok());
  return *r.scenario;
}

inline void feed(RunRecord& r, std::uint64_t t, const std::string& kind,
                 std::initializer_list<std::pair<const char*, std::int64_t>> ints,
                 std::initializer_list<std::pair<const char*, const char*>> strs = {}) {
  TraceEvent e(t, kind);
  for (auto& [k, v] : ints) e.with(k, v);
  for (auto& [k, v] : strs) e.with(k, v);
  r.on_event(e);
}

}  // namespace pairsim::sim::test
