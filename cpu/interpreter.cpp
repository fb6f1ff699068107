#include "cpu/interpreter.hpp"

#include <cstdint>
#include <memory>

#include "cpu/predecoded_code.hpp"
#include "guest/isa.hpp"

namespace pairsim::cpu {

const char* trap_reason(Trap t) {
  switch (t) {
    case Trap::none:
      return "none";
    case Trap::illegal_instruction:
      return "illegal instruction";
    case Trap::bad_address:
      return "bad address";
    case Trap::bad_code_address:
      return "bad code address";
    case Trap::stack_overflow:
      return "stack overflow";
    case Trap::stack_underflow:
      return "stack underflow";
    case Trap::division_by_zero:
      return "division by zero";
    case Trap::bad_syscall:
      return "bad system call";
    case Trap::bad_argument:
      return "bad system-call argument";
  }
  return "unknown trap";
}

void reset_registers(ProcessState& ps) {
  ps.regs.p = ps.program != nullptr ? ps.program->entry : 0;
  ps.regs.s = ps.stack_base - 1;  // wraps to 0xFFFFFFFF when there are no globals; S+1 is what counts
  ps.regs.l = ps.regs.s;
}

namespace {

// Arithmetic right shift written so it does not depend on how the host shifts negative numbers.
inline std::uint32_t shift_arith(std::uint32_t a, std::uint32_t n) {
  const std::uint32_t sign = (a & 0x80000000u) ? 0xFFFFFFFFu : 0u;
  if (n >= 32) return sign;
  return n == 0 ? a : (a >> n) | (sign << (32 - n));
}

#if !PAIRSIM_INTERPRETER_THREADED && defined(__GNUC__)
// Every handler has a label for the fused handlers' fallback; in a switch most go unused.
#pragma GCC diagnostic ignored "-Wunused-label"
#endif
#if defined(__GNUC__)
#define PAIRSIM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define PAIRSIM_UNLIKELY(x) (x)
#endif

}  // namespace

// The hot loop keeps the slot pointer `ip` (P = ip - slots), the stack pointer `sp` (one past the topmost
// word, S + 1 as an address) and L in locals and writes them back once. lo <= sp <= hi holds throughout, so
// "empty" and "full" are plain comparisons that never wrap. `left` is the budget not yet used: each
// instruction takes one before it runs, and a trap gives the faulting instruction's back.
//
// Every instruction's semantics is written once, as a BODY_ macro that ends with P advanced; a fused slot
// runs the first body, takes one more instruction from the budget and runs the second, so a trap in the
// second leaves P at the second with the first done and counted, exactly as the two run apart. A fused slot
// with one instruction of budget left runs its first instruction's plain handler instead.
namespace {

// What Interpreter::run hands the hot loop and gets back. The loop is a function of its own so that the
// compiler keeps its few hot values in registers (the caller's ProcessState, budget and result stay out).
struct Loop {
  DecodedCode* dc;
  const std::vector<std::uint32_t>* code;
  std::uint32_t* d;
  std::uint32_t base;
  std::uint32_t limit;
  std::uint64_t budget;
  std::uint64_t later;  // budget not yet given to `left`
  std::uint32_t code_size;
  std::uint32_t p, top, l;  // in and out
  RunResult result;
};

#if defined(__GNUC__)
__attribute__((noinline))
#endif
void execute(Loop& m) {
  using namespace predecoded;
#if PAIRSIM_INTERPRETER_THREADED
  static const void* const handlers[h_count] = {
#define PAIRSIM_LABEL_PLAIN(name) &&L_##name,
#define PAIRSIM_LABEL_BINARY(op)                                                                              \
  &&L_##op, &&L_loadl_##op, &&L_push_##op, &&L_load_##op, &&L_##op##_jz, &&L_##op##_jnz, &&L_loadl_##op##_jz, \
      &&L_loadl_##op##_jnz,
      PAIRSIM_PLAIN_HANDLERS(PAIRSIM_LABEL_PLAIN) PAIRSIM_BINARY_OPS(PAIRSIM_LABEL_BINARY)
#undef PAIRSIM_LABEL_PLAIN
#undef PAIRSIM_LABEL_BINARY
  };
#define HREF(h) handlers[h]
#define HANDLER(name) L_##name:
#define DISPATCH() goto * ip->handler
#else
#define HREF(h) (h)
#define HANDLER(name) \
  case h_##name:      \
    L_##name:
#define DISPATCH() goto dispatch
#endif

  if (m.dc->slots.empty()) {  // new: every slot decodes itself when first run
    m.dc->slots.assign(m.dc->size + 1, Slot{HREF(h_decode), 0, 0});
    m.dc->slots.back() = Slot{HREF(h_off_end), 0, 0};
  }
  // Values the hot handlers do not use stay in `m`, read where needed, so that they take no register.
  Slot* const slots = m.dc->slots.data();
  std::uint32_t* const d = m.d;
  Slot* ip = slots + m.p;
  std::uint32_t* sp = d + m.top;
  std::uint32_t* const lo = d + m.base;
  std::uint32_t* const hi = d + m.limit;
  std::uint32_t l = m.l;
  // `left` is signed so that taking one and testing is one subtraction; a budget beyond its range is given
  // out in parts (`m.later`), which no guest can tell.
  constexpr std::uint64_t kMaxPart = static_cast<std::uint64_t>(INT64_MAX);
  m.later = m.budget > kMaxPart ? m.budget - kMaxPart : 0;
  std::int64_t left = static_cast<std::int64_t>(m.budget - m.later);
  Trap trap = Trap::none;

#define TRAP(kind)     \
  do {                 \
    trap = Trap::kind; \
    goto trapped;      \
  } while (0)
// Stack checks as address comparisons (k words as bytes), which the compiler turns into one compare.
#define NEED(k)                                                                             \
  if (PAIRSIM_UNLIKELY(reinterpret_cast<std::uintptr_t>(sp) <                               \
                       reinterpret_cast<std::uintptr_t>(lo) + sizeof(std::uint32_t) * (k))) \
  TRAP(stack_underflow)
#define ROOM(k)                                                                             \
  if (PAIRSIM_UNLIKELY(reinterpret_cast<std::uintptr_t>(sp) + sizeof(std::uint32_t) * (k) > \
                       reinterpret_cast<std::uintptr_t>(hi)))                               \
  TRAP(stack_overflow)
// A data address checked as a host address against the end of the data space, so `limit` need not be kept
// in a register beside `hi` (addr < 2^32 words cannot wrap a 64-bit address).
#define DATA(addr)                                                                      \
  if (PAIRSIM_UNLIKELY(reinterpret_cast<std::uintptr_t>(d) +                            \
                           sizeof(std::uint32_t) * static_cast<std::uintptr_t>(addr) >= \
                       reinterpret_cast<std::uintptr_t>(hi)))                           \
  TRAP(bad_address)
#define NEXT                                          \
  do {                                                \
    if (PAIRSIM_UNLIKELY(--left < 0)) goto exhausted; \
    DISPATCH();                                       \
  } while (0)
// At a fused slot's start its first instruction is paid for; the second needs one more (a triple checks
// for two more and falls back to its first pair).
#define FUSED(first) \
  if (PAIRSIM_UNLIKELY(left == 0)) goto L_##first
#define SIGNED(x) static_cast<std::int32_t>(x)

#define BODY_PUSH(k) \
  ROOM(1);           \
  *sp++ = (k);       \
  ++ip;
#define BODY_LOAD(g)     \
  {                      \
    const auto a_ = (g); \
    ROOM(1);             \
    DATA(a_);            \
    *sp++ = d[a_];       \
    ++ip;                \
  }
#define BODY_LOADL(k)                 \
  {                                   \
    ROOM(1);                          \
    const std::uint32_t a_ = l + (k); \
    DATA(a_);                         \
    *sp++ = d[a_];                    \
    ++ip;                             \
  }
#define BODY_STOREL(k) \
  NEED(1);             \
  BODY_STOREL_CHECKED(k)
#define BODY_STOREL_CHECKED(k)        \
  {                                   \
    const std::uint32_t a_ = l + (k); \
    DATA(a_);                         \
    d[a_] = *--sp;                    \
    ++ip;                             \
  }
#define BODY_ADDI(k) \
  NEED(1);           \
  sp[-1] += (k);     \
  ++ip;
#define BODY_DUP \
  NEED(1);       \
  BODY_DUP_CHECKED
#define BODY_DUP_CHECKED \
  ROOM(1);               \
  sp[0] = sp[-1];        \
  ++sp;                  \
  ++ip;
#define BODY_JMP(t) ip = slots + (t);
// The second of a fused pair skips a stack check that the first one's has made true already (a binary
// operator leaves a word for jz to pop; addi leaves one for storel; loadl pushes one for dup).
#define BODY_JZ(t, cond) \
  NEED(1);               \
  BODY_JZ_CHECKED(t, cond)
#define BODY_JZ_CHECKED(t, cond) \
  --sp;                          \
  if (cond(*sp)) {               \
    ip = slots + (t);            \
  } else {                       \
    ++ip;                        \
  }
#define BODY_RET(value)                                                                        \
  {                                                                                            \
    std::uint32_t t = static_cast<std::uint32_t>(sp - d);                                      \
    /* The marker must lie inside the live stack, and so must whatever RET n pops below it. */ \
    if (l < m.base || l - m.base < 1 || l >= t) TRAP(stack_underflow);                         \
    if ((value) && t - 1 <= l) TRAP(stack_underflow);                                          \
    const std::uint32_t params = ip->a;                                                        \
    if (l - 1 - m.base < params) TRAP(stack_underflow);                                        \
    const std::uint32_t return_p = d[l - 1];                                                   \
    if (return_p >= m.code_size) TRAP(bad_code_address);                                       \
    const std::uint32_t result = d[t - 1];                                                     \
    t = l - 1 - params;                                                                        \
    l = d[l];                                                                                  \
    if (value) d[t++] = result;                                                                \
    sp = d + t;                                                                                \
    ip = slots + return_p;                                                                     \
  }
#define ZERO(v) ((v) == 0)
#define NONZERO(v) ((v) != 0)

// The binary operators: a check that may trap on the divisor y, and the result of x OP y.
#define CHECK_none(y)
#define CHECK_divisor(y) \
  if ((y) == 0) TRAP(division_by_zero);
#define CHECK_add CHECK_none
#define CHECK_sub CHECK_none
#define CHECK_mul CHECK_none
#define CHECK_div CHECK_divisor
#define CHECK_mod CHECK_divisor
#define CHECK_divu CHECK_divisor
#define CHECK_modu CHECK_divisor
#define CHECK_and_ CHECK_none
#define CHECK_or_ CHECK_none
#define CHECK_xor_ CHECK_none
#define CHECK_shl CHECK_none
#define CHECK_shr CHECK_none
#define CHECK_sar CHECK_none
#define CHECK_eq CHECK_none
#define CHECK_ne CHECK_none
#define CHECK_lt CHECK_none
#define CHECK_le CHECK_none
#define CHECK_gt CHECK_none
#define CHECK_ge CHECK_none
#define CHECK_ltu CHECK_none
#define CHECK_leu CHECK_none
#define CHECK_gtu CHECK_none
#define CHECK_geu CHECK_none
#define EXPR_add(x, y) ((x) + (y))
#define EXPR_sub(x, y) ((x) - (y))
#define EXPR_mul(x, y) ((x) * (y))
// INT_MIN / -1 overflows in C++; the guest gets the two's-complement wrap (INT_MIN), and remainder 0.
#define EXPR_div(x, y) (SIGNED(y) == -1 ? 0u - (x) : static_cast<std::uint32_t>(SIGNED(x) / SIGNED(y)))
#define EXPR_mod(x, y) (SIGNED(y) == -1 ? 0u : static_cast<std::uint32_t>(SIGNED(x) % SIGNED(y)))
#define EXPR_divu(x, y) ((x) / (y))
#define EXPR_modu(x, y) ((x) % (y))
#define EXPR_and_(x, y) ((x) & (y))
#define EXPR_or_(x, y) ((x) | (y))
#define EXPR_xor_(x, y) ((x) ^ (y))
#define EXPR_shl(x, y) ((y) >= 32 ? 0u : (x) << (y))
#define EXPR_shr(x, y) ((y) >= 32 ? 0u : (x) >> (y))
#define EXPR_sar(x, y) shift_arith((x), (y))
#define EXPR_eq(x, y) ((x) == (y) ? 1u : 0u)
#define EXPR_ne(x, y) ((x) != (y) ? 1u : 0u)
#define EXPR_lt(x, y) (SIGNED(x) < SIGNED(y) ? 1u : 0u)
#define EXPR_le(x, y) (SIGNED(x) <= SIGNED(y) ? 1u : 0u)
#define EXPR_gt(x, y) (SIGNED(x) > SIGNED(y) ? 1u : 0u)
#define EXPR_ge(x, y) (SIGNED(x) >= SIGNED(y) ? 1u : 0u)
#define EXPR_ltu(x, y) ((x) < (y) ? 1u : 0u)
#define EXPR_leu(x, y) ((x) <= (y) ? 1u : 0u)
#define EXPR_gtu(x, y) ((x) > (y) ? 1u : 0u)
#define EXPR_geu(x, y) ((x) >= (y) ? 1u : 0u)
#define BODY_BINARY(op)                        \
  {                                            \
    NEED(2);                                   \
    const std::uint32_t y_ = sp[-1];           \
    const std::uint32_t x_ = sp[-2];           \
    CHECK_##op(y_) sp[-2] = EXPR_##op(x_, y_); \
    --sp;                                      \
    ++ip;                                      \
  }
#define BINARY_HANDLERS(op)                            \
  HANDLER(op){BODY_BINARY(op)} NEXT;                   \
  HANDLER(loadl_##op) {                                \
    FUSED(loadl);                                      \
    const std::uint32_t k = ip->a;                     \
    BODY_LOADL(k)                                      \
    --left;                                            \
    BODY_BINARY(op)                                    \
  }                                                    \
  NEXT;                                                \
  HANDLER(push_##op) {                                 \
    FUSED(push);                                       \
    const std::uint32_t k = ip->a;                     \
    BODY_PUSH(k)                                       \
    --left;                                            \
    BODY_BINARY(op)                                    \
  }                                                    \
  NEXT;                                                \
  HANDLER(load_##op) {                                 \
    FUSED(load);                                       \
    const std::uint32_t g = ip->a;                     \
    BODY_LOAD(g)                                       \
    --left;                                            \
    BODY_BINARY(op)                                    \
  }                                                    \
  NEXT;                                                \
  HANDLER(op##_jz) {                                   \
    FUSED(op);                                         \
    const std::uint32_t t = ip->b;                     \
    BODY_BINARY(op)                                    \
    --left;                                            \
    BODY_JZ_CHECKED(t, ZERO)                           \
  }                                                    \
  NEXT;                                                \
  HANDLER(op##_jnz) {                                  \
    FUSED(op);                                         \
    const std::uint32_t t = ip->b;                     \
    BODY_BINARY(op)                                    \
    --left;                                            \
    BODY_JZ_CHECKED(t, NONZERO)                        \
  }                                                    \
  NEXT;                                                \
  HANDLER(loadl_##op##_jz) {                           \
    if (PAIRSIM_UNLIKELY(left < 2)) goto L_loadl_##op; \
    const std::uint32_t k = ip->a, t = ip->b;          \
    BODY_LOADL(k)                                      \
    --left;                                            \
    BODY_BINARY(op)                                    \
    --left;                                            \
    BODY_JZ_CHECKED(t, ZERO)                           \
  }                                                    \
  NEXT;                                                \
  HANDLER(loadl_##op##_jnz) {                          \
    if (PAIRSIM_UNLIKELY(left < 2)) goto L_loadl_##op; \
    const std::uint32_t k = ip->a, t = ip->b;          \
    BODY_LOADL(k)                                      \
    --left;                                            \
    BODY_BINARY(op)                                    \
    --left;                                            \
    BODY_JZ_CHECKED(t, NONZERO)                        \
  }                                                    \
  NEXT;

#if PAIRSIM_INTERPRETER_THREADED
  NEXT;
#else
  NEXT;
dispatch:
  switch (ip->handler) {
#endif

  HANDLER(decode) {
    const DecodedSlot s = decode_slot(*m.code, static_cast<std::uint32_t>(ip - slots));
    *ip = Slot{HREF(s.handler), s.a, s.b};
    DISPATCH();  // the budget was taken already
  }
  HANDLER(off_end) {
    TRAP(bad_code_address);
  }
  HANDLER(illegal) {
    TRAP(illegal_instruction);
  }
  HANDLER(nop) {
    ++ip;
  }
  NEXT;
  HANDLER(push){BODY_PUSH(ip->a)} NEXT;
  HANDLER(pushw) {
    ROOM(1);
    *sp++ = ip->a;
    ip += 2;
  }
  NEXT;
  HANDLER(pushw_bad) {
    ROOM(1);
    TRAP(bad_code_address);
  }
  HANDLER(dup){BODY_DUP} NEXT;
  HANDLER(drop) {
    NEED(1);
    --sp;
    ++ip;
  }
  NEXT;
  HANDLER(swap) {
    NEED(2);
    const std::uint32_t t = sp[-1];
    sp[-1] = sp[-2];
    sp[-2] = t;
    ++ip;
  }
  NEXT;
  HANDLER(over) {
    NEED(2);
    ROOM(1);
    sp[0] = sp[-2];
    ++sp;
    ++ip;
  }
  NEXT;
  HANDLER(adds) {
    const std::int32_t k = SIGNED(ip->a);
    if (k >= 0) {
      ROOM(static_cast<std::uint32_t>(k));
      for (std::int32_t i = 0; i < k; ++i) *sp++ = 0;
    } else {
      NEED(0u - static_cast<std::uint32_t>(k));
      sp -= 0u - static_cast<std::uint32_t>(k);
    }
    ++ip;
  }
  NEXT;
  HANDLER(neg) {
    NEED(1);
    sp[-1] = 0u - sp[-1];
    ++ip;
  }
  NEXT;
  HANDLER(addi){BODY_ADDI(ip->a)} NEXT;
  HANDLER(not_) {
    NEED(1);
    sp[-1] = ~sp[-1];
    ++ip;
  }
  NEXT;

  HANDLER(jmp){BODY_JMP(ip->a)} NEXT;
  HANDLER(jmp_bad) {
    TRAP(bad_code_address);
  }
  HANDLER(jz) {
    const std::uint32_t t = ip->a;
    BODY_JZ(t, ZERO)
  }
  NEXT;
  HANDLER(jz_bad) {
    NEED(1);
    if (sp[-1] == 0) TRAP(bad_code_address);
    --sp;
    ++ip;
  }
  NEXT;
  HANDLER(jnz) {
    const std::uint32_t t = ip->a;
    BODY_JZ(t, NONZERO)
  }
  NEXT;
  HANDLER(jnz_bad) {
    NEED(1);
    if (sp[-1] != 0) TRAP(bad_code_address);
    --sp;
    ++ip;
  }
  NEXT;
  HANDLER(call) {
    // Frame marker: [L-1] = return P, [L] = caller's L. Parameters sit below it, locals above.
    ROOM(2);
    sp[0] = static_cast<std::uint32_t>(ip - slots) + 1;
    sp[1] = l;
    l = static_cast<std::uint32_t>(sp - d) + 1;
    sp += 2;
    ip = slots + ip->a;
  }
  NEXT;
  HANDLER(call_bad) {
    ROOM(2);
    TRAP(bad_code_address);
  }
  HANDLER(calli) {
    NEED(1);
    ROOM(1);
    const std::uint32_t target = sp[-1];
    if (target >= m.code_size) TRAP(bad_code_address);
    sp[-1] = static_cast<std::uint32_t>(ip - slots) + 1;
    sp[0] = l;
    l = static_cast<std::uint32_t>(sp - d);
    sp += 1;
    ip = slots + target;
  }
  NEXT;
  // Two handlers, not one testing which it is: the compiler may give equal label addresses to code it merges.
  HANDLER(ret){BODY_RET(false)} NEXT;
  HANDLER(retv){BODY_RET(true)} NEXT;
  HANDLER(sys) {
    m.result.reason = StopReason::syscall;
    m.result.syscall = ip->a;
    ++ip;
    goto finish;  // the SYS counts: its budget stays taken
  }

  HANDLER(load) BODY_LOAD(ip->a) NEXT;
  HANDLER(store) {
    const std::uint32_t a = ip->a;
    NEED(1);
    DATA(a);
    d[a] = *--sp;
    ++ip;
  }
  NEXT;
  HANDLER(loadx) {
    NEED(1);
    const std::uint32_t a = ip->a + sp[-1];
    DATA(a);
    sp[-1] = d[a];
    ++ip;
  }
  NEXT;
  HANDLER(storex) {
    NEED(2);
    const std::uint32_t a = ip->a + sp[-2];
    DATA(a);
    d[a] = sp[-1];
    sp -= 2;
    ++ip;
  }
  NEXT;
  HANDLER(loadl) BODY_LOADL(ip->a) NEXT;
  HANDLER(storel) BODY_STOREL(ip->a) NEXT;
  HANDLER(loadi) {
    NEED(1);
    const std::uint32_t a = sp[-1];
    DATA(a);
    sp[-1] = d[a];
    ++ip;
  }
  NEXT;
  HANDLER(storei) {
    NEED(2);
    const std::uint32_t a = sp[-2];
    DATA(a);
    d[a] = sp[-1];
    sp -= 2;
    ++ip;
  }
  NEXT;
  HANDLER(laddr){BODY_PUSH(l + ip->a)} NEXT;
  HANDLER(loadb) {
    NEED(1);
    const std::uint32_t byte = sp[-1];
    const std::uint32_t a = byte >> 2;
    DATA(a);
    sp[-1] = (d[a] >> ((byte & 3u) * 8)) & 0xFFu;
    ++ip;
  }
  NEXT;
  HANDLER(storeb) {
    NEED(2);
    const std::uint32_t byte = sp[-2];
    const std::uint32_t a = byte >> 2;
    DATA(a);
    const unsigned shift = (byte & 3u) * 8;
    d[a] = (d[a] & ~(0xFFu << shift)) | ((sp[-1] & 0xFFu) << shift);
    sp -= 2;
    ++ip;
  }
  NEXT;

  // Superinstructions other than the binary operators' families.
  HANDLER(loadl_loadl) {
    FUSED(loadl);
    const std::uint32_t k1 = ip->a, k2 = ip->b;
    BODY_LOADL(k1)
    --left;
    BODY_LOADL(k2)
  }
  NEXT;
  HANDLER(loadl_addi) {
    FUSED(loadl);
    const std::uint32_t k = ip->a, i = ip->b;
    BODY_LOADL(k)
    --left;
    BODY_ADDI(i)
  }
  NEXT;
  HANDLER(addi_storel) {
    FUSED(addi);
    const std::uint32_t i = ip->a, k = ip->b;
    BODY_ADDI(i)
    --left;
    BODY_STOREL_CHECKED(k)
  }
  NEXT;
  HANDLER(push_storel) {
    FUSED(push);
    const std::uint32_t v = ip->a, k = ip->b;
    BODY_PUSH(v)
    --left;
    BODY_STOREL(k)
  }
  NEXT;
  HANDLER(storel_jmp) {
    FUSED(storel);
    const std::uint32_t k = ip->a, t = ip->b;
    BODY_STOREL(k)
    --left;
    BODY_JMP(t)
  }
  NEXT;
  HANDLER(dup_jz) {
    FUSED(dup);
    const std::uint32_t t = ip->b;
    BODY_DUP
    --left;
    BODY_JZ(t, ZERO)
  }
  NEXT;
  HANDLER(loadl_dup) {
    FUSED(loadl);
    const std::uint32_t k = ip->a;
    BODY_LOADL(k)
    --left;
    BODY_DUP_CHECKED
  }
  NEXT;
  HANDLER(dup_jnz) {
    FUSED(dup);
    const std::uint32_t t = ip->b;
    BODY_DUP
    --left;
    BODY_JZ(t, NONZERO)
  }
  NEXT;

  PAIRSIM_BINARY_OPS(BINARY_HANDLERS)

#if !PAIRSIM_INTERPRETER_THREADED
  case h_count:
    break;
}
#endif

trapped : ++left;  // the faulting instruction does not count
m.result.reason = StopReason::trap;
m.result.trap = trap;
goto finish;
exhausted : left = 0;  // it went to -1 for the instruction that did not run
if (m.later > 0) {
  left = static_cast<std::int64_t>(m.later > kMaxPart ? kMaxPart : m.later);
  m.later -= static_cast<std::uint64_t>(left);
  NEXT;
}
m.result.reason = StopReason::budget;
finish : m.p = static_cast<std::uint32_t>(ip - slots);
m.top = static_cast<std::uint32_t>(sp - d);
m.l = l;
m.result.executed = m.budget - m.later - static_cast<std::uint64_t>(left);
}

}  // namespace

RunResult Interpreter::run(ProcessState& ps, std::uint64_t budget) {
  using namespace predecoded;
  RunResult r;
  if (ps.program == nullptr) {
    r.reason = StopReason::trap;
    r.trap = Trap::bad_code_address;
    return r;
  }
  std::uint32_t* const d = ps.data;
  const std::uint32_t limit = ps.data_words;
  const std::uint32_t base = ps.stack_base;
  const std::uint32_t top = ps.regs.s + 1;
  if (top < base || top > limit) {
    r.reason = StopReason::trap;
    r.trap = top < base ? Trap::stack_underflow : Trap::stack_overflow;
    return r;
  }
  const std::vector<std::uint32_t>& code = ps.program->code;
  const std::uint32_t code_size = static_cast<std::uint32_t>(code.size());
  if (ps.regs.p > code_size) {  // off the code: the first instruction traps (unless there is none to run)
    if (budget > 0) {
      r.reason = StopReason::trap;
      r.trap = Trap::bad_code_address;
    }
    return r;
  }

  DecodedCode* dc = ps.decoded.get();
  if (dc == nullptr || dc->program != ps.program || dc->code != code.data() || dc->size != code.size()) {
    auto fresh = std::make_shared<DecodedCode>();
    fresh->program = ps.program;
    fresh->code = code.data();
    fresh->size = code.size();
    ps.decoded = std::move(fresh);
    dc = ps.decoded.get();
  }
  Loop m{dc,        &code, d,         base,       limit, budget, 0, static_cast<std::uint32_t>(code.size()),
         ps.regs.p, top,   ps.regs.l, RunResult{}};
  execute(m);
  ps.regs.p = m.p;
  ps.regs.s = m.top - 1;
  ps.regs.l = m.l;
  return m.result;
}

}  // namespace pairsim::cpu
