#include "sim/campaign/file_io.hpp"

#include "guest/text_file.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace pairsim::sim {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const fs::path& path) {
  std::string text, why;
  if (!guest::read_whole_file(path.string(), text, why, std::uintmax_t{1} << 32)) return std::nullopt;
  return text;
}

bool write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f.flush());
}

void write_run_folder(const fs::path& dir, const ChildEnd& end, const std::string& replay_script) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!end.out.empty()) write_file(dir / "run.json", end.out);
  if (!end.err.empty()) write_file(dir / "stderr.txt", end.err);
  const fs::path script = dir / "replay.sh";
  write_file(script, replay_script);
  fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add,
                  ec);
}

bool prepare_out_folder(const fs::path& out, std::initializer_list<const char*> files,
                        bool (*is_own_folder)(const std::string& name)) {
  std::error_code ec;
  fs::create_directories(out, ec);
  if (!fs::is_directory(out, ec)) return false;
  // Collected first, removed after: a folder is not changed while it is being read.
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(out, ec)) {
    const std::string name = entry.path().filename().string();
    if (std::any_of(files.begin(), files.end(), [&](const char* file) { return name == file; }) ||
        (is_own_folder(name) && entry.is_directory(ec)))
      stale.push_back(entry.path());
  }
  for (const auto& path : stale) fs::remove_all(path, ec);
  return true;
}

}  // namespace pairsim::sim
