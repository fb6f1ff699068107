#pragma once
// Random guest programs (biased toward valid code and the pairs the interpreter fuses) run side by side in
// cpu::Interpreter and a reference interpreter, slice by slice with random budgets.
#include <cstdint>
#include <random>
#include <string>
#include <vector>
#include "cpu/interpreter.hpp"
#include "guest/isa.hpp"
#include "guest/program.hpp"

namespace pairsim::test::fuzz {

// What differs after one slice run by two interpreters ("" when nothing): how it stopped, how many
// instructions, the trap, the system call, the registers, the memory. A and B hold `ps` and `memory`.
template <class Machine>
std::string slice_differences(const cpu::RunResult& ra, const cpu::RunResult& rb, const Machine& a, const Machine& b) {
  std::string what;
  if (ra.reason != rb.reason) what += " reason";
  if (ra.executed != rb.executed)
    what += " executed " + std::to_string(ra.executed) + "/" + std::to_string(rb.executed);
  if (ra.trap != rb.trap) what += std::string(" trap ") + cpu::trap_reason(ra.trap) + "/" + cpu::trap_reason(rb.trap);
  if (ra.syscall != rb.syscall) what += " syscall";
  if (a.ps.regs.p != b.ps.regs.p) what += " P " + std::to_string(a.ps.regs.p) + "/" + std::to_string(b.ps.regs.p);
  if (a.ps.regs.s != b.ps.regs.s) what += " S " + std::to_string(a.ps.regs.s) + "/" + std::to_string(b.ps.regs.s);
  if (a.ps.regs.l != b.ps.regs.l) what += " L " + std::to_string(a.ps.regs.l) + "/" + std::to_string(b.ps.regs.l);
  if (a.memory != b.memory) what += " memory";
  return what;
}
using guest::Opcode;

inline std::uint32_t enc(Opcode o, std::int32_t v = 0) {
  return guest::encode(o, static_cast<std::uint32_t>(v));
}

// A random program biased toward valid code and the fused pairs.
inline guest::Program random_program(std::mt19937& rng, std::uint32_t data_words) {
  guest::Program p;
  const std::uint32_t size = 8 + rng() % 40;
  auto pick = [&](std::uint32_t n) { return static_cast<std::int32_t>(rng() % n); };
  auto target = [&]() { return static_cast<std::int32_t>(rng() % 16 == 0 ? size + pick(3) : pick(size)); };
  auto addr = [&]() { return pick(data_words + 2); };
  auto local = [&]() { return pick(9) - 4; };
  static const Opcode bins[] = {Opcode::add,  Opcode::sub,  Opcode::mul, Opcode::div,  Opcode::mod, Opcode::divu,
                                Opcode::modu, Opcode::and_, Opcode::or_, Opcode::xor_, Opcode::shl, Opcode::shr,
                                Opcode::sar,  Opcode::eq,   Opcode::ne,  Opcode::lt,   Opcode::le,  Opcode::gt,
                                Opcode::ge,   Opcode::ltu,  Opcode::leu, Opcode::gtu,  Opcode::geu};
  auto bin = [&]() { return enc(bins[rng() % 23]); };
  while (p.code.size() < size) {
    switch (rng() % 30) {
      case 0:
        p.code.push_back(enc(Opcode::push, pick(7) - 2));
        break;
      case 1:
        p.code.push_back(enc(Opcode::pushw));
        p.code.push_back(rng() % 4 ? rng() % 8 : rng());
        break;
      case 2:
        p.code.push_back(enc(Opcode::dup));
        break;
      case 3:
        p.code.push_back(enc(Opcode::drop));
        break;
      case 4:
        p.code.push_back(enc(Opcode::swap));
        break;
      case 5:
        p.code.push_back(enc(Opcode::over));
        break;
      case 6:
        p.code.push_back(enc(Opcode::adds, pick(5) - 2));
        break;
      case 7:
        p.code.push_back(bin());
        break;
      case 8:
        p.code.push_back(enc(rng() % 2 ? Opcode::neg : Opcode::not_));
        break;
      case 9:
        p.code.push_back(enc(Opcode::addi, pick(5) - 2));
        break;
      case 10:
        p.code.push_back(enc(Opcode::jmp, target()));
        break;
      case 11:
        p.code.push_back(enc(rng() % 2 ? Opcode::jz : Opcode::jnz, target()));
        break;
      case 12:
        p.code.push_back(enc(Opcode::call, target()));
        break;
      case 13:
        p.code.push_back(enc(Opcode::calli));
        break;
      case 14:
        p.code.push_back(enc(rng() % 2 ? Opcode::ret : Opcode::retv, pick(3)));
        break;
      case 15:
        p.code.push_back(enc(Opcode::sys, pick(3)));
        break;
      case 16:
        p.code.push_back(enc(rng() % 2 ? Opcode::load : Opcode::store, addr()));
        break;
      case 17:
        p.code.push_back(enc(rng() % 2 ? Opcode::loadx : Opcode::storex, addr()));
        break;
      case 18:
        p.code.push_back(enc(rng() % 2 ? Opcode::loadl : Opcode::storel, local()));
        break;
      case 19:
        p.code.push_back(enc(rng() % 2 ? Opcode::loadi : Opcode::storei));
        break;
      case 20:
        p.code.push_back(enc(Opcode::laddr, local()));
        break;
      case 21:
        p.code.push_back(enc(rng() % 2 ? Opcode::loadb : Opcode::storeb));
        break;
      case 22:
        p.code.push_back(rng() % 2 ? 0u : enc(Opcode::nop));
        break;
      // the fused pairs
      case 23:
        p.code.push_back(enc(Opcode::loadl, local()));
        p.code.push_back(rng() % 2 ? enc(Opcode::loadl, local()) : bin());
        break;
      case 24:
        p.code.push_back(enc(Opcode::push, pick(7) - 2));
        p.code.push_back(rng() % 2 ? enc(Opcode::storel, local()) : bin());
        break;
      case 25:
        p.code.push_back(enc(Opcode::load, addr()));
        p.code.push_back(bin());
        break;
      case 26:
        p.code.push_back(bin());
        p.code.push_back(enc(rng() % 2 ? Opcode::jz : Opcode::jnz, target()));
        break;
      case 27:
        p.code.push_back(enc(Opcode::loadl, local()));
        if (rng() % 2) {
          p.code.push_back(bin());
          p.code.push_back(enc(rng() % 2 ? Opcode::jz : Opcode::jnz, target()));
        } else
          p.code.push_back(rng() % 2 ? enc(Opcode::addi, pick(5) - 2) : enc(Opcode::dup));
        break;
      case 28:
        p.code.push_back(enc(Opcode::addi, pick(5) - 2));
        p.code.push_back(enc(Opcode::storel, local()));
        break;
      case 29:
        if (rng() % 2) {
          p.code.push_back(enc(Opcode::storel, local()));
          p.code.push_back(enc(Opcode::jmp, target()));
        } else {
          p.code.push_back(enc(Opcode::dup));
          p.code.push_back(enc(rng() % 2 ? Opcode::jz : Opcode::jnz, target()));
        }
        break;
    }
  }
  p.data_words = data_words;
  p.entry = 0;
  return p;
}

struct Image {
  std::vector<std::uint32_t> memory;
  cpu::ProcessState ps;
};

// Runs `program` in both interpreters slice by slice (random budgets, 0 included) and returns "" when
// every slice ended alike (result, registers, memory), else what differed.
template <class Ref>
std::string compare_runs(const guest::Program& program, std::mt19937& rng, Ref reference, int slices) {
  Image a, b;
  const std::uint32_t globals = 2 + rng() % 4;
  for (Image* im : {&a, &b}) {
    im->memory.assign(program.data_words, 0);
    for (std::uint32_t i = 0; i < program.data_words; ++i) im->memory[i] = (i * 2654435761u) % 11;
    im->ps.program = &program;
    im->ps.data = im->memory.data();
    im->ps.data_words = program.data_words;
    im->ps.stack_base = globals;
    cpu::reset_registers(im->ps);
  }
  for (int i = 0; i < slices; ++i) {
    const std::uint64_t budget = rng() % 4 == 0 ? rng() % 3 : rng() % 40;
    const cpu::RunResult ra = cpu::Interpreter::run(a.ps, budget);
    const cpu::RunResult rb = reference(b.ps, budget);
    const std::string what = slice_differences(ra, rb, a, b);
    if (!what.empty()) return "slice " + std::to_string(i) + " budget " + std::to_string(budget) + ":" + what;
    if (ra.reason == cpu::StopReason::trap && rng() % 2) break;
    if (ra.reason == cpu::StopReason::trap) {  // move on past the fault, as a debugger would
      a.ps.regs.p = b.ps.regs.p = (a.ps.regs.p + 1) % (program.code.size() + 1);
    }
  }
  return "";
}

}  // namespace pairsim::test::fuzz
