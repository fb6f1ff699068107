#pragma once
// The guest instruction set: the one definition the assembler, the disassembler and the interpreter share.
// Every instruction is one 32-bit code word, opcode in bits 31..24 and a 24-bit operand in bits 23..0,
// except `pushw`, whose 32-bit constant follows in the next code word. docs/isa.md explains every choice.
#include <cstdint>
#include <string_view>

namespace pairsim::guest {

enum class Opcode : std::uint8_t {
  // 0x00 is never an opcode, so running into zeroed or data words stops with "illegal instruction".
  nop = 0x01,

  push = 0x10,   // signed 24-bit immediate
  pushw = 0x11,  // 32-bit constant in the next code word
  dup = 0x12,
  drop = 0x13,
  swap = 0x14,
  over = 0x15,
  adds = 0x16,  // S += n (allocate, n > 0, zero-filled; or release, n < 0)

  add = 0x20,
  sub = 0x21,
  mul = 0x22,
  div = 0x23,
  mod = 0x24,
  divu = 0x25,
  modu = 0x26,
  neg = 0x27,
  addi = 0x28,  // TOS += signed 24-bit immediate

  and_ = 0x30,
  or_ = 0x31,
  xor_ = 0x32,
  not_ = 0x33,
  shl = 0x34,
  shr = 0x35,
  sar = 0x36,

  eq = 0x40,
  ne = 0x41,
  lt = 0x42,
  le = 0x43,
  gt = 0x44,
  ge = 0x45,
  ltu = 0x46,
  leu = 0x47,
  gtu = 0x48,
  geu = 0x49,

  jmp = 0x50,
  jz = 0x51,
  jnz = 0x52,
  call = 0x53,
  calli = 0x54,
  ret = 0x55,
  retv = 0x56,
  sys = 0x57,

  load = 0x60,
  store = 0x61,
  loadx = 0x62,
  storex = 0x63,
  loadl = 0x64,
  storel = 0x65,
  loadi = 0x66,
  storei = 0x67,
  laddr = 0x68,
  loadb = 0x69,
  storeb = 0x6A,
};

// How the operand field of an instruction is read.
enum class OperandKind : std::uint8_t {
  none,        // operand field is zero
  signed24,    // -8388608 .. 8388607
  unsigned24,  // 0 .. 16777215 (counts, system-call numbers)
  code24,      // a code address 0 .. 16777215 (jump and call targets)
  data24,      // a data address 0 .. 16777215 (globals)
  literal32,   // the operand field is zero; the constant is the next code word
};

struct OpInfo {
  Opcode op;
  std::string_view mnemonic;
  OperandKind operand;
};

constexpr std::uint32_t kOperandBits = 24;
constexpr std::uint32_t kOperandMask = (1u << kOperandBits) - 1;
constexpr std::int32_t kSigned24Min = -(1 << 23);
constexpr std::int32_t kSigned24Max = (1 << 23) - 1;
constexpr std::uint32_t kUnsigned24Max = kOperandMask;

// Every instruction, in opcode order.
const OpInfo* instructions_begin();
const OpInfo* instructions_end();
// nullptr when there is no such opcode / mnemonic.
const OpInfo* find_instruction(std::uint8_t opcode);
const OpInfo* find_instruction(std::string_view mnemonic);
// Code words the instruction occupies (2 for pushw, else 1).
inline std::uint32_t instruction_words(OperandKind k) {
  return k == OperandKind::literal32 ? 2 : 1;
}

constexpr std::uint32_t encode(Opcode op, std::uint32_t operand = 0) {
  return (static_cast<std::uint32_t>(op) << kOperandBits) | (operand & kOperandMask);
}
constexpr std::uint8_t opcode_of(std::uint32_t word) {
  return static_cast<std::uint8_t>(word >> kOperandBits);
}
constexpr std::uint32_t unsigned_operand(std::uint32_t word) {
  return word & kOperandMask;
}
constexpr std::int32_t signed_operand(std::uint32_t word) {
  // Sign-extend bit 23 without relying on implementation-defined shifts of negative numbers.
  return static_cast<std::int32_t>((word & kOperandMask) ^ 0x800000u) - 0x800000;
}

}  // namespace pairsim::guest
