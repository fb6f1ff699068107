#include "sim/trace/trace_event.hpp"

#include <cctype>
#include <cstdio>

namespace pairsim::sim {

std::optional<std::int64_t> TraceEvent::get_int(const std::string& key) const {
  for (const auto& f : fields)
    if (f.key == key) {
      if (auto* v = std::get_if<std::int64_t>(&f.value)) return *v;
      return std::nullopt;
    }
  return std::nullopt;
}

std::optional<std::string> TraceEvent::get_str(const std::string& key) const {
  for (const auto& f : fields)
    if (f.key == key) {
      if (auto* v = std::get_if<std::string>(&f.value)) return *v;
      return std::nullopt;
    }
  return std::nullopt;
}

std::optional<bool> TraceEvent::get_bool(const std::string& key) const {
  for (const auto& f : fields)
    if (f.key == key) {
      if (auto* v = std::get_if<bool>(&f.value)) return *v;
      return std::nullopt;
    }
  return std::nullopt;
}

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string TraceEvent::to_json() const {
  std::string out = "{\"t_ns\":" + std::to_string(t_ns) + ",\"kind\":\"" + json_escape(kind) + "\"";
  for (const auto& f : fields) {
    out += ",\"" + json_escape(f.key) + "\":";
    if (auto* i = std::get_if<std::int64_t>(&f.value)) {
      out += std::to_string(*i);
    } else if (auto* b = std::get_if<bool>(&f.value)) {
      out += *b ? "true" : "false";
    } else {
      out += "\"" + json_escape(std::get<std::string>(f.value)) + "\"";
    }
  }
  out += "}";
  return out;
}

namespace {

struct Cursor {
  const std::string& s;
  std::size_t i = 0;
  void skip_ws() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  bool eat(char c) {
    skip_ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::optional<std::string> string() {
    skip_ws();
    if (i >= s.size() || s[i] != '"') return std::nullopt;
    ++i;
    std::string out;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c == '\\') {
        if (i >= s.size()) return std::nullopt;
        char e = s[i++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            if (i + 4 > s.size()) return std::nullopt;
            out += static_cast<char>(std::stoi(s.substr(i, 4), nullptr, 16));
            i += 4;
            break;
          }
          default: out += e;
        }
      } else {
        out += c;
      }
    }
    if (i >= s.size()) return std::nullopt;
    ++i;
    return out;
  }
};

}  // namespace

std::optional<TraceEvent> parse_trace_line(const std::string& line) {
  Cursor c{line};
  if (!c.eat('{')) return std::nullopt;
  TraceEvent e;
  bool have_t = false, have_kind = false;
  if (c.eat('}')) return std::nullopt;
  do {
    auto key = c.string();
    if (!key || !c.eat(':')) return std::nullopt;
    c.skip_ws();
    if (c.i >= line.size()) return std::nullopt;
    char ch = line[c.i];
    if (ch == '"') {
      auto v = c.string();
      if (!v) return std::nullopt;
      if (*key == "kind") {
        e.kind = *v;
        have_kind = true;
      } else {
        e.with(*key, *v);
      }
    } else if (line.compare(c.i, 4, "true") == 0 || line.compare(c.i, 5, "false") == 0) {
      bool v = line[c.i] == 't';
      c.i += v ? 4 : 5;
      e.with_bool(*key, v);
    } else {
      std::size_t start = c.i;
      if (line[c.i] == '-') ++c.i;
      while (c.i < line.size() && std::isdigit(static_cast<unsigned char>(line[c.i]))) ++c.i;
      if (start == c.i) return std::nullopt;
      std::int64_t v = std::stoll(line.substr(start, c.i - start));
      if (*key == "t_ns") {
        e.t_ns = static_cast<std::uint64_t>(v);
        have_t = true;
      } else {
        e.with(*key, v);
      }
    }
  } while (c.eat(','));
  if (!c.eat('}') || !have_t || !have_kind) return std::nullopt;
  return e;
}

}  // namespace pairsim::sim
