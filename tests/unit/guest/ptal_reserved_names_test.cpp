// docs/language.md against the compiler: its tables of reserved names and built-in constants are the
// compiler's lists, name for name and value for value; every name in them is refused as a declaration;
// and every procedure of the ptal library (guest/lib/*.ptal) is in its table with its exact signature.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "guest/ptal_builtins.hpp"
#include "guest/ptal_compiler.hpp"

using namespace pairsim::guest::ptal;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string& language_doc() {
  static const std::string text = read(std::string(PAIRSIM_SOURCE_DIR) + "/docs/language.md");
  return text;
}

// The text of a "## TITLE" section, up to the next "## ".
std::string section(const std::string& title) {
  const std::string& doc = language_doc();
  const auto at = doc.find("\n## " + title + "\n");
  if (at == std::string::npos) return "";
  const auto end = doc.find("\n## ", at + 1);
  return doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// The cells of the table rows in `text` ("| a | b |"), header and rule rows left out.
std::vector<std::vector<std::string>> rows(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 2 || line[0] != '|' || line.rfind("|---", 0) == 0) continue;
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
        cell += '|';
        ++i;
      } else if (line[i] == '|') {
        cells.push_back(cell.size() >= 2 ? cell.substr(1, cell.size() - 2) : cell);  // "| x |" -> "x"
        cell.clear();
      } else {
        cell += line[i];
      }
    }
    out.push_back(cells);
  }
  if (!out.empty()) out.erase(out.begin());  // the header
  return out;
}

// The `names` in backticks of a cell.
std::set<std::string> quoted(const std::string& cell) {
  std::set<std::string> names;
  const std::regex word("`([^`]+)`");
  for (std::sregex_iterator it(cell.begin(), cell.end(), word), end; it != end; ++it) names.insert((*it)[1]);
  return names;
}

std::set<std::string> as_set(const std::vector<std::string_view>& names) {
  return {names.begin(), names.end()};
}

// The row of the reserved-names table whose first cell is `kind`.
std::set<std::string> reserved_row(const std::string& kind) {
  for (const auto& r : rows(section("Reserved names")))
    if (r.size() >= 2 && r[0] == kind) return quoted(r[1]);
  return {};
}

}  // namespace

TEST_CASE("the language page lists exactly the compiler's reserved names", "[ptal][doc]") {
  REQUIRE(!section("Reserved names").empty());
  CHECK(reserved_row("keywords") == as_set(keywords()));
  std::set<std::string> calls;
  for (const auto& c : builtin_calls()) calls.emplace(c.name);
  CHECK(reserved_row("built-in procedures: the system calls") == calls);
  CHECK(reserved_row("built-in procedures the compiler makes") == as_set(compiler_builtins()));
  CHECK(reserved_row("checkpoint items") == as_set(checkpoint_items()));
}

TEST_CASE("the language page lists exactly the compiler's constants, with their values", "[ptal][doc]") {
  std::map<std::string, long long> doc;
  for (const auto& r : rows(section("Reserved names"))) {
    if (r.size() < 3) continue;
    const auto names = quoted(r[0]);
    if (names.size() != 1 || r[0] != "`" + *names.begin() + "`") continue;
    INFO(r[0] << " | " << r[1]);
    std::size_t used = 0;
    long long value = 0;
    CHECK_NOTHROW(value = std::stoll(r[1], &used, 0));
    CHECK(used == r[1].size());
    doc[*names.begin()] = value;
  }
  std::map<std::string, long long> compiler;
  for (const auto& c : builtin_constants()) compiler[std::string(c.name)] = c.value;
  CHECK(doc == compiler);
}

TEST_CASE("every name the page reserves is refused as a declaration", "[ptal][doc]") {
  std::set<std::string> names;
  for (const auto& kind : {"keywords", "built-in procedures: the system calls",
                           "built-in procedures the compiler makes", "checkpoint items"}) {
    const auto row = reserved_row(kind);
    names.insert(row.begin(), row.end());
  }
  for (const auto& c : builtin_constants()) names.emplace(c.name);
  REQUIRE(names.size() > 90);
  for (const auto& name : names) {
    INFO(name);
    const Compiled c = compile_string("var " + name + ": int;\nproc main() { }\n", "r.ptal", {});
    CHECK(!c.ok);
    bool reserved = false;
    for (const auto& m : c.messages)
      if (!m.warning && m.text.find("'" + name + "' is a reserved name") != std::string::npos) reserved = true;
    CHECK(reserved);
  }
  // And a name that is not in the lists is not refused.
  CHECK(compile_string("var total: int;\nproc main() { }\n", "r.ptal", {}).ok);
}

TEST_CASE("the language page lists every library procedure with its signature", "[ptal][doc]") {
  std::set<std::string> documented;
  for (const auto& r : rows(language_doc()))
    if (!r.empty())
      for (const auto& q : quoted(r[0])) documented.insert(q);
  const std::regex proc("proc (\\w+\\([^)]*\\)(: int)?) \\{");
  int found = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PAIRSIM_SOURCE_DIR) + "/guest/lib")) {
    if (e.path().extension() != ".ptal") continue;
    std::istringstream text(read(e.path().string()));
    std::string line;
    std::smatch m;
    while (std::getline(text, line)) {
      if (!std::regex_match(line, m, proc)) continue;
      ++found;
      INFO(e.path().filename().string() << ": " << m[1]);
      CHECK(documented.count(m[1]) == 1);
    }
  }
  CHECK(found >= 10);
}
