#include "guest/program_file.hpp"

#include <fstream>
#include <sstream>

#include "guest/ptal_compiler.hpp"
#include "guest/text_file.hpp"

namespace pairsim::guest {

AssembleResult build_source_file(const std::string& path, const std::vector<std::string>& include_dirs,
                                 bool want_listing, std::vector<std::string>* warnings) {
  if (ptal::is_ptal_path(path)) return ptal::build_file(path, include_dirs, want_listing, warnings);
  return assemble_file(path, include_dirs, want_listing);
}

AssembleResult load_program_file(const std::string& path, const std::vector<std::string>& include_dirs,
                                 std::vector<std::string>* warnings) {
  std::string bytes, why;
  if (!read_whole_file(path, bytes, why)) {
    AssembleResult r;
    r.errors.push_back(Diagnostic{path, 0, 0, "cannot read the file: " + why});
    return r;
  }
  if (looks_like_object(bytes)) {
    AssembleResult r;
    r.program = deserialize(bytes, why);
    if (!r.program) r.errors.push_back(Diagnostic{path, 0, 0, why});
    return r;
  }
  return build_source_file(path, include_dirs, false, warnings);
}

}  // namespace pairsim::guest
