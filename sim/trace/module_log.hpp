#pragma once
// A module's logger, named by its hierarchical name; every line starts with the level and simulated time,
// as `[I 1.500000000] top.cpu2: halted`. Lines go to stderr; the level is the run's --log-level. A level that
// is off costs one comparison.
#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <string>

namespace pairsim::sim {

class ModuleLog {
 public:
  explicit ModuleLog(std::string name);

  bool enabled(spdlog::level::level_enum lvl) const { return logger_->should_log(lvl); }

  template <typename... Args>
  void log(spdlog::level::level_enum lvl, std::uint64_t t_ns, fmt::format_string<Args...> f, Args&&... args) const {
    if (!logger_->should_log(lvl)) return;
    write(lvl, t_ns, fmt::format(f, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void info(std::uint64_t t_ns, fmt::format_string<Args...> f, Args&&... args) const {
    log(spdlog::level::info, t_ns, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void debug(std::uint64_t t_ns, fmt::format_string<Args...> f, Args&&... args) const {
    log(spdlog::level::debug, t_ns, f, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void warn(std::uint64_t t_ns, fmt::format_string<Args...> f, Args&&... args) const {
    log(spdlog::level::warn, t_ns, f, std::forward<Args>(args)...);
  }

 private:
  void write(spdlog::level::level_enum lvl, std::uint64_t t_ns, const std::string& msg) const;

  std::string name_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace pairsim::sim
