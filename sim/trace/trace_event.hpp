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
  // A detail event (docs/trace-format.md †, one for every message): only the sinks that take them see it
  // (TraceSink::takes_detail). Not part of the event's text.
  bool detail = false;

  TraceEvent() = default;
  TraceEvent(std::uint64_t t, std::string k) : t_ns(t), kind(std::move(k)) {
    fields.reserve(8);  // one allocation for the fields of almost every event
  }

  // Fields are added in order: TraceEvent(t, "kind").with("cpu", 1).with("process", name). On a temporary the
  // chain stays a temporary, so it is moved, not copied, into whatever takes it.
  template <class V>
  TraceEvent& with(std::string key, V v) & {
    add(std::move(key), v);
    return *this;
  }
  template <class V>
  TraceEvent&& with(std::string key, V v) && {
    add(std::move(key), v);
    return std::move(*this);
  }
  TraceEvent& with_bool(std::string key, bool v) & {
    fields.push_back({std::move(key), v});
    return *this;
  }
  TraceEvent&& with_bool(std::string key, bool v) && { return std::move(with_bool(std::move(key), v)); }
  TraceEvent& as_detail() & {
    detail = true;
    return *this;
  }
  TraceEvent&& as_detail() && {
    detail = true;
    return std::move(*this);
  }

  std::optional<std::int64_t> get_int(const std::string& key) const;
  std::optional<std::string> get_str(const std::string& key) const;
  std::optional<bool> get_bool(const std::string& key) const;

  // {"t_ns":…,"kind":"…",<fields in order>} — no trailing newline.
  std::string to_json() const;
  void append_json(std::string& out) const;  // the same, appended to `out`

 private:
  void add(std::string key, std::int64_t v) { fields.push_back({std::move(key), v}); }
  void add(std::string key, int v) { add(std::move(key), static_cast<std::int64_t>(v)); }
  void add(std::string key, unsigned v) { add(std::move(key), static_cast<std::int64_t>(v)); }
  void add(std::string key, std::uint64_t v) { add(std::move(key), static_cast<std::int64_t>(v)); }
  void add(std::string key, std::string v) { fields.push_back({std::move(key), std::move(v)}); }
  void add(std::string key, const char* v) { add(std::move(key), std::string(v)); }
};

// Parses one line written by to_json (the subset of JSON it writes: flat object, integers, strings, bools).
// Returns nullopt on anything else. Used by `pairsim table` and the tests.
std::optional<TraceEvent> parse_trace_line(const std::string& line);

std::string json_escape(const std::string& s);
void append_json_escaped(std::string& out, const std::string& s);  // json_escape(s), appended to `out`

}  // namespace pairsim::sim
