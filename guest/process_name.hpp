#pragma once
// What a process name is — one rule for the scenario language and the kernel: `$`, a letter, then up to
// 14 more letters, digits or underscores (`$SERV`, `$DATA1`, `$BANK_2`); 16 characters at most with the `$`.
#include <cstddef>
#include <string_view>

namespace pairsim::guest {

constexpr std::size_t kMaxProcessNameLength = 16;  // with the '$'

constexpr bool is_process_name(std::string_view s) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.size() < 2 || s.size() > kMaxProcessNameLength || s[0] != '$' || !letter(s[1])) return false;
  for (std::size_t i = 2; i < s.size(); ++i)
    if (!letter(s[i]) && !digit(s[i]) && s[i] != '_') return false;
  return true;
}

static_assert(is_process_name("$SERV") && is_process_name("$BANK_2") && !is_process_name("$1X") &&
              !is_process_name("SERV") && !is_process_name("$") && !is_process_name("$ABCDEFGHIJKLMNOP"));

}  // namespace pairsim::guest
