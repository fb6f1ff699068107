// The ptal compiler's output: programs that assemble, code lines that are ptal lines, the code it makes
// for the common shapes, checkpoint descriptors counted in words, includes read once.
#include <catch2/catch.hpp>

#include "guest/ptal_compiler.hpp"

using namespace pairsim::guest;
using namespace pairsim::guest::ptal;

namespace {

const std::vector<std::string> kLib{std::string(PAIRSIM_SOURCE_DIR) + "/guest/lib"};

bool has(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

}  // namespace

TEST_CASE("the example programs compile and assemble without warnings", "[ptal]") {
  for (const char* name : {"hello", "echo", "echo-client", "compute", "counter", "bank"}) {
    INFO(name);
    std::vector<std::string> warnings;
    const auto r = build_file(std::string(PAIRSIM_SOURCE_DIR) + "/guest/" + name + ".ptal", kLib, false, &warnings);
    REQUIRE(r.program);
    CHECK(warnings.empty());
    CHECK(r.program->code_lines.size() == r.program->code.size());
  }
}

TEST_CASE("every code word carries its ptal line", "[ptal]") {
  const auto r = build_string("proc main() {\n  var x: int = 1;\n\n  x += 2;\n}\n", "l.ptal", {});
  REQUIRE(r.program);
  const auto& lines = r.program->code_lines;
  CHECK(r.program->source == "l.ptal");
  CHECK(std::count(lines.begin(), lines.end(), 2u) >= 2);  // push 1, storel 1
  CHECK(std::count(lines.begin(), lines.end(), 4u) == 3);  // loadl 1, addi 2, storel 1
  CHECK(std::count(lines.begin(), lines.end(), 3u) == 0);
}

TEST_CASE("the listing shows each ptal line above its instructions", "[ptal]") {
  const auto r = build_string("proc main() {\n  print(\"hi\");\n}\n", "l.ptal", {}, true);
  REQUIRE(r.program);
  CHECK(has(r.listing, "; 2:   print(\"hi\");"));
  CHECK(has(r.listing, "sys 3"));
}

TEST_CASE("code shapes: locals, compound assignment, conditions on zero, constant folding", "[ptal]") {
  const Compiled c = compile_string(
      "const K = 3 * 4;\nproc f(a: int, b: int): int {\n  var t: int;\n  t += a;\n  if b % a == 0 { return K; }\n"
      "  return t - 1;\n}\nproc main() { _ = f(1, 2); }\n",
      "s.ptal", {});
  REQUIRE(c.ok);
  CHECK(has(c.assembly, "        adds 1\n"));
  CHECK(has(c.assembly, "loadl -3\n"));  // a: the first of two parameters
  CHECK(has(c.assembly, "loadl -2\n"));  // b: the last
  CHECK(has(c.assembly, "        loadl 1\n        addi -1\n"));
  CHECK(has(c.assembly, "        mod\n        jnz "));
  CHECK(has(c.assembly, "push 12\n        retv 2"));
  CHECK(has(c.assembly, "        call p_f\n        drop\n"));  // the unused result is dropped
}

TEST_CASE("buffers pass their byte length; checkpoints count words", "[ptal]") {
  const Compiled c = compile_string(
      "record M { a: int; t: bytes[6]; }\nvar m: M;\nvar n: int;\nproc main() {\n"
      "  _ = reply(1, m, 0);\n  _ = reply(1, m.t, 0);\n  _ = reply(1, first(m, 5), 0);\n"
      "  _ = checkpoint(m, n, receive);\n  print(sizeof(m), \" \", wordsof(m), \" \", sizeof(m.t));\n}\n",
      "b.ptal", {});
  REQUIRE(c.ok);
  CHECK(has(c.assembly, "push g_m\n        push 12\n"));
  CHECK(has(c.assembly, "push g_m+1\n        push 6\n"));
  CHECK(has(c.assembly, "push g_m\n        push 5\n"));
  CHECK(has(c.assembly, ".word 1, 2, g_m, 3, g_n, 1, 1, 0"));
  const auto r = build_string("var s: bytes[5] = \"abcde\";\nproc main() { print(s); }\n", "s.ptal", {});
  REQUIRE(r.program);
  CHECK(r.program->data[0] == 0x64636261u);
  CHECK(r.program->data[1] == 0x65u);
}

TEST_CASE("a buffer parameter takes any buffer with its length; checkpoint, sizeof and b[i] use it", "[ptal]") {
  const Compiled c = compile_string(
      "record M { a: int; t: bytes[6]; }\nvar m: M;\nvar n: int;\n"
      "proc f(k: int, b: buffer, j: int): int {\n  _ = reply(k, b, j);\n  _ = checkpoint(b, n);\n"
      "  return sizeof(b) + wordsof(b) + b[1];\n}\n"
      "proc main() { _ = f(1, m, 2); _ = f(1, \"hi\", 2); _ = f(1, first(m.t, 3), 2); }\n",
      "b.ptal", {});
  for (const auto& m : c.messages) INFO(m.str());
  REQUIRE(c.ok);
  CHECK(has(c.assembly, "push 1\n        push g_m\n        push 12\n        push 2\n        call p_f\n"));
  CHECK(has(c.assembly, "push g_m+1\n        push 3\n"));
  CHECK(has(c.assembly,
            "        loadl -5\n        loadl -4\n        loadl -3\n        loadl -2\n        sys 17\n"));  // k, b, its
                                                                                                           // length, j
  CHECK(has(c.assembly, ".word 1, 2, 0, 0, g_n, 1, 0"));  // b's address and words are filled when running
  CHECK(has(c.assembly, "        loadl -4\n        store ck_1+2\n        loadl -3\n        addi 3\n"));
  CHECK(has(c.assembly, "retv 4"));  // four argument words: k, b (two), j
  // A record parameter in a checkpoint: the record it refers to, not the reference on the stack.
  const Compiled r = compile_string(
      "record M { a: int; t: bytes[6]; }\nvar m: M;\nproc f(x: M) {\n  _ = checkpoint(x);\n}\n"
      "proc main() { f(m); }\n",
      "r.ptal", {});
  REQUIRE(r.ok);
  CHECK(has(r.assembly, ".word 1, 1, 0, 3, 0"));
  CHECK(has(r.assembly, "        loadl -2\n        store ck_1+2\n        push ck_1\n        sys 24\n"));
  const Compiled lib = compile_string(
      "include \"pair.ptal\";\nrecord S { n: int; }\nvar s: S;\nvar r: bytes[8];\n"
      "proc main() {\n  pair_start(1);\n  while true {\n    _ = pair_receive(r, s);\n    s.n += 1;\n"
      "    pair_reply(s, s.n, FE_OK);\n  }\n}\n",
      "lib.ptal", kLib);
  for (const auto& m : lib.messages) INFO(m.str());
  CHECK(lib.ok);
  CHECK(lib.messages.empty());
}

TEST_CASE("a computed index is checked when running; a constant one only when compiling", "[ptal]") {
  const Compiled c = compile_string(
      "var a: int[4];\nvar b: bytes[6];\nproc main() {\n  var i: int = arg(0, 0);\n  a[i] = 1;\n  b[i] = 2;\n"
      "  a[3] = a[i] + a[i];\n}\n",
      "x/chk.ptal", {});
  for (const auto& m : c.messages) INFO(m.str());
  REQUIRE(c.ok);
  CHECK(has(c.assembly,
            "        loadl 1\n        dup\n        push 4\n        ltu\n        jz .L1\n        push 1\n"
            "        storex g_a\n"));
  CHECK(has(c.assembly, "        dup\n        push 6\n        ltu\n        jz .L2\n"));
  CHECK(has(c.assembly, "        store g_a+3\n"));  // a[3]: no check
  // One abend for each line and type, out of line at the procedure's end, naming the file and line.
  CHECK(has(c.assembly,
            "jz .L3\n        loadx g_a\n        loadl 1\n        dup\n        push 4\n        ltu\n"
            "        jz .L3\n"));
  CHECK(has(c.assembly, ".L1:\n        push s_0\n        push 41\n        sys 2\n"));
  const auto r =
      build_string("var a: int[4];\nproc main() {\n  var i: int = arg(0, 0);\n  a[i] = 1;\n}\n", "chk.ptal", {});
  REQUIRE(r.program);
  const std::string text = "index out of bounds: int[4] at chk.ptal:4";
  std::string data;
  for (auto w : r.program->data)
    for (int k = 0; k < 4; ++k) data += static_cast<char>((w >> (8 * k)) & 0xFF);
  CHECK(has(data, text));
}

TEST_CASE("a for loop's variable needs no index check when its range is inside the array", "[ptal]") {
  auto checks = [](const std::string& body) {
    const Compiled c = compile_string("var a: int[4];\nproc main() {\n" + body + "\n}\n", "f.ptal", {});
    for (const auto& m : c.messages) INFO(m.str());
    REQUIRE(c.ok);
    return has(c.assembly, "ltu");
  };
  CHECK(!checks("  for i in 0..4 { a[i] = i; }"));
  CHECK(!checks("  for i in 1..3 { for j in 0..4 { a[j] = a[i]; } }"));
  CHECK(checks("  for i in 0..5 { a[i] = i; }"));                                // 4 is outside
  CHECK(checks("  for i in -1..3 { a[i] = i; }"));                               // so is -1
  CHECK(checks("  for i in 0..arg(0, 4) { a[i] = i; }"));                        // a computed limit
  CHECK(checks("  for i in 0..4 { i += 1; a[i] = i; }"));                        // assigned in the body
  CHECK(checks("  for i in 0..4 { if i == 0 { var i: int = 9; a[i] = 1; } }"));  // another i
  CHECK(checks("  for i in 0..4 { }\n  var k: int = 7;\n  a[k] = 1;"));          // after the loop
  // Passed whole to a call that may take it as a buffer and write into it: changed, so checked.
  CHECK(checks("  for i in 0..4 { _ = readupdate(0, i); a[i] = i; }"));
  CHECK(checks("  for i in 0..4 { if fread(1, 0, i) > 0 { a[i] = i; } }"));
  CHECK(checks("  for i in 0..4 { print(\"x\"); for j in 0..2 { _ = writeread(1, \"q\", first(i, 4)); } a[i] = i; }"));
  const Compiled p = compile_string(
      "var a: int[4];\nproc set(b: buffer) { b[0] = 9; }\nproc show(v: int) { print(v); }\nproc main() {\n"
      "  for i in 0..4 { show(i); a[i] = i; }\n  for i in 0..4 { set(i); a[i] = i; }\n}\n",
      "f.ptal", {});
  REQUIRE(p.ok);
  const std::string main_code = p.assembly.substr(p.assembly.find(".proc p_main"));
  const auto show = main_code.find("call p_show"), set = main_code.find("call p_set");
  REQUIRE(show < set);
  CHECK(main_code.substr(show, set - show).find("ltu") == std::string::npos);  // read by value: not checked
  CHECK(main_code.substr(set).find("ltu") != std::string::npos);  // a buffer parameter may write it: checked
  // Only read: print, a number argument, an int parameter: no check.
  CHECK(!checks("  for i in 0..4 { print(i, hex(i)); _ = cpuup(i); a[i] = ckpt_kind(i); }"));
}

TEST_CASE("a local declared in a loop starts at zero on every pass", "[ptal]") {
  const Compiled c = compile_string(
      "record R { a: int; b: int[10]; }\nproc main() {\n  var n: int;\n  while n < 3 {\n    var x: int;\n"
      "    var r: R;\n    x += 1;\n    r.b[9] += 1;\n    n += 1;\n  }\n}\n",
      "z.ptal", {});
  for (const auto& m : c.messages) INFO(m.str());
  REQUIRE(c.ok);
  CHECK(has(c.assembly, "        push 0\n        storel 2\n"));  // x, each pass
  CHECK(has(c.assembly, "        push 11\n        storel 14\n"));  // r's 11 words, in a loop
  CHECK(has(c.assembly, "        push 0\n        storei\n"));
  CHECK(!has(c.assembly, "        push 0\n        storel 1\n"));  // n, outside the loop: zeroed by adds
}

TEST_CASE("include reads a file once, from beside the file or the library", "[ptal]") {
  const Compiled c = compile_string(
      "include \"pair.ptal\";\ninclude \"pair.ptal\";\nproc main() { _ = pair_backup_from(1); }\n", "i.ptal", kLib);
  for (const auto& m : c.messages) INFO(m.str());
  CHECK(c.ok);
}
