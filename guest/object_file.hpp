#pragma once
// Object files (`pairsim asm -o OUT`): an assembled Program saved so it can be loaded instead of source.
// A line-oriented text format, readable and diffable; the first line is "pairsim-object 1".
#include <optional>
#include <string>

#include "guest/program.hpp"

namespace pairsim::guest {

std::string serialize(const Program& p);
// Any malformed or inconsistent input gives nullopt and a sentence in `error` (never a crash).
std::optional<Program> deserialize(const std::string& bytes, std::string& error);
// True when the bytes start like an object file (the loader uses it to tell objects from source).
bool looks_like_object(const std::string& bytes);

}  // namespace pairsim::guest
