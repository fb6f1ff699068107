#include "sim/trace/vcd_writer.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace pairsim::sim {

namespace {

// The scopes of the file as a tree, in the order the signals first name them: the header declares each scope
// once, with its signals and its sub-scopes.
struct Scope {
  std::string name;
  std::vector<Scope> children;
  std::vector<VcdWriter::Signal> signals;

  Scope& child(const std::string& n) {
    for (auto& c : children)
      if (c.name == n) return c;
    children.push_back(Scope{n, {}, {}});
    return children.back();
  }
};

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// A VCD reference is one word: anything else in a name would end it early.
std::string word(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) c = '_';
  return s.empty() ? "_" : s;
}

// The file's text, gathered in a buffer and written in large pieces: a long run has millions of lines.
class Output {
 public:
  explicit Output(std::ostream& os) : os_(os) {}
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() { flush(); }

  // Room for n more characters; done(end) keeps what was written up to `end`.
  char* room(std::size_t n) {
    if (used_ + n > sizeof buf_) flush();
    return buf_ + used_;
  }
  void done(const char* end) { used_ = static_cast<std::size_t>(end - buf_); }
  void put(const std::string& s) {
    if (s.size() > sizeof buf_) {
      flush();
      os_.write(s.data(), static_cast<std::streamsize>(s.size()));
      return;
    }
    char* p = room(s.size());
    done(std::copy(s.begin(), s.end(), p));
  }
  void time(std::uint64_t t) {
    char* p = room(24);
    *p++ = '#';
    p = std::to_chars(p, p + 21, t).ptr;
    *p++ = '\n';
    done(p);
  }
  void flush() {
    os_.write(buf_, static_cast<std::streamsize>(used_));
    used_ = 0;
  }

 private:
  std::ostream& os_;
  char buf_[1 << 16];
  std::size_t used_ = 0;
};

void put_value(Output& out, const VcdSignal& sig, const std::string& code, std::uint32_t bits) {
  char* p = out.room(40 + code.size());
  if (sig.width == 1) {
    *p++ = bits ? '1' : '0';
  } else {
    *p++ = 'b';
    if (sig.show == VcdShow::cpu_set) {
      // Declared [0:width-1]: the leftmost character is index 0, CPU 0.
      for (int k = 0; k < sig.width; ++k) *p++ = (bits >> k) & 1u ? '1' : '0';
    } else {
      // Leading zeros left out (a VCD value is zero-extended), a negative number written whole.
      int k = sig.width - 1;
      while (k > 0 && !((bits >> k) & 1u)) --k;
      for (; k >= 0; --k) *p++ = (bits >> k) & 1u ? '1' : '0';
    }
    *p++ = ' ';
  }
  p = std::copy(code.begin(), code.end(), p);
  *p++ = '\n';
  out.done(p);
}

}  // namespace

VcdWriter::VcdWriter(std::string version, std::string comment)
    : version_(std::move(version)), comment_(std::move(comment)) {}

VcdWriter::Signal VcdWriter::declare(VcdSignal s) {
  if (s.width < 1 || s.width > 32)
    throw std::invalid_argument("VCD signal " + s.path + ": width " + std::to_string(s.width) + " is not 1..32");
  if (s.path.find('.') == std::string::npos || s.path.back() == '.' || s.path.front() == '.')
    throw std::invalid_argument("VCD signal '" + s.path + "' needs a scope: scope.name");
  const std::uint32_t mask = s.width == 32 ? 0xffffffffu : (1u << s.width) - 1;
  signals_.push_back(std::move(s));
  masks_.push_back(mask);
  codes_.push_back(code(static_cast<Signal>(signals_.size() - 1)));
  return static_cast<Signal>(signals_.size() - 1);
}

std::string VcdWriter::code(Signal s) {
  // Printable ASCII from '!' to '~' (94 characters), the shortest first.
  std::string c;
  std::uint64_t n = s;
  do {
    c += static_cast<char>('!' + n % 94);
    n /= 94;
  } while (n-- > 0);
  return c;
}

