#pragma once
// The interpreter's pre-decoded form of a program's code: one slot per code word, holding the handler to
// run and its operands already extracted, sign-extended and (for jumps) checked, so the hot loop does no
// decoding. A few frequent instruction pairs are fused into one slot (a "superinstruction"); the second
// word keeps its own slot, so a jump into it runs it alone. Code is read-only to guests (docs/isa.md:
// separate code and data), so a slot, once decoded, stays valid for the program's lifetime.
// Interpreter-internal: only cpu/interpreter.cpp uses it.
#include <cstdint>
#include <vector>

#include "guest/program.hpp"

// Direct threading (GCC/Clang labels as values) where the compiler has it; a switch elsewhere.
#if defined(__GNUC__) && !defined(PAIRSIM_INTERPRETER_SWITCH)
#define PAIRSIM_INTERPRETER_THREADED 1
#else
#define PAIRSIM_INTERPRETER_THREADED 0
#endif

namespace pairsim::cpu::predecoded {

// The binary operators (pop b, pop a, push a OP b). Each has fused forms with an operand fetched before
// it (loadl, push, load), with a conditional jump after it (jz, jnz), and both (loadl k; lt; jz L: the
// condition of most loops and ifs).
#define PAIRSIM_BINARY_OPS(X)                                                                                     \
  X(add)                                                                                                          \
  X(sub) X(mul) X(div) X(mod) X(divu) X(modu) X(and_) X(or_) X(xor_) X(shl) X(shr) X(sar) X(eq) X(ne) X(lt) X(le) \
      X(gt) X(ge) X(ltu) X(leu) X(gtu) X(geu)

// Every handler but the binary operators' families, in enum order. `decode` decodes its slot on first use;
// `off_end` sits one past the code; the *_bad forms have an operand that traps when it is used.
#define PAIRSIM_PLAIN_HANDLERS(X)                                                                                    \
  X(decode)                                                                                                          \
  X(off_end) X(illegal) X(nop) X(push) X(pushw) X(pushw_bad) X(dup) X(drop) X(swap) X(over) X(adds) X(neg) X(addi)   \
      X(not_) X(jmp) X(jmp_bad) X(jz) X(jz_bad) X(jnz) X(jnz_bad) X(call) X(call_bad) X(calli) X(ret) X(retv) X(sys) \
          X(load) X(store) X(loadx) X(storex) X(loadl) X(storel) X(loadi) X(storei) X(laddr) X(loadb) X(storeb)      \
              X(loadl_loadl) X(loadl_addi) X(addi_storel) X(push_storel) X(storel_jmp) X(dup_jz) X(dup_jnz)          \
                  X(loadl_dup)

enum Handler : std::uint16_t {
#define PAIRSIM_ENUM_PLAIN(name) h_##name,
#define PAIRSIM_ENUM_BINARY(op) \
  h_##op, h_loadl_##op, h_push_##op, h_load_##op, h_##op##_jz, h_##op##_jnz, h_loadl_##op##_jz, h_loadl_##op##_jnz,
  PAIRSIM_PLAIN_HANDLERS(PAIRSIM_ENUM_PLAIN) PAIRSIM_BINARY_OPS(PAIRSIM_ENUM_BINARY) h_count
#undef PAIRSIM_ENUM_PLAIN
#undef PAIRSIM_ENUM_BINARY
};
// A binary operator's family: the plain form, then these offsets from it.
enum BinaryForm : std::uint16_t {
  plain = 0,
  after_loadl,
  after_push,
  after_load,
  then_jz,
  then_jnz,
  loadl_then_jz,
  loadl_then_jnz,
  forms
};

#if PAIRSIM_INTERPRETER_THREADED
using HandlerRef = const void*;  // the handler's label address in Interpreter::run
#else
using HandlerRef = Handler;
#endif

// A fused slot keeps the first instruction's operand in `a` and the last one's in `b`.
struct Slot {
  HandlerRef handler;
  std::uint32_t a;
  std::uint32_t b;
};

struct DecodedSlot {
  Handler handler;
  std::uint32_t a;
  std::uint32_t b;
};

// Decodes the instruction (or fused pair) at code address p < code.size().
DecodedSlot decode_slot(const std::vector<std::uint32_t>& code, std::uint32_t p);

}  // namespace pairsim::cpu::predecoded

namespace pairsim::cpu {

// One process's decoded code: code.size() + 1 slots (the last one traps "bad code address"), each
// decoded when first run. Made by Interpreter::run for `program`; a ProcessState with another program
// (or whose program's code buffer changed) gets a new one.
struct DecodedCode {
  const guest::Program* program = nullptr;
  const std::uint32_t* code = nullptr;
  std::size_t size = 0;
  std::vector<predecoded::Slot> slots;
};

}  // namespace pairsim::cpu
