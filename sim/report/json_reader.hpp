#pragma once
// Reads JSON text into a tree: what a campaign needs to read the `pairsim run --json` summary of each of
// its runs (and, later, to read results files back). The writing side is sim/report/json_writer.hpp.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pairsim::sim {

class JsonValue {
 public:
  enum class Type { null, boolean, number, string, array, object };

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::null; }
  bool is_array() const { return type_ == Type::array; }
  bool is_object() const { return type_ == Type::object; }

  // Each is nullopt when the value is not of that kind. Numbers keep their literal text, so 64-bit
  // integers (seeds, nanoseconds) come back exact; as_int/as_uint refuse fractions and out-of-range values.
  std::optional<bool> as_bool() const;
  std::optional<std::int64_t> as_int() const;
  std::optional<std::uint64_t> as_uint() const;
  std::optional<double> as_double() const;
  std::optional<std::string> as_string() const;

  // An object's member (the first of that name), or nullptr when there is none or this is no object.
  const JsonValue* get(std::string_view key) const;
  // An array's elements, or an object's values, in the order written.
  const std::vector<JsonValue>& items() const { return items_; }
  // An object's keys, parallel to items().
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  friend class JsonParser;
  Type type_ = Type::null;
  bool bool_ = false;
  std::string text_;  // a string's value, or a number's literal
  std::vector<std::string> keys_;
  std::vector<JsonValue> items_;
};

// The whole of `text` must be one JSON value (white space around it allowed). On error, nullopt, and
// `error` (when given) says what was wrong and at which byte offset.
std::optional<JsonValue> parse_json(std::string_view text, std::string* error = nullptr);

}  // namespace pairsim::sim
