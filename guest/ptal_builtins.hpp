#pragma once
// What ptal knows without being told: the system calls as built-in procedures (their arguments, and
// whether their result is a status a program should test), the predefined constants, and the small
// run-time library (line formatting for print, arg) that the code generator appends when it is used.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pairsim::guest::ptal {

enum class ArgKind : std::uint8_t {
  value,  // an int expression
  in,     // a buffer the call reads: word address and byte length, both from the argument
  out,    // a buffer the call fills: the same, but a string constant is refused
};

struct BuiltinCall {
  std::string_view name;
  std::uint32_t sys;  // the system-call number
  std::vector<ArgKind> args;
  bool status;   // the result says whether it worked: ignoring it draws a warning
  bool returns;  // false: the process ends in the call (stop, abend, stoppair)
};

const std::vector<BuiltinCall>& builtin_calls();
const BuiltinCall* find_builtin_call(std::string_view name);

// The keywords of the language. docs/language.md ("Reserved names") lists them; a unit test compares.
const std::vector<std::string_view>& keywords();

// The built-in procedures the compiler makes itself, not system calls (print, arg, takeover, ckpt_kind,
// ckpt_detail, first, hex, checkpoint), and the checkpoint items (receive, file).
const std::vector<std::string_view>& compiler_builtins();
const std::vector<std::string_view>& checkpoint_items();

// The names the language reserves besides its keywords and constants: the system calls (builtin_calls),
// compiler_builtins and checkpoint_items.
bool is_builtin_name(std::string_view name);

struct BuiltinConstant {
  std::string_view name;
  std::int64_t value;
};
const std::vector<BuiltinConstant>& builtin_constants();

// Assembly text of the run-time routines (rt_text, rt_num, rt_hex, rt_flush, rt_arg).
std::string_view runtime_assembly();

}  // namespace pairsim::guest::ptal
