// A trace line is written in pieces gathered in a small buffer; events with many fields, long keys, text
// that needs escaping and extreme integers must come out whole and read back the same.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "sim/trace/trace_event.hpp"

namespace pairsim::sim {
namespace {

TEST_CASE("trace lines: many long integer fields, escaped text and odd keys read back unchanged", "[trace]") {
  TraceEvent e(std::numeric_limits<std::uint64_t>::max() / 2, "a_kind_with \"quotes\"");
  for (int i = 0; i < 30; ++i)
    e.with("a_key_that_is_forty_characters_long_" + std::to_string(1000 + i),
           i % 2 ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max());
  e.with("text", "line\nwith \"quotes\", a tab\t, a backslash \\ and \x01");
  e.with("key \"quoted\"", 7);
  e.with_bool("flag", true);
  for (int i = 0; i < 20; ++i) e.with("k" + std::to_string(i), -i);
  const std::string line = e.to_json();
  std::string appended = "prefix";
  e.append_json(appended);
  CHECK(appended == "prefix" + line);
  const auto back = parse_trace_line(line);
  REQUIRE(back);
  CHECK(back->t_ns == e.t_ns);
  CHECK(back->kind == e.kind);
  REQUIRE(back->fields.size() == e.fields.size());
  for (std::size_t i = 0; i < e.fields.size(); ++i) {
    CAPTURE(i);
    CHECK(back->fields[i].key == e.fields[i].key);
    CHECK(back->fields[i].value == e.fields[i].value);
  }
}

TEST_CASE("trace lines: a temporary event is moved along a chain of fields", "[trace]") {
  const std::string big(1000, 'x');
  TraceEvent moved = TraceEvent(5, "k").with("a", 1).with("text", big).as_detail();
  CHECK(moved.detail);
  CHECK(moved.get_str("text") == big);
  CHECK(moved.to_json() == "{\"t_ns\":5,\"kind\":\"k\",\"a\":1,\"text\":\"" + big + "\"}");
}

}  // namespace
}  // namespace pairsim::sim