std::string VcdWriter::reference(Signal s) const {
  const VcdSignal& sig = signals_[s];
  std::string r;
  for (const auto& p : split_path(sig.path)) r += (r.empty() ? "" : ".") + word(p);
  if (sig.width == 1) return r;
  const std::string hi = std::to_string(sig.width - 1);
  return r + (sig.show == VcdShow::cpu_set ? "[0:" + hi + "]" : "[" + hi + ":0]");
}

void VcdWriter::write(std::ostream& os, std::uint64_t end_ns) const {
  std::string text;
  text += "$comment\n\t" + comment_ + "\n$end\n";
  text += "$version\n\tpairsim " + version_ + "\n$end\n";
  text += "$timescale\n\t1 ns\n$end\n";

  Scope root;
  for (Signal s = 0; s < signals_.size(); ++s) {
    const auto parts = split_path(signals_[s].path);
    Scope* scope = &root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) scope = &scope->child(word(parts[i]));
    scope->signals.push_back(s);
  }
  auto declare_scope = [&](const Scope& sc, auto&& self) -> void {
    text += "$scope module " + sc.name + " $end\n";
    for (Signal s : sc.signals) {
      const VcdSignal& sig = signals_[s];
      const bool integer = sig.show == VcdShow::signed_number && sig.width == 32;
      text += std::string("$var ") + (integer ? "integer " : "wire ") + std::to_string(sig.width) + " " + codes_[s] +
              " " + word(split_path(sig.path).back());
      const std::string ref = reference(s);
      if (!integer && sig.width > 1) text += " " + ref.substr(ref.rfind('['));
      text += " $end\n";
    }
    for (const auto& c : sc.children) self(c, self);
    text += "$upscope $end\n";
  };
  for (const auto& c : root.children) declare_scope(c, declare_scope);
  text += "$enddefinitions $end\n";
  Output out(os);
  out.put(text);

  // Time order. Of one instant, the changes kept in order were all made before the late ones (a late one came
  // after a later time was kept), so taking those first keeps the order they were made in: the last one wins.
  std::vector<Change> late = late_;
  std::stable_sort(late.begin(), late.end(), [](const Change& a, const Change& b) { return a.t_ns < b.t_ns; });
  auto kept = changes_.begin();
  auto late_one = late.begin();
  auto more = [&] { return kept != changes_.end() || late_one != late.end(); };
  auto next_time = [&] {
    if (late_one == late.end()) return kept->t_ns;
    if (kept == changes_.end()) return late_one->t_ns;
    return std::min(kept->t_ns, late_one->t_ns);
  };

  std::vector<std::uint32_t> value(signals_.size());
  for (Signal s = 0; s < signals_.size(); ++s)
    value[s] = static_cast<std::uint32_t>(static_cast<std::uint64_t>(signals_[s].initial) & masks_[s]);
  std::vector<std::uint32_t> pending(signals_.size());
  std::vector<char> touched(signals_.size(), 0);
  std::vector<Signal> order;  // signals changed at this instant, in the order first changed

  auto gather = [&](std::uint64_t t) {
    order.clear();
    auto take = [&](const Change& c) {
      if (!touched[c.signal]) {
        touched[c.signal] = 1;
        order.push_back(c.signal);
      }
      pending[c.signal] = c.bits;
    };
    for (; kept != changes_.end() && kept->t_ns == t; ++kept) take(*kept);
    for (; late_one != late.end() && late_one->t_ns == t; ++late_one) take(*late_one);
    for (Signal s : order) touched[s] = 0;
  };

  // Time 0: every signal, with what changed at 0 already applied.
  gather(0);
  for (Signal s : order) value[s] = pending[s];
  out.put("#0\n$dumpvars\n");
  for (Signal s = 0; s < signals_.size(); ++s) put_value(out, signals_[s], codes_[s], value[s]);
  out.put("$end\n");

  std::uint64_t last = 0;
  while (more()) {
    const std::uint64_t t = next_time();
    if (t > end_ns) break;  // made ahead of time (a transfer's end, a CPU ahead of the run's end): not run
    gather(t);
    bool stamped = false;
    for (Signal s : order) {
      if (pending[s] == value[s]) continue;
      if (!stamped) {
        out.time(t);
        stamped = true;
        last = t;
      }
      value[s] = pending[s];
      put_value(out, signals_[s], codes_[s], value[s]);
    }
  }
  if (end_ns > last) out.time(end_ns);
}

}  // namespace pairsim::sim
