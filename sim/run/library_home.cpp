#include "sim/run/library_home.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace pairsim::sim {

namespace fs = std::filesystem;

namespace {

bool has_library(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "guest" / "lib", ec);
}

// An installed pairsim's library (<prefix>/share/pairsim beside <prefix>/bin/pairsim), else the source folder
// of a build folder made inside it (build/pairsim in a checkout that has been moved since it was built).
std::string home_beside_binary() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const fs::path up = exe.parent_path().parent_path();
  const fs::path share = (up / "share" / "pairsim").lexically_normal();
  if (has_library(share)) return share.string();
  if (has_library(up) && fs::is_regular_file(up / "CMakeLists.txt", ec)) return up.lexically_normal().string();
  return "";
}

}  // namespace

std::string library_home() {
  if (const char* env = std::getenv("PAIRSIM_HOME"); env && *env) return env;
  if (std::string beside = home_beside_binary(); !beside.empty()) return beside;
  return PAIRSIM_SOURCE_DIR;
}

std::optional<std::string> library_home_error() {
  const char* env = std::getenv("PAIRSIM_HOME");
  if (!env || !*env || has_library(env)) return std::nullopt;
  return std::string("PAIRSIM_HOME is '") + env +
         "', which holds no pairsim library (no guest/lib in it); point it at an installed <prefix>/share/pairsim "
         "or unset it";
}

std::string library_guest_lib() { return (fs::path(library_home()) / "guest" / "lib").string(); }

bool inside_library(const std::string& path) {
  std::error_code ec;
  const fs::path home = fs::weakly_canonical(library_home(), ec);
  const fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  auto h = home.begin();
  auto q = p.begin();
  for (; h != home.end(); ++h, ++q)
    if (q == p.end() || *h != *q) return false;
  return true;
}

}  // namespace pairsim::sim
