#include "sim/trace/module_log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cctype>

namespace pairsim::sim {

ModuleLog::ModuleLog(std::string name) : name_(std::move(name)) {
  logger_ = spdlog::get(name_);
  if (!logger_) {
    logger_ = spdlog::stderr_color_st(name_);
    logger_->set_pattern("%v");
    // Every module follows the level the run was started with (spdlog's global level).
    logger_->set_level(spdlog::get_level());
  }
}

void ModuleLog::write(spdlog::level::level_enum lvl, std::uint64_t t_ns, const std::string& msg) const {
  const char letter =
      static_cast<char>(std::toupper(static_cast<unsigned char>(spdlog::level::to_short_c_str(lvl)[0])));
  logger_->log(lvl, "[{} {}.{:09}] {}: {}", letter, t_ns / 1000000000ull, t_ns % 1000000000ull, name_, msg);
}

}  // namespace pairsim::sim
