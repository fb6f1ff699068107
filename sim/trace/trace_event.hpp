#pragma once
// One event of a run: simulated time, a stable kind name, and ordered fields. The field order is the order
// the emitter added them, so the JSON-lines trace is byte-identical for the same run.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pairsim::sim {

struct TraceField {
  std::string key;
  std::variant<std::int64_t, std::string, bool> value;
};

struct TraceEvent {
  std::uint64_t t_ns = 0;
  std::string kind;
  std::vector<TraceField> fields;

  TraceEvent() = default;
  TraceEvent(std::uint64_t t, std::string k) : t_ns(t), kind(std::move(k)) {}

  TraceEvent& with(std::string key, std::int64_t v) {
    fields.push_back({std::move(key), v});
    return *this;
  }
  TraceEvent& with(std::string key, int v) { return with(std::move(key), static_cast<std::int64_t>(v)); }
  TraceEvent& with(std::string key, unsigned v) { return with(std::move(key), static_cast<std::int64_t>(v)); }
  TraceEvent& with(std::string key, std::uint64_t v) { return with(std::move(key), static_cast<std::int64_t>(v)); }
  TraceEvent& with(std::string key, std::string v) {
    fields.push_back({std::move(key), std::move(v)});
    return *this;
  }
  TraceEvent& with(std::string key, const char* v) { return with(std::move(key), std::string(v)); }
  TraceEvent& with_bool(std::string key, bool v) {
    fields.push_back({std::move(key), v});
    return *this;
  }

  std::optional<std::int64_t> get_int(const std::string& key) const;
  std::optional<std::string> get_str(const std::string& key) const;
  std::optional<bool> get_bool(const std::string& key) const;

  // {"t_ns":…,"kind":"…",<fields in order>} — no trailing newline.
  std::string to_json() const;
};

// Parses one line written by to_json (the subset of JSON it writes: flat object, integers, strings, bools).
// Returns nullopt on anything else. Used by `pairsim table` and the tests.
std::optional<TraceEvent> parse_trace_line(const std::string& line);

std::string json_escape(const std::string& s);

}  // namespace pairsim::sim
