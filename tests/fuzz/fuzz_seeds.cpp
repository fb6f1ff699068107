// Writes seeds made from programs: each corpus/interpreter/*.pasm given on the command line, assembled, as
// the interpreter harness's input (interpreter_input.hpp, with a few budget patterns) into the first
// folder, and as an object file into the second (the object harness's). They are made at build time so the
// repository holds only their source text.
#include <cstdio>
#include <fstream>
#include <string>

#include "guest/assembler.hpp"
#include "interpreter_input.hpp"

using namespace pairsim;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: fuzz_seeds INTERPRETER-FOLDER OBJECT-FOLDER FILE.pasm...\n");
    return 2;
  }
  const std::string out = argv[1];
  const std::string objects = argv[2];
  const std::uint8_t patterns[][fuzz::interpreter_input::kSlices] = {
      {255, 0, 0, 0, 0, 0, 0, 0}, {1, 2, 3, 5, 7, 11, 13, 255}, {130, 0, 1, 130, 2, 0, 3, 255}};
  for (int i = 3; i < argc; ++i) {
    auto r = guest::assemble_file(argv[i], {std::string(PAIRSIM_SOURCE_DIR) + "/guest/lib"});
    if (!r.program) {
      for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.str().c_str());
      return 1;
    }
    std::string stem = argv[i];
    stem = stem.substr(stem.find_last_of('/') + 1);
    stem = stem.substr(0, stem.find('.'));
    r.program->source = stem + ".pasm";  // not the path of this checkout
    const std::uint32_t globals = static_cast<std::uint32_t>(r.program->data.size());
    for (std::size_t k = 0; k < sizeof patterns / sizeof patterns[0]; ++k) {
      std::ofstream f(out + "/" + stem + "-" + std::to_string(k), std::ios::binary);
      f << fuzz::interpreter_input::encode(*r.program, globals, patterns[k]);
      if (!f) {
        std::fprintf(stderr, "cannot write into %s\n", out.c_str());
        return 1;
      }
    }
    std::ofstream o(objects + "/" + stem + ".obj", std::ios::binary);
    o << guest::serialize(*r.program);
    if (!o) {
      std::fprintf(stderr, "cannot write into %s\n", objects.c_str());
      return 1;
    }
  }
  return 0;
}
