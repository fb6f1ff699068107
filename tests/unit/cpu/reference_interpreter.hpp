#pragma once
// The switch interpreter as it was before pre-decoding and superinstructions (cpu/interpreter.cpp at
// a913154), kept verbatim as the reference the fast one must match: same result, registers, memory and
// instruction count for every budget. Tests only.
#include "cpu/interpreter.hpp"
#include "guest/isa.hpp"
namespace pairsim::cpu::reference {
namespace detail {

constexpr unsigned op(guest::Opcode o) {
  return static_cast<unsigned>(o);
}

// Arithmetic right shift written so it does not depend on how the host shifts negative numbers.
inline std::uint32_t shift_arith(std::uint32_t a, std::uint32_t n) {
  const std::uint32_t sign = (a & 0x80000000u) ? 0xFFFFFFFFu : 0u;
  if (n >= 32) return sign;
  return n == 0 ? a : (a >> n) | (sign << (32 - n));
}

}  // namespace detail
using namespace detail;

// The hot loop keeps P, the stack top and L in locals and writes them back once. Internally the stack is
// tracked as `top` = S + 1 (one past the topmost word), so that "empty" and "full" are plain comparisons
// with stack_base and data_words and never wrap: stack_base <= top <= data_words holds throughout.
inline RunResult reference_run(ProcessState& ps, std::uint64_t budget) {
  using guest::Opcode;
  RunResult r;
  std::uint32_t* const d = ps.data;
  const std::uint32_t limit = ps.data_words;
  const std::uint32_t base = ps.stack_base;
  std::uint32_t p = ps.regs.p;
  std::uint32_t top = ps.regs.s + 1;
  std::uint32_t l = ps.regs.l;
  std::uint64_t n = 0;

  if (ps.program == nullptr) {
    r.reason = StopReason::trap;
    r.trap = Trap::bad_code_address;
    return r;
  }
  const std::uint32_t* const code = ps.program->code.data();
  const std::uint32_t code_size = static_cast<std::uint32_t>(ps.program->code.size());

#define PAIRSIM_TRAP(kind)       \
  do {                           \
    r.reason = StopReason::trap; \
    r.trap = Trap::kind;         \
    goto stop;                   \
  } while (0)
#define NEED(k) \
  if (top - base < (k)) PAIRSIM_TRAP(stack_underflow)
#define ROOM(k) \
  if (limit - top < (k)) PAIRSIM_TRAP(stack_overflow)
#define DATA(addr) \
  if ((addr) >= limit) PAIRSIM_TRAP(bad_address)
#define CODE(addr) \
  if ((addr) >= code_size) PAIRSIM_TRAP(bad_code_address)
#define BINARY(expr)                    \
  {                                     \
    NEED(2);                            \
    const std::uint32_t b = d[top - 1]; \
    const std::uint32_t a = d[top - 2]; \
    d[top - 2] = (expr);                \
    --top;                              \
    ++p;                                \
    break;                              \
  }
#define SIGNED(x) static_cast<std::int32_t>(x)

  if (top < base) PAIRSIM_TRAP(stack_underflow);
  if (top > limit) PAIRSIM_TRAP(stack_overflow);

  while (n < budget) {
    CODE(p);
    const std::uint32_t w = code[p];
    switch (w >> guest::kOperandBits) {
      case op(Opcode::nop):
        ++p;
        break;

      case op(Opcode::push):
        ROOM(1);
        d[top++] = static_cast<std::uint32_t>(guest::signed_operand(w));
        ++p;
        break;
      case op(Opcode::pushw):
        ROOM(1);
        CODE(p + 1);
        d[top++] = code[p + 1];
        p += 2;
        break;
      case op(Opcode::dup):
        NEED(1);
        ROOM(1);
        d[top] = d[top - 1];
        ++top;
        ++p;
        break;
      case op(Opcode::drop):
        NEED(1);
        --top;
        ++p;
        break;
      case op(Opcode::swap): {
        NEED(2);
        const std::uint32_t t = d[top - 1];
        d[top - 1] = d[top - 2];
        d[top - 2] = t;
        ++p;
        break;
      }
      case op(Opcode::over):
        NEED(2);
        ROOM(1);
        d[top] = d[top - 2];
        ++top;
        ++p;
        break;
      case op(Opcode::adds): {
        const std::int32_t k = guest::signed_operand(w);
        if (k >= 0) {
          ROOM(static_cast<std::uint32_t>(k));
          for (std::int32_t i = 0; i < k; ++i) d[top++] = 0;
        } else {
          NEED(static_cast<std::uint32_t>(-k));
          top -= static_cast<std::uint32_t>(-k);
        }
        ++p;
        break;
      }

      case op(Opcode::add):
        BINARY(a + b)
      case op(Opcode::sub):
        BINARY(a - b)
      case op(Opcode::mul):
        BINARY(a * b)
      case op(Opcode::div): {
        NEED(2);
        const std::int32_t b = SIGNED(d[top - 1]);
        if (b == 0) PAIRSIM_TRAP(division_by_zero);
        const std::int32_t a = SIGNED(d[top - 2]);
        // INT_MIN / -1 overflows in C++; the guest gets the two's-complement wrap (INT_MIN).
        d[top - 2] = b == -1 ? 0u - static_cast<std::uint32_t>(a) : static_cast<std::uint32_t>(a / b);
        --top;
        ++p;
        break;
      }
      case op(Opcode::mod): {
        NEED(2);
        const std::int32_t b = SIGNED(d[top - 1]);
        if (b == 0) PAIRSIM_TRAP(division_by_zero);
        const std::int32_t a = SIGNED(d[top - 2]);
        d[top - 2] = b == -1 ? 0u : static_cast<std::uint32_t>(a % b);
        --top;
        ++p;
        break;
      }
      case op(Opcode::divu):
        NEED(2);
        if (d[top - 1] == 0) PAIRSIM_TRAP(division_by_zero);
        d[top - 2] = d[top - 2] / d[top - 1];
        --top;
        ++p;
        break;
      case op(Opcode::modu):
        NEED(2);
        if (d[top - 1] == 0) PAIRSIM_TRAP(division_by_zero);
        d[top - 2] = d[top - 2] % d[top - 1];
        --top;
        ++p;
        break;
      case op(Opcode::neg):
        NEED(1);
        d[top - 1] = 0u - d[top - 1];
        ++p;
        break;
      case op(Opcode::addi):
        NEED(1);
        d[top - 1] += static_cast<std::uint32_t>(guest::signed_operand(w));
        ++p;
        break;

      case op(Opcode::and_):
        BINARY(a & b)
      case op(Opcode::or_):
        BINARY(a | b)
      case op(Opcode::xor_):
        BINARY(a ^ b)
      case op(Opcode::not_):
        NEED(1);
        d[top - 1] = ~d[top - 1];
        ++p;
        break;
      case op(Opcode::shl):
        BINARY(b >= 32 ? 0u : a << b)
      case op(Opcode::shr):
        BINARY(b >= 32 ? 0u : a >> b)
      case op(Opcode::sar):
        BINARY(shift_arith(a, b))

      case op(Opcode::eq):
        BINARY(a == b ? 1u : 0u)
      case op(Opcode::ne):
        BINARY(a != b ? 1u : 0u)
      case op(Opcode::lt):
        BINARY(SIGNED(a) < SIGNED(b) ? 1u : 0u)
      case op(Opcode::le):
        BINARY(SIGNED(a) <= SIGNED(b) ? 1u : 0u)
      case op(Opcode::gt):
        BINARY(SIGNED(a) > SIGNED(b) ? 1u : 0u)
      case op(Opcode::ge):
        BINARY(SIGNED(a) >= SIGNED(b) ? 1u : 0u)
      case op(Opcode::ltu):
        BINARY(a < b ? 1u : 0u)
      case op(Opcode::leu):
        BINARY(a <= b ? 1u : 0u)
      case op(Opcode::gtu):
        BINARY(a > b ? 1u : 0u)
      case op(Opcode::geu):
        BINARY(a >= b ? 1u : 0u)

      case op(Opcode::jmp): {
        const std::uint32_t target = guest::unsigned_operand(w);
        CODE(target);
        p = target;
        break;
      }
      case op(Opcode::jz):
      case op(Opcode::jnz): {
        NEED(1);
        const bool zero = d[top - 1] == 0;
        const bool taken = (w >> guest::kOperandBits) == op(Opcode::jz) ? zero : !zero;
        if (taken) {
          const std::uint32_t target = guest::unsigned_operand(w);
          CODE(target);
          p = target;
        } else {
          ++p;
        }
        --top;
        break;
      }
      case op(Opcode::call): {
        // Frame marker: [L-1] = return P, [L] = caller's L. Parameters sit below it, locals above.
        const std::uint32_t target = guest::unsigned_operand(w);
        ROOM(2);
        CODE(target);
        d[top] = p + 1;
        d[top + 1] = l;
        l = top + 1;
        top += 2;
        p = target;
        break;
      }
      case op(Opcode::calli): {
        NEED(1);
        ROOM(1);
        const std::uint32_t target = d[top - 1];
        CODE(target);
        d[top - 1] = p + 1;
        d[top] = l;
        l = top;
        top += 1;
        p = target;
        break;
      }
      case op(Opcode::ret):
      case op(Opcode::retv): {
        const bool value = (w >> guest::kOperandBits) == op(Opcode::retv);
        // The marker must lie inside the live stack, and so must whatever RET n pops below it.
        if (l < base || l - base < 1 || l >= top) PAIRSIM_TRAP(stack_underflow);
        if (value && top - 1 <= l) PAIRSIM_TRAP(stack_underflow);
        const std::uint32_t params = guest::unsigned_operand(w);
        if (l - 1 - base < params) PAIRSIM_TRAP(stack_underflow);
        const std::uint32_t return_p = d[l - 1];
        CODE(return_p);
        const std::uint32_t result = d[top - 1];
        top = l - 1 - params;
        l = d[l];
        if (value) d[top++] = result;
        p = return_p;
        break;
      }
      case op(Opcode::sys):
        ++p;
        ++n;
        r.reason = StopReason::syscall;
        r.syscall = guest::unsigned_operand(w);
        goto stop;

      case op(Opcode::load): {
        const std::uint32_t a = guest::unsigned_operand(w);
        ROOM(1);
        DATA(a);
        d[top++] = d[a];
        ++p;
        break;
      }
      case op(Opcode::store): {
        const std::uint32_t a = guest::unsigned_operand(w);
        NEED(1);
        DATA(a);
        d[a] = d[--top];
        ++p;
        break;
      }
      case op(Opcode::loadx): {
        NEED(1);
        const std::uint32_t a = guest::unsigned_operand(w) + d[top - 1];
        DATA(a);
        d[top - 1] = d[a];
        ++p;
        break;
      }
      case op(Opcode::storex): {
        NEED(2);
        const std::uint32_t a = guest::unsigned_operand(w) + d[top - 2];
        DATA(a);
        d[a] = d[top - 1];
        top -= 2;
        ++p;
        break;
      }
      case op(Opcode::loadl): {
        ROOM(1);
        const std::uint32_t a = l + static_cast<std::uint32_t>(guest::signed_operand(w));
        DATA(a);
        d[top++] = d[a];
        ++p;
        break;
      }
      case op(Opcode::storel): {
        NEED(1);
        const std::uint32_t a = l + static_cast<std::uint32_t>(guest::signed_operand(w));
        DATA(a);
        d[a] = d[--top];
        ++p;
        break;
      }
      case op(Opcode::loadi): {
        NEED(1);
        const std::uint32_t a = d[top - 1];
        DATA(a);
        d[top - 1] = d[a];
        ++p;
        break;
      }
      case op(Opcode::storei): {
        NEED(2);
        const std::uint32_t a = d[top - 2];
        DATA(a);
        d[a] = d[top - 1];
        top -= 2;
        ++p;
        break;
      }
      case op(Opcode::laddr):
        ROOM(1);
        d[top++] = l + static_cast<std::uint32_t>(guest::signed_operand(w));
        ++p;
        break;
      case op(Opcode::loadb): {
        NEED(1);
        const std::uint32_t byte = d[top - 1];
        const std::uint32_t a = byte >> 2;
        DATA(a);
        d[top - 1] = (d[a] >> ((byte & 3u) * 8)) & 0xFFu;
        ++p;
        break;
      }
      case op(Opcode::storeb): {
        NEED(2);
        const std::uint32_t byte = d[top - 2];
        const std::uint32_t a = byte >> 2;
        DATA(a);
        const unsigned shift = (byte & 3u) * 8;
        d[a] = (d[a] & ~(0xFFu << shift)) | ((d[top - 1] & 0xFFu) << shift);
        top -= 2;
        ++p;
        break;
      }

      default:
        PAIRSIM_TRAP(illegal_instruction);
    }
    ++n;
  }

stop:
#undef PAIRSIM_TRAP
#undef NEED
#undef ROOM
#undef DATA
#undef CODE
#undef BINARY
#undef SIGNED
  ps.regs.p = p;
  ps.regs.s = top - 1;
  ps.regs.l = l;
  r.executed = n;
  return r;
}

}  // namespace pairsim::cpu::reference
