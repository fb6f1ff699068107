// include: beside the including file, then the include folders; once per file; cycles and misses are errors.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "guest/assembler.hpp"

using namespace pairsim::guest;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system temp folder, removed at the end of the test.
struct TempTree {
  fs::path root;
  explicit TempTree(const std::string& name) {
    root = fs::temp_directory_path() / ("pairsim_isa_" + name);
    fs::remove_all(root);
    fs::create_directories(root);
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  std::string write(const std::string& rel, const std::string& text) const {
    const fs::path p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
};

}  // namespace

TEST_CASE("include finds files beside the includer, then in the include folders", "[assembler][include]") {
  TempTree t("include_search");
  t.write("lib/sys.pasm", ".const SYS_EXIT 1\n.proc exit\n sys SYS_EXIT\n.endproc\n");
  t.write("prog/local.pasm", ".const LOCAL 7\n");
  const auto main =
      t.write("prog/main.pasm", "include \"local.pasm\"\ninclude \"sys.pasm\"\nmain: push LOCAL\n call exit\n");
  const auto r = assemble_file(main, {(t.root / "lib").string()});
  for (const auto& e : r.errors) UNSCOPED_INFO(e.str());
  REQUIRE(r.program);
  CHECK(r.program->code_labels.at("exit") == 0);
  CHECK(r.program->entry == 1);
  CHECK(r.program->code == std::vector<std::uint32_t>{0x57000001, 0x10000007, 0x53000000});
  CHECK(r.program->source == main);
}

TEST_CASE("a file included twice is read once", "[assembler][include]") {
  TempTree t("include_once");
  t.write("a.pasm", "include \"c.pasm\"\n");
  t.write("c.pasm", ".const C 3\nshared: nop\n");
  const auto main = t.write("main.pasm", "include \"a.pasm\"\ninclude \"c.pasm\"\nmain: push C\n");
  const auto r = assemble_file(main, {});
  for (const auto& e : r.errors) UNSCOPED_INFO(e.str());
  REQUIRE(r.program);
  CHECK(r.program->code.size() == 2);
}

TEST_CASE("include errors name the including line", "[assembler][include]") {
  TempTree t("include_errors");
  t.write("a.pasm", "nop\ninclude \"b.pasm\"\n");
  t.write("b.pasm", "include \"a.pasm\"\n");
  t.write("bad.pasm", "nop\n  frob\n");
  const auto cycle = t.write("cycle.pasm", "include \"a.pasm\"\n");
  auto r = assemble_file(cycle, {});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].file == (t.root / "b.pasm").string());
  CHECK(r.errors[0].line == 1);
  CHECK(r.errors[0].col == 9);
  CHECK(r.errors[0].message == "include cycle: cycle.pasm -> a.pasm -> b.pasm -> a.pasm");

  const auto missing = t.write("missing.pasm", "\n include \"nope.pasm\"\n");
  r = assemble_file(missing, {"/nonexistent/lib"});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 2);
  CHECK(r.errors[0].col == 10);
  CHECK(r.errors[0].message.find("include file 'nope.pasm' not found (searched: ") == 0);
  CHECK(r.errors[0].message.find("/nonexistent/lib") != std::string::npos);

  // An error inside an included file carries that file's name and line.
  const auto outer = t.write("outer.pasm", "include \"bad.pasm\"\n");
  r = assemble_file(outer, {});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].str() == (t.root / "bad.pasm").string() + ":2:3: error: unknown mnemonic 'frob'");

  r = assemble_file((t.root / "absent.pasm").string(), {});
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].message.find("cannot read") == 0);
}

TEST_CASE("the listing marks included files", "[assembler][include]") {
  TempTree t("include_listing");
  t.write("inc.pasm", "helper: nop\n");
  const auto main = t.write("main.pasm", "include \"inc.pasm\"\nmain: push 1\n");
  const auto r = assemble_file(main, {}, true);
  REQUIRE(r.program);
  CHECK(r.listing.find("; file " + (t.root / "inc.pasm").string()) != std::string::npos);
  CHECK(r.listing.find("    1 C 000000  01000000") != std::string::npos);
  CHECK(r.listing.find("    2 C 000001  10000001") != std::string::npos);
}
