#include "guest/isa.hpp"

#include <array>

namespace pairsim::guest {
namespace {

using K = OperandKind;
using O = Opcode;

constexpr OpInfo kInstructions[] = {
    {O::nop, "nop", K::none},

    {O::push, "push", K::signed24},   {O::pushw, "pushw", K::literal32},
    {O::dup, "dup", K::none},         {O::drop, "drop", K::none},
    {O::swap, "swap", K::none},       {O::over, "over", K::none},
    {O::adds, "adds", K::signed24},

    {O::add, "add", K::none},         {O::sub, "sub", K::none},
    {O::mul, "mul", K::none},         {O::div, "div", K::none},
    {O::mod, "mod", K::none},         {O::divu, "divu", K::none},
    {O::modu, "modu", K::none},       {O::neg, "neg", K::none},
    {O::addi, "addi", K::signed24},

    {O::and_, "and", K::none},        {O::or_, "or", K::none},
    {O::xor_, "xor", K::none},        {O::not_, "not", K::none},
    {O::shl, "shl", K::none},         {O::shr, "shr", K::none},
    {O::sar, "sar", K::none},

    {O::eq, "eq", K::none},           {O::ne, "ne", K::none},
    {O::lt, "lt", K::none},           {O::le, "le", K::none},
    {O::gt, "gt", K::none},           {O::ge, "ge", K::none},
    {O::ltu, "ltu", K::none},         {O::leu, "leu", K::none},
    {O::gtu, "gtu", K::none},         {O::geu, "geu", K::none},

    {O::jmp, "jmp", K::code24},       {O::jz, "jz", K::code24},
    {O::jnz, "jnz", K::code24},       {O::call, "call", K::code24},
    {O::calli, "calli", K::none},     {O::ret, "ret", K::unsigned24},
    {O::retv, "retv", K::unsigned24}, {O::sys, "sys", K::unsigned24},

    {O::load, "load", K::data24},     {O::store, "store", K::data24},
    {O::loadx, "loadx", K::data24},   {O::storex, "storex", K::data24},
    {O::loadl, "loadl", K::signed24}, {O::storel, "storel", K::signed24},
    {O::loadi, "loadi", K::none},     {O::storei, "storei", K::none},
    {O::laddr, "laddr", K::signed24}, {O::loadb, "loadb", K::none},
    {O::storeb, "storeb", K::none},
};

// Direct lookup by opcode byte, built once at compile time.
constexpr std::array<std::int16_t, 256> make_index() {
  std::array<std::int16_t, 256> index{};
  for (auto& i : index) i = -1;
  for (std::size_t i = 0; i < sizeof(kInstructions) / sizeof(kInstructions[0]); ++i)
    index[static_cast<std::uint8_t>(kInstructions[i].op)] = static_cast<std::int16_t>(i);
  return index;
}
constexpr auto kIndex = make_index();

}  // namespace

const OpInfo* instructions_begin() {
  return std::begin(kInstructions);
}
const OpInfo* instructions_end() {
  return std::end(kInstructions);
}

const OpInfo* find_instruction(std::uint8_t opcode) {
  const auto i = kIndex[opcode];
  return i < 0 ? nullptr : &kInstructions[i];
}

const OpInfo* find_instruction(std::string_view mnemonic) {
  for (const auto& info : kInstructions)
    if (info.mnemonic == mnemonic) return &info;
  return nullptr;
}

}  // namespace pairsim::guest
