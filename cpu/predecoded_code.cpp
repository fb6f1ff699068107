#include "cpu/predecoded_code.hpp"

#include "guest/isa.hpp"

namespace pairsim::cpu::predecoded {

namespace {

using guest::Opcode;

static_assert(h_geu == h_add + 22 * forms, "the binary operators' families are contiguous, in order");

constexpr unsigned op(Opcode o) {
  return static_cast<unsigned>(o);
}

// The plain handler of a binary operator's opcode, or h_count when it is not one.
Handler binary_handler(unsigned opcode) {
  switch (opcode) {
#define PAIRSIM_BINARY_CASE(name) \
  case op(Opcode::name):          \
    return h_##name;
    PAIRSIM_BINARY_OPS(PAIRSIM_BINARY_CASE)
#undef PAIRSIM_BINARY_CASE
    default:
      return h_count;
  }
}

bool is_binary(Handler h) {
  return h >= h_add && h < h_count && (h - h_add) % forms == plain;
}

Handler form(Handler binary, BinaryForm f) {
  return static_cast<Handler>(binary + f);
}

// One instruction alone, with its operand ready to use.
DecodedSlot decode_one(const std::vector<std::uint32_t>& code, std::uint32_t p) {
  const std::uint32_t size = static_cast<std::uint32_t>(code.size());
  const std::uint32_t w = code[p];
  const std::uint32_t u = guest::unsigned_operand(w);
  const std::uint32_t s = static_cast<std::uint32_t>(guest::signed_operand(w));
  const auto target = [&](Handler ok, Handler bad) { return DecodedSlot{u < size ? ok : bad, u, 0}; };
  const unsigned opcode = w >> guest::kOperandBits;
  if (const Handler b = binary_handler(opcode); b != h_count) return {b, 0, 0};
  switch (opcode) {
    case op(Opcode::nop):
      return {h_nop, 0, 0};
    case op(Opcode::push):
      return {h_push, s, 0};
    case op(Opcode::pushw):
      return p + 1 < size ? DecodedSlot{h_pushw, code[p + 1], 0} : DecodedSlot{h_pushw_bad, 0, 0};
    case op(Opcode::dup):
      return {h_dup, 0, 0};
    case op(Opcode::drop):
      return {h_drop, 0, 0};
    case op(Opcode::swap):
      return {h_swap, 0, 0};
    case op(Opcode::over):
      return {h_over, 0, 0};
    case op(Opcode::adds):
      return {h_adds, s, 0};
    case op(Opcode::neg):
      return {h_neg, 0, 0};
    case op(Opcode::addi):
      return {h_addi, s, 0};
    case op(Opcode::not_):
      return {h_not_, 0, 0};
    case op(Opcode::jmp):
      return target(h_jmp, h_jmp_bad);
    case op(Opcode::jz):
      return target(h_jz, h_jz_bad);
    case op(Opcode::jnz):
      return target(h_jnz, h_jnz_bad);
    case op(Opcode::call):
      return target(h_call, h_call_bad);
    case op(Opcode::calli):
      return {h_calli, 0, 0};
    case op(Opcode::ret):
      return {h_ret, u, 0};
    case op(Opcode::retv):
      return {h_retv, u, 0};
    case op(Opcode::sys):
      return {h_sys, u, 0};
    case op(Opcode::load):
      return {h_load, u, 0};
    case op(Opcode::store):
      return {h_store, u, 0};
    case op(Opcode::loadx):
      return {h_loadx, u, 0};
    case op(Opcode::storex):
      return {h_storex, u, 0};
    case op(Opcode::loadl):
      return {h_loadl, s, 0};
    case op(Opcode::storel):
      return {h_storel, s, 0};
    case op(Opcode::loadi):
      return {h_loadi, 0, 0};
    case op(Opcode::storei):
      return {h_storei, 0, 0};
    case op(Opcode::laddr):
      return {h_laddr, s, 0};
    case op(Opcode::loadb):
      return {h_loadb, 0, 0};
    case op(Opcode::storeb):
      return {h_storeb, 0, 0};
    default:
      return {h_illegal, 0, 0};
  }
}

// The superinstruction for `first` followed by `second`, or h_count. Chosen from the pairs that compiled
// and hand-written guests run most (guest/compute.pasm, ptal output): operand fetch + operator, compare +
// branch, local update. Jumps are fused only with a valid target, so a fused pair never needs a code check.
Handler fused(const DecodedSlot& first, const DecodedSlot& second) {
  const bool bin = is_binary(second.handler);
  switch (first.handler) {
    case h_loadl:
      if (second.handler == h_loadl) return h_loadl_loadl;
      if (second.handler == h_addi) return h_loadl_addi;
      if (second.handler == h_dup) return h_loadl_dup;
      return bin ? form(second.handler, after_loadl) : h_count;
    case h_push:
      if (second.handler == h_storel) return h_push_storel;
      return bin ? form(second.handler, after_push) : h_count;
    case h_load:
      return bin ? form(second.handler, after_load) : h_count;
    case h_addi:
      return second.handler == h_storel ? h_addi_storel : h_count;
    case h_storel:
      return second.handler == h_jmp ? h_storel_jmp : h_count;
    case h_dup:
      if (second.handler == h_jz) return h_dup_jz;
      return second.handler == h_jnz ? h_dup_jnz : h_count;
    default:
      if (!is_binary(first.handler)) return h_count;
      if (second.handler == h_jz) return form(first.handler, then_jz);
      return second.handler == h_jnz ? form(first.handler, then_jnz) : h_count;
  }
}

}  // namespace

DecodedSlot decode_slot(const std::vector<std::uint32_t>& code, std::uint32_t p) {
  const DecodedSlot first = decode_one(code, p);
  if (first.handler == h_pushw || first.handler == h_pushw_bad || p + 1 >= code.size()) return first;
  const DecodedSlot second = decode_one(code, p + 1);
  const Handler f = fused(first, second);
  if (f == h_count) return first;
  if (first.handler == h_loadl && is_binary(second.handler) && p + 2 < code.size()) {
    const DecodedSlot third = decode_one(code, p + 2);
    if (third.handler == h_jz) return {form(second.handler, loadl_then_jz), first.a, third.a};
    if (third.handler == h_jnz) return {form(second.handler, loadl_then_jnz), first.a, third.a};
  }
  return {f, first.a, second.a};
}

}  // namespace pairsim::cpu::predecoded
