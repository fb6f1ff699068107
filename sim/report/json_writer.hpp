#pragma once
// A small streaming JSON writer: enough for the run summary, with stable key order (the order written).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pairsim::sim {

class JsonWriter {
 public:
  explicit JsonWriter(int indent = 2) : indent_(indent) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& k);
  JsonWriter& value(const std::string& v);
  JsonWriter& value(const char* v) { return value(std::string(v)); }
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(std::uint64_t v);
  JsonWriter& value(double v);
  JsonWriter& value(bool v);
  JsonWriter& null();

  template <typename T>
  JsonWriter& field(const std::string& k, const T& v) {
    key(k);
    return value(v);
  }
  // A value the run may not have (a takeover with no failure time, a process with no exit code): null.
  template <typename T>
  JsonWriter& field(const std::string& k, const std::optional<T>& v) {
    key(k);
    return v ? value(*v) : null();
  }

  const std::string& str() const { return out_; }

 private:
  void before_value();
  void newline();

  struct Level {
    bool is_object;
    bool empty = true;
  };
  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
  int indent_;
};

}  // namespace pairsim::sim
