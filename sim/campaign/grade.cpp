#include "sim/campaign/grade.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

#include "sim/report/json_reader.hpp"

namespace pairsim::sim {

namespace {

struct Word {
  std::string text;
  int col = 0;
  bool quoted = false;
};

// A manifest line's words: spaces apart, "quoted" strings (with \" and \\), `#` to the end of the line.
// On an unclosed string, the column of its quote in `bad_col`.
std::vector<Word> split_words(const std::string& line, int& bad_col) {
  std::vector<Word> words;
  bad_col = 0;
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#') break;
    Word w;
    w.col = static_cast<int>(i) + 1;
    if (c == '"') {
      w.quoted = true;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          w.text += line[i + 1];
          i += 2;
          continue;
        }
        if (line[i] == '"') {
          closed = true;
          ++i;
          break;
        }
        w.text += line[i++];
      }
      if (!closed) {
        bad_col = w.col;
        return words;
      }
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') w.text += line[i++];
    }
    words.push_back(std::move(w));
  }
  return words;
}

std::optional<std::uint64_t> whole(const std::string& s, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

bool is_check_name(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Where the code of a scenario line ends: its `#` comment, outside strings; the line's length without one.
std::size_t code_end(const std::string& line) {
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (in_string) {
      if (line[i] == '\\')
        ++i;
      else if (line[i] == '"')
        in_string = false;
    } else if (line[i] == '"') {
      in_string = true;
    } else if (line[i] == '#') {
      return i;
    }
  }
  return line.size();
}

std::string quoted(const std::string& path) {
  std::string out = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::optional<LabManifest> parse_lab_manifest(const std::string& text, const std::string& name,
                                              std::vector<std::string>& errors) {
  LabManifest m;
  const auto lines = lines_of(text);
  auto error = [&](int line, int col, const std::string& msg) {
    errors.push_back(name + ":" + std::to_string(line) + ":" + std::to_string(col) + ": error: " + msg);
  };
  std::map<std::string, int> names;
  int title_line = 0, submission_line = 0;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const int ln = static_cast<int>(n) + 1;
    int bad_col = 0;
    const auto w = split_words(lines[n], bad_col);
    if (bad_col) {
      error(ln, bad_col, "this string is not closed with a \"");
      continue;
    }
    if (w.empty()) continue;
    const std::string& kw = w[0].text;
    const int end_col = static_cast<int>(lines[n].size()) + 1;
    if (kw == "title" || kw == "submission") {
      int& seen = kw == "title" ? title_line : submission_line;
      if (w.size() < 2) {
        error(ln, end_col, kw == "title" ? "title needs the lab's title, in quotes" : "submission needs a file name");
        continue;
      }
      if (w.size() > 2) {
        error(ln, w[2].col, "unexpected '" + w[2].text + "' after the " + kw);
        continue;
      }
      if (seen) {
        error(ln, w[0].col, kw + " is given twice (first on line " + std::to_string(seen) + ")");
        continue;
      }
      seen = ln;
      if (kw == "title") {
        m.title = w[1].text;
      } else {
        if (w[1].text.find('/') != std::string::npos) {
          error(ln, w[1].col, "the submission is a file name beside the manifest, without a folder");
          continue;
        }
        m.submission = w[1].text;
      }
      continue;
    }
    if (kw != "check") {
      error(ln, w[0].col, "expected 'title', 'submission' or 'check', found '" + kw + "'");
      continue;
    }
    LabCheck c;
    c.line = ln;
    if (w.size() < 3) {
      error(ln, end_col, "a check needs a name and a scenario: check NAME FILE points P");
      continue;
    }
    if (!is_check_name(w[1].text)) {
      error(ln, w[1].col, "a check's name is lower-case letters, digits, '-' and '_', not '" + w[1].text + "'");
      continue;
    }
    if (auto it = names.find(w[1].text); it != names.end()) {
      error(ln, w[1].col,
            "check '" + w[1].text + "' is named twice (first on line " + std::to_string(it->second) + ")");
      continue;
    }
    c.name = w[1].text;
    c.scenario = w[2].text;
    bool ok = true;
    bool have_points = false, have_quick = false;
    for (std::size_t i = 3; ok && i < w.size(); ++i) {
      const std::string& opt = w[i].text;
      if (opt == "points" || opt == "moments" || opt == "quick") {
        if (i + 1 >= w.size()) {
          error(ln, end_col, opt + " needs a number");
          ok = false;
          break;
        }
        const auto v = whole(w[i + 1].text, opt == "points" ? 0 : 1, opt == "points" ? 1000 : 10000);
        if (!v) {
          error(
              ln, w[i + 1].col,
              opt +
                  (opt == "points" ? " takes a whole number from 0 to 1000" : " takes a whole number from 1 to 10000") +
                  ", not '" + w[i + 1].text + "'");
          ok = false;
          break;
        }
        if (opt == "points") {
          c.points = static_cast<int>(*v);
          have_points = true;
        } else if (opt == "moments") {
          c.moments = *v;
        } else {
          c.quick = *v;
          have_quick = true;
        }
        ++i;
      } else if (opt == "fault") {
        if (i + 1 >= w.size() || !w[i + 1].quoted) {
          error(ln, i + 1 < w.size() ? w[i + 1].col : end_col,
                "fault needs its words in quotes: fault \"the primary's CPU failed\"");
          ok = false;
          break;
        }
        c.fault = w[i + 1].text;
        ++i;
      } else {
        error(ln, w[i].col, "expected 'points', 'moments', 'quick' or 'fault', found '" + opt + "'");
        ok = false;
      }
    }
    if (!ok) continue;
    if (!have_points) {
      error(ln, end_col, "check '" + c.name + "' needs its points: points P");
      continue;
    }
    if ((c.moments == 0) != c.fault.empty() || (have_quick && c.moments == 0)) {
      error(ln, w[1].col, "a check with moments needs fault \"...\" (and quick Q), and one without needs neither");
      continue;
    }
    if (c.moments && !have_quick) c.quick = std::min<std::uint64_t>(c.moments, 4);
    if (c.quick > c.moments) {
      error(ln, w[1].col, "quick is more than moments: with --quick a check runs fewer moments, not more");
      continue;
    }
    names[c.name] = ln;
    m.checks.push_back(std::move(c));
  }
  if (errors.empty()) {
    if (m.submission.empty())
      error(static_cast<int>(lines.size()) + 1, 1, "the manifest names no submission file");
    else if (m.checks.empty())
      error(static_cast<int>(lines.size()) + 1, 1, "the manifest has no check");
  }
  if (!errors.empty()) return std::nullopt;
  return m;
}

std::string substitute_programs(const std::string& text, const std::string& submission_name,
                                const std::string& submission_path, const std::string& lab_dir,
                                const std::vector<std::string>& lab_files) {
  std::string out;
  for (const std::string& line : lines_of(text)) {
    const std::size_t end = code_end(line);
    std::string code = line.substr(0, end);
    // A `start`, or `at … start`: its program word.
    std::istringstream words(code);
    std::string first, w;
    words >> first;
    bool is_start = first == "start";
    if (first == "at") {
      while (words >> w) {
        if (w == "start") {
          is_start = true;
          break;
        }
      }
    }
    std::size_t at = is_start ? code.find(" program ") : std::string::npos;
    if (at != std::string::npos) {
      std::size_t p = at + 9;
      while (p < code.size() && code[p] == ' ') ++p;
      std::size_t q = p;
      std::string program;
      if (q < code.size() && code[q] == '"') {
        ++q;
        while (q < code.size() && code[q] != '"') program += code[q++];
        if (q < code.size()) ++q;
      } else {
        while (q < code.size() && code[q] != ' ' && code[q] != '\t') program += code[q++];
      }
      std::string path;
      if (program == submission_name)
        path = submission_path;
      else if (std::find(lab_files.begin(), lab_files.end(), program) != lab_files.end())
        path = lab_dir + "/" + program;
      if (!path.empty()) code = code.substr(0, p) + quoted(path) + code.substr(q);
    }
    out += code + line.substr(end) + "\n";
  }
  return out;
}

std::optional<std::string> fix_moment(const std::string& text, int line, std::uint64_t t_ns) {
  auto lines = lines_of(text);
  if (line < 1 || static_cast<std::size_t>(line) > lines.size()) return std::nullopt;
  std::string& l = lines[line - 1];
  const std::size_t at = l.find("at ");
  const std::size_t r = l.find("random ", at == std::string::npos ? 0 : at);
  if (at == std::string::npos || r == std::string::npos) return std::nullopt;
  std::size_t e = r + 7;
  while (e < l.size() && l[e] == ' ') ++e;
  while (e < l.size() && l[e] != ' ' && l[e] != '\t') ++e;  // the range A..B
  l = l.substr(0, r) + std::to_string(t_ns) + "ns" + l.substr(e);
  std::string out;
  for (const auto& x : lines) out += x + "\n";
  return out;
}

std::string trailing_comment(const std::string& text, int line) {
  const auto lines = lines_of(text);
  if (line < 1 || static_cast<std::size_t>(line) > lines.size()) return "";
  const std::string& l = lines[line - 1];
  const std::size_t end = code_end(l);
  if (end >= l.size()) return "";
  std::string c = l.substr(end + 1);
  const auto b = c.find_first_not_of(" \t");
  const auto e = c.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : c.substr(b, e - b + 1);
}

std::string moment_words(std::uint64_t t_ns) {
  const std::uint64_t us = (t_ns + 500) / 1000;
  std::string frac = std::to_string(us % 1000);
  frac.insert(0, 3 - frac.size(), '0');
  return std::to_string(us / 1000) + "." + frac + " ms";
}

void read_run_facts(const std::string& summary_json, std::map<int, std::string>& details,
                    std::vector<std::string>& abends) {
  const auto summary = parse_json(summary_json, nullptr);
  if (!summary) return;
  // Each named process's last output lines (its last instance that printed): what a client said before it
  // gave up is often the clearest account of what went wrong ("bad reply 18", "reply count 19").
  std::map<std::string, std::vector<std::string>> last_lines;
  if (const JsonValue* procs = summary->get("processes"); procs && procs->is_array()) {
    for (const JsonValue& p : procs->items()) {
      const JsonValue* name = p.get("name");
      const std::string who = name && !name->is_null() ? name->as_string().value_or("?") : "a process";
      if (const JsonValue* output = p.get("output"); output && output->is_array() && !output->items().empty()) {
        std::vector<std::string> lines;
        const auto& items = output->items();
        for (std::size_t i = items.size() > 3 ? items.size() - 3 : 0; i < items.size(); ++i)
          lines.push_back(items[i].as_string().value_or(""));
        last_lines[who] = std::move(lines);
      }
      const JsonValue* abend = p.get("abend");
      if (!abend || abend->is_null()) continue;
      const JsonValue* cpu = p.get("cpu");
      abends.push_back(who + " abended in cpu " + std::to_string(cpu ? cpu->as_int().value_or(-1) : -1) + ": " +
                       abend->as_string().value_or(""));
    }
  }
  const JsonValue* e = summary->get("expectations");
  const JsonValue* results = e ? e->get("results") : nullptr;
  if (!results || !results->is_array()) return;
  for (const JsonValue& r : results->items()) {
    const JsonValue* ok = r.get("ok");
    const JsonValue* line = r.get("line");
    const JsonValue* detail = r.get("detail");
    const JsonValue* text = r.get("text");
    if (!ok || ok->as_bool() != false || !line || !detail) continue;
    std::string d = detail->as_string().value_or("");
    // `expect $X exit N`, `running`, `stopped`: add what $X printed last.
    std::istringstream words(text ? text->as_string().value_or("") : "");
    std::string expect, who, what;
    words >> expect >> who >> what;
    if (expect == "expect" && !who.empty() && who[0] == '$' &&
        (what == "exit" || what == "running" || what == "stopped")) {
      if (auto it = last_lines.find(who); it != last_lines.end()) {
        d += "; its last lines:";
        for (std::size_t i = 0; i < it->second.size(); ++i) d += (i ? ", \"" : " \"") + it->second[i] + "\"";
      }
    }
    details[static_cast<int>(line->as_int().value_or(0))] = d;
  }
}

bool CheckOutcome::passed() const {
  return !results.empty() &&
         std::all_of(results.begin(), results.end(), [](const RunResult& r) { return r.verdict == Verdict::held; });
}

int points_earned(const CheckOutcome& o) {
  return o.passed() ? o.check->points : 0;
}

std::string grade_report(const LabManifest& m, const std::string& lab_name, const std::vector<CheckOutcome>& outcomes,
                         const std::string& command) {
  std::ostringstream out;
  out << "lab " << lab_name << (m.title.empty() ? "" : ": " + m.title) << "\n\n";
  int earned = 0, possible = 0, passed = 0;
  std::size_t width = 0;
  for (const auto& o : outcomes) width = std::max(width, o.check->name.size());
  for (const auto& o : outcomes) {
    const LabCheck& c = *o.check;
    const int got = points_earned(o);
    earned += got;
    possible += c.points;
    passed += o.passed();
    std::size_t held = 0;
    for (const auto& r : o.results) held += r.verdict == Verdict::held;
    out << "  " << (o.passed() ? "✓ " : "✗ ") << c.name << std::string(width - c.name.size(), ' ') << "  " << got << "/"
        << c.points << " points";
    if (!o.times.empty())
      out << ", held at " << held << " of " << o.results.size() << " moments (" << moment_words(o.times.front())
          << " .. " << moment_words(o.times.back()) << ") when " << c.fault;
    out << "\n";
    if (o.passed()) continue;
    // What failed, each expectation once, with the first moment it failed at; then runs that did not finish.
    struct Seen {
      std::size_t first = 0;
      std::size_t count = 0;
      std::string text;
    };
    std::map<int, Seen> by_line;
    std::vector<std::size_t> unfinished;
    for (std::size_t k = 0; k < o.results.size(); ++k) {
      const RunResult& r = o.results[k];
      if (r.verdict == Verdict::held) continue;
      if (r.verdict != Verdict::failed) {
        unfinished.push_back(k);
        continue;
      }
      for (const auto& f : r.failed) {
        auto [it, fresh] = by_line.try_emplace(f.line, Seen{k, 0, f.text});
        ++it->second.count;
      }
    }
    auto when = [&](std::size_t k) {
      return o.times.empty() ? std::string() : " after " + c.fault + " at " + moment_words(o.times[k]);
    };
    auto replay = [&](std::size_t k) {
      return command + " --replay " + c.name + (o.times.empty() ? "" : ":" + std::to_string(k));
    };
    for (const auto& [line, seen] : by_line) {
      out << "      " << c.scenario << ":" << line << ": " << seen.text << " — failed";
      if (!o.times.empty())
        out << " at " << seen.count << " of " << o.results.size() << " moments, first" << when(seen.first);
      out << "\n";
      if (seen.first < o.details.size()) {
        if (auto d = o.details[seen.first].find(line); d != o.details[seen.first].end() && !d->second.empty())
          out << "        found: " << d->second << "\n";
      }
      const std::string advice = trailing_comment(o.scenario_text, line);
      if (!advice.empty()) out << "        " << advice << "\n";
      out << "        replay: " << replay(seen.first) << "\n";
    }
    // A guest that abended in a failing run is often the whole story.
    for (std::size_t k = 0; k < o.abends.size(); ++k) {
      if (o.results[k].verdict == Verdict::held || o.abends[k].empty()) continue;
      for (const auto& a : o.abends[k]) out << "      " << a << when(k) << "\n";
      break;
    }
    if (!unfinished.empty()) {
      const RunResult& r = o.results[unfinished.front()];
      out << "      the run did not finish" << when(unfinished.front());
      if (!o.times.empty()) out << " (" << unfinished.size() << " of " << o.results.size() << " moments)";
      out << ": " << r.detail << "\n";
      out << "        replay: " << replay(unfinished.front()) << "\n";
    }
  }
  out << "\nscore: " << earned << "/" << possible << " points, " << passed << " of " << outcomes.size()
      << " checks passed\n";
  return out.str();
}

}  // namespace pairsim::sim
