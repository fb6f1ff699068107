// The ptal compiler never crashes and never lets an exception out, whatever the input: random and mutated
// versions of the example programs. PTAL_FUZZ_INPUTS=1000000 runs a million instead of the default.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "guest/ptal_compiler.hpp"

using namespace pairsim::guest::ptal;

namespace {

std::vector<std::string> seeds() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PAIRSIM_SOURCE_DIR) + "/guest")) {
    if (e.path().extension() != ".ptal") continue;
    std::ifstream in(e.path());
    std::ostringstream s;
    s << in.rdbuf();
    out.push_back(s.str());
  }
  return out;
}

const char* const kPieces[] = {
    "proc",   "var",     "record",     "const",      "if",      "elif", "else",  "while",  "for",   "in",
    "..",     "return",  "break",      "continue",   "{",       "}",    "(",     ")",      "[",     "]",
    ";",      ":",       ",",          ".",          "=",       "==",   "+=",    "-",      "/",     "%",
    "0",      "-1",      "4294967295", "0x",         "'",       "\"",   "\\",    "int",    "bytes", "bytes[4]",
    "sizeof", "wordsof", "print",      "checkpoint", "receive", "file", "first", "hex",    "arg",   "main",
    "_",      "x",       "\n",         " ",          "\x01",    "\xff", "//",    "include"};

std::string mutate(const std::string& src, std::mt19937& rng) {
  std::string s = src;
  const int edits = 1 + static_cast<int>(rng() % 6);
  for (int k = 0; k < edits; ++k) {
    const std::size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 6) {
      case 0:
        s.erase(at, rng() % 40);
        break;
      case 1:
        s.insert(at, kPieces[rng() % (sizeof kPieces / sizeof kPieces[0])]);
        break;
      case 2:
        if (!s.empty() && at < s.size()) s[at] = static_cast<char>(rng() % 256);
        break;
      case 3: {
        const std::size_t from = s.empty() ? 0 : rng() % s.size();
        s.insert(at, s.substr(from, rng() % 80));
        break;
      }
      case 4:
        s.erase(at);
        break;
      default: {
        std::string r;
        const std::size_t n = rng() % 30;
        for (std::size_t i = 0; i < n; ++i) r += static_cast<char>(32 + rng() % 95);
        s.insert(at, r);
        break;
      }
    }
  }
  return s;
}

}  // namespace

TEST_CASE("no input crashes the compiler", "[ptal][fuzz]") {
  const auto base = seeds();
  REQUIRE(!base.empty());
  long inputs = 100000;
  if (const char* n = std::getenv("PTAL_FUZZ_INPUTS")) inputs = std::max(1L, std::atol(n));
  std::mt19937 rng(20261128);
  long compiled = 0, refused = 0, assembled = 0;
  for (long i = 0; i < inputs; ++i) {
    const std::string src =
        i % 10 == 9 ? mutate("", rng) : mutate(base[static_cast<std::size_t>(i) % base.size()], rng);
    Compiled c;
    try {
      c = compile_string(src, "fuzz.ptal", {});
    } catch (...) {
      FAIL("an exception escaped for input:\n" << src);
    }
    bool internal = false;
    for (const auto& m : c.messages) internal = internal || m.text.find("internal") != std::string::npos;
    if (internal) FAIL("an internal error for input:\n" << src);
    if (c.ok) {
      ++compiled;
      if (i % 97 == 0) {  // the whole way, now and then: the assembler must accept what the compiler made
        const auto r = build_string(src, "fuzz.ptal", {});
        if (!r.program) FAIL("compiled, but did not assemble:\n" << src << "\n" << r.errors.front().str());
        ++assembled;
      }
    } else {
      ++refused;
      if (c.messages.empty()) FAIL("refused without a message:\n" << src);
    }
  }
  WARN("fuzz: " << inputs << " inputs, " << compiled << " compiled (" << assembled << " assembled), " << refused
                << " refused with errors");
  CHECK(compiled + refused == inputs);
}
