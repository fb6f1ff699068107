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

// Whether `p` is `outer` or lies inside it (both made canonical first).
bool within(const fs::path& outer, const fs::path& p) {
  std::error_code ec;
  const fs::path o = fs::weakly_canonical(outer, ec);
  if (ec || o.empty()) return false;
  const fs::path q = fs::weakly_canonical(fs::absolute(p, ec), ec);
  if (ec) return false;
  auto i = o.begin();
  auto j = q.begin();
  for (; i != o.end(); ++i, ++j)
    if (j == q.end() || *i != *j) return false;
  return true;
}

// Whether the running binary lies in the build folder it was built in (build/pairsim, build/tests/…): only
// such a binary may take its library from the source folder compiled in. An installed or copied binary that
// did that would depend, without saying so, on a folder of the machine it was built on.
bool in_build_folder() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return !ec && within(PAIRSIM_BUILD_DIR, exe);
}

}  // namespace

std::string library_home() {
  if (const char* env = std::getenv("PAIRSIM_HOME"); env && *env) return env;
  if (std::string beside = home_beside_binary(); !beside.empty()) return beside;
  if (in_build_folder() && has_library(PAIRSIM_SOURCE_DIR)) return PAIRSIM_SOURCE_DIR;
  return "";
}

std::optional<std::string> library_home_error() {
  const char* env = std::getenv("PAIRSIM_HOME");
  if (env && *env) {
    if (has_library(env)) return std::nullopt;
    return std::string("PAIRSIM_HOME is '") + env +
           "', which holds no pairsim library (no guest/lib in it); point it at an installed <prefix>/share/pairsim "
           "or unset it";
  }
  if (!library_home().empty()) return std::nullopt;
  return std::string(
      "no pairsim library found: none in ../share/pairsim beside this binary; set PAIRSIM_HOME to "
      "an installed <prefix>/share/pairsim");
}

std::string library_guest_lib() {
  return (fs::path(library_home()) / "guest" / "lib").string();
}

bool inside_library(const std::string& path) {
  const std::string home = library_home();
  return !home.empty() && within(home, path);
}

}  // namespace pairsim::sim
