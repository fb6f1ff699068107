#include "guest/program_file.hpp"

#include <fstream>
#include <sstream>

namespace pairsim::guest {

AssembleResult load_program_file(const std::string& path, const std::vector<std::string>& include_dirs) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  if (in) bytes << in.rdbuf();
  if (in && looks_like_object(bytes.str())) {
    AssembleResult r;
    std::string why;
    r.program = deserialize(bytes.str(), why);
    if (!r.program) r.errors.push_back(Diagnostic{path, 0, 0, why});
    return r;
  }
  return assemble_file(path, include_dirs);
}

}  // namespace pairsim::guest
