#include "sim/trace/trace_event.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>

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

namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 when the bytes there are not one.
std::size_t utf8_sequence(const std::string& s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
  if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogates
  if (c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && b(i + 1) > 0x8F) return 0;  // beyond U+10FFFF
  return n;
}

}  // namespace

void append_json_escaped(std::string& out, const std::string& s) {
  // Most text needs no escape: copy the runs between the bytes that do in one piece.
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (c >= 0x80) {
      // Guests print raw bytes; JSON must be UTF-8. A byte that is not part of a well-formed sequence is
      // written as the code point of the same number (U+0080..U+00FF), so nothing is lost or invalid.
      if (const std::size_t n = utf8_sequence(s, i)) {
        out.append(s, i, n);
        i += n - 1;
        run = i + 1;
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
}

std::string json_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_escaped(out, s);
  return out;
}

void TraceEvent::append_json(std::string& out) const {
  // The pieces between the values are gathered in a small buffer and appended at once: a full trace writes
  // a line for every message.
  char head[96];
  char* p = head;
  auto put = [&](const char* text, std::size_t n) {
    std::memcpy(p, text, n);
    p += n;
  };
  auto put_int = [&](std::int64_t v) { p = std::to_chars(p, head + sizeof head, v).ptr; };
  auto flush = [&] {
    out.append(head, static_cast<std::size_t>(p - head));
    p = head;
  };
  put("{\"t_ns\":", 8);
  put_int(static_cast<std::int64_t>(t_ns));
  put(",\"kind\":\"", 9);
  flush();
  append_json_escaped(out, kind);
  put("\"", 1);
  for (const auto& f : fields) {
    // Room for the longest piece a field puts in `head`: a plain key (40), an integer (20), punctuation.
    if (p - head > static_cast<std::ptrdiff_t>(sizeof head) - 72) flush();
    // Keys are the emitters' own words: short, and plain ASCII as a rule; any other goes the long way.
    const bool plain_key = f.key.size() <= 40 && std::all_of(f.key.begin(), f.key.end(), [](char c) {
                             return c > 0x20 && c < 0x7F && c != '"' && c != '\\';
                           });
    put(",\"", 2);
    if (plain_key) {
      put(f.key.data(), f.key.size());
    } else {
      flush();
      append_json_escaped(out, f.key);
    }
    put("\":", 2);
    if (auto* i = std::get_if<std::int64_t>(&f.value)) {
      put_int(*i);
    } else if (auto* b = std::get_if<bool>(&f.value)) {
      if (*b)
        put("true", 4);
      else
        put("false", 5);
    } else {
      put("\"", 1);
      flush();
      append_json_escaped(out, std::get<std::string>(f.value));
      put("\"", 1);
    }
  }
  put("}", 1);
  flush();
}

std::string TraceEvent::to_json() const {
  std::string out;
  append_json(out);
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
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            unsigned code = 0;
            if (i + 4 > s.size()) return std::nullopt;
            auto [p, ec] = std::from_chars(s.data() + i, s.data() + i + 4, code, 16);
            if (ec != std::errc() || p != s.data() + i + 4) return std::nullopt;
            i += 4;
            // to_json writes \u only for control characters and stray bytes: one byte each.
            if (code > 0xFF) return std::nullopt;
            out += static_cast<char>(code);
            break;
          }
          default:
            out += e;
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
      std::int64_t v = 0;
      auto [p, ec] = std::from_chars(line.data() + c.i, line.data() + line.size(), v);
      if (ec != std::errc()) return std::nullopt;
      c.i = static_cast<std::size_t>(p - line.data());
      if (*key == "t_ns") {
        if (v < 0) return std::nullopt;
        e.t_ns = static_cast<std::uint64_t>(v);
        have_t = true;
      } else {
        e.with(*key, v);
      }
    }
  } while (c.eat(','));
  if (!c.eat('}') || !have_t || !have_kind) return std::nullopt;
  c.skip_ws();
  if (c.i != line.size()) return std::nullopt;
  return e;
}

}  // namespace pairsim::sim
