#include "sim/report/status_word.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace pairsim::sim {

std::string status_hex(long long status) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(status));
  return buf;
}

std::optional<std::string> status_meaning(long long status) {
  switch (status) {
    case 0x200:
      return "takeover, the primary stopped";
    case 0x201:
      return "takeover, the primary abended";
    case 0x202:
      return "takeover, its processor failed";
    case 0x203:
      return "takeover, checkswitch";
    case 0x13C:
      return "no backup (error 60)";
    case 0x1C9:
      return "no backup, its CPU was declared down (error 201)";
    case 0x13F:
      return "no switch, the backup has no checkpoint yet (error 63)";
    case 0x102:
      return "checkmonitor called by a process that is not a backup";
    case 0x301:
      return "bad parameter: the descriptor";
    case 0x302:
      return "bad parameter: a buffer outside the data space";
    case 0x303:
      return "bad parameter: a file not open";
    case 0x307:
      return "bad parameter: the checkpoint is larger than 65536 bytes";
    default:
      return std::nullopt;
  }
}

std::optional<long long> takeover_status(const std::string& reason) {
  if (reason == "primary stopped") return 0x200;
  if (reason == "primary abended") return 0x201;
  if (reason == "processor failed") return 0x202;
  if (reason == "checkswitch") return 0x203;
  return std::nullopt;
}

std::string annotate_status(const std::string& text) {
  const std::string word = "status ";
  const auto at = text.rfind(word);
  if (at == std::string::npos) return text;
  std::size_t i = at + word.size();
  std::size_t j = i;
  while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
  if (j == i || j - i > 6 || (j < text.size() && std::isalnum(static_cast<unsigned char>(text[j])))) return text;
  const long long n = std::atoll(text.substr(i, j - i).c_str());
  const auto meaning = status_meaning(n);
  if (!meaning) return text;
  return text.substr(0, j) + " [" + status_hex(n) + ": " + *meaning + "]" + text.substr(j);
}

}  // namespace pairsim::sim
