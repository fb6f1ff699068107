#include "guest/object_file.hpp"

#include <cstdio>
#include <sstream>

#include "guest/lexer.hpp"

namespace pairsim::guest {
namespace {

constexpr const char* kMagic = "pairsim-object 1";
constexpr std::uint64_t kMaxWords = 1u << 24;  // the address fields are 24 bits

// Reads the line-oriented format strictly: every line is checked, any surprise is an error sentence.
class ObjectReader {
 public:
  explicit ObjectReader(const std::string& bytes) : in_(bytes) {}

  // A line without its end: LF, or CR LF (an object file that went through a Windows checkout).
  bool line(std::string& out) {
    if (!std::getline(in_, out)) return false;
    if (!out.empty() && out.back() == '\r') out.pop_back();
    ++line_no_;
    return true;
  }
  bool fail(std::string& error, const std::string& what) {
    error = "object file line " + std::to_string(line_no_) + ": " + what;
    return false;
  }
  // "<key> <number>"
  bool keyed_number(const std::string& key, std::uint64_t max, std::uint64_t& out, std::string& error) {
    std::string l;
    if (!line(l)) return fail(error, "ends before '" + key + "'");
    if (l.compare(0, key.size() + 1, key + " ") != 0) return fail(error, "expected '" + key + " N'");
    return number(l.substr(key.size() + 1), 10, max, out, error);
  }
  bool number(const std::string& text, int radix, std::uint64_t max, std::uint64_t& out, std::string& error) {
    if (text.empty() || text.size() > 20) return fail(error, "expected a number, found '" + text + "'");
    std::uint64_t v = 0;
    for (char c : text) {
      int d = -1;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (radix == 16 && c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (radix == 16 && c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      if (d < 0) return fail(error, "bad number '" + text + "'");
      v = v * static_cast<std::uint64_t>(radix) + static_cast<std::uint64_t>(d);
      if (v > max) return fail(error, "number '" + text + "' is out of range");
    }
    out = v;
    return true;
  }
  // "<key> <count>" then count values, whitespace-separated, over as many lines as they take.
  bool words(const std::string& key, int radix, std::vector<std::uint32_t>& out, std::string& error) {
    std::uint64_t count = 0;
    if (!keyed_number(key, kMaxWords, count, error)) return false;
    out.clear();
    out.reserve(count);
    std::string l;
    while (out.size() < count) {
      if (!line(l)) return fail(error, "ends inside '" + key + "'");
      std::istringstream fields(l);
      std::string f;
      while (fields >> f) {
        std::uint64_t v = 0;
        if (out.size() == count) return fail(error, "more '" + key + "' values than announced");
        if (!number(f, radix, 0xFFFFFFFFu, v, error)) return false;
        out.push_back(static_cast<std::uint32_t>(v));
      }
    }
    return true;
  }

 private:
  std::istringstream in_;
  int line_no_ = 0;
};

void write_words(std::string& out, const char* key, const std::vector<std::uint32_t>& w, bool hex) {
  out += std::string(key) + " " + std::to_string(w.size()) + "\n";
  char buf[16];
  for (std::size_t i = 0; i < w.size(); ++i) {
    std::snprintf(buf, sizeof buf, hex ? "%08X" : "%u", w[i]);
    out += buf;
    out += (i % 8 == 7 || i + 1 == w.size()) ? "\n" : " ";
  }
}

bool valid_label(const std::string& name) {
  if (name.empty() || !is_identifier_start(name[0])) return false;
  for (char c : name)
    if (!is_identifier_char(c)) return false;
  return true;
}

}  // namespace

bool looks_like_object(const std::string& bytes) {
  return bytes.rfind(kMagic, 0) == 0;
}

std::string serialize(const Program& p) {
  std::string out = std::string(kMagic) + "\n";
  std::string source;
  for (char c : p.source) source += (c == '\n' || c == '\r') ? ' ' : c;
  out += "source " + source + "\n";
  out += "entry " + std::to_string(p.entry) + "\n";
  out += "stack_words " + std::to_string(p.stack_words) + "\n";
  out += "data_words " + std::to_string(p.data_words) + "\n";
  write_words(out, "code", p.code, true);
  write_words(out, "code_lines", p.code_lines, false);
  write_words(out, "data", p.data, true);
  out += "code_labels " + std::to_string(p.code_labels.size()) + "\n";
  for (const auto& [name, addr] : p.code_labels) out += name + " " + std::to_string(addr) + "\n";
  out += "data_labels " + std::to_string(p.data_labels.size()) + "\n";
  for (const auto& [name, addr] : p.data_labels) out += name + " " + std::to_string(addr) + "\n";
  out += "end\n";
  return out;
}

std::optional<Program> deserialize(const std::string& bytes, std::string& error) {
  ObjectReader r(bytes);
  Program p;
  std::string l;
  if (!r.line(l) || l != kMagic) {
    error = "not a pairsim object file (the first line must be '" + std::string(kMagic) + "')";
    return std::nullopt;
  }
  if (!r.line(l) || l.compare(0, 7, "source ") != 0) {
    r.fail(error, "expected 'source PATH'");
    return std::nullopt;
  }
  p.source = l.substr(7);
  std::uint64_t entry = 0, stack = 0, data_words = 0;
  if (!r.keyed_number("entry", kMaxWords, entry, error) || !r.keyed_number("stack_words", kMaxWords, stack, error) ||
      !r.keyed_number("data_words", kMaxWords, data_words, error) || !r.words("code", 16, p.code, error) ||
      !r.words("code_lines", 10, p.code_lines, error) || !r.words("data", 16, p.data, error))
    return std::nullopt;
  p.entry = static_cast<std::uint32_t>(entry);
  p.stack_words = static_cast<std::uint32_t>(stack);
  p.data_words = static_cast<std::uint32_t>(data_words);
  for (int which = 0; which < 2; ++which) {
    const std::string key = which == 0 ? "code_labels" : "data_labels";
    auto& labels = which == 0 ? p.code_labels : p.data_labels;
    std::uint64_t count = 0;
    if (!r.keyed_number(key, kMaxWords, count, error)) return std::nullopt;
    for (std::uint64_t i = 0; i < count; ++i) {
      if (!r.line(l)) {
        r.fail(error, "ends inside '" + key + "'");
        return std::nullopt;
      }
      const auto space = l.find(' ');
      std::uint64_t addr = 0;
      if (space == std::string::npos || !valid_label(l.substr(0, space))) {
        r.fail(error, "expected 'LABEL ADDRESS'");
        return std::nullopt;
      }
      if (!r.number(l.substr(space + 1), 10, kMaxWords, addr, error)) return std::nullopt;
      if (!labels.emplace(l.substr(0, space), static_cast<std::uint32_t>(addr)).second) {
        r.fail(error, "label '" + l.substr(0, space) + "' appears twice");
        return std::nullopt;
      }
    }
  }
  if (!r.line(l) || l != "end") {
    r.fail(error, "expected 'end'");
    return std::nullopt;
  }
  // The interpreter and loader rely on these; an edited object file must not break them.
  if (!p.code.empty() && p.entry >= p.code.size()) {
    error = "object file: entry " + std::to_string(p.entry) + " is outside the code";
    return std::nullopt;
  }
  if (p.code_lines.size() != p.code.size()) {
    error = "object file: code_lines has " + std::to_string(p.code_lines.size()) + " entries for " +
            std::to_string(p.code.size()) + " code words";
    return std::nullopt;
  }
  if (static_cast<std::uint64_t>(p.data.size()) + p.stack_words != p.data_words) {
    error = "object file: data_words must be the globals plus the stack";
    return std::nullopt;
  }
  return p;
}

}  // namespace pairsim::guest
