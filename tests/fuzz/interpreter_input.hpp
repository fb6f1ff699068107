#pragma once
// The interpreter harness's input format, shared by the harness and by fuzz_seeds (which writes programs
// assembled from corpus/interpreter/*.pasm in it):
//   header, 16 bytes: data_words-1 (u16, mod 1024), stack base (u16, mod data_words+1), entry (u16),
//                     8 budget bytes (one a slice: 0..127 as is, 128..254 (b-128)*100, 255 twenty thousand),
//                     2 bytes unused
//   then one 4-byte record a code word: byte 0 picks the opcode (an index into the ISA's table; past its
//   end the byte is the opcode as is, mostly illegal), bytes 1..3 the 24-bit operand, little-endian. A code
//   or data address operand with bit 23 clear is taken modulo the space (+2, to reach just past it), so
//   that most jumps and loads land. The record after a pushw is its constant, as it is (4 bytes).
// All integers little-endian. Any byte string is a valid input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "guest/isa.hpp"
#include "guest/program.hpp"

namespace pairsim::fuzz::interpreter_input {

constexpr std::size_t kHeaderBytes = 16;
constexpr int kSlices = 8;

struct Input {
  guest::Program program;
  std::uint32_t stack_base = 0;
  std::uint64_t budgets[kSlices] = {};
};

inline std::uint32_t le(const std::uint8_t* p, int n) {
  std::uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

inline std::size_t table_size() {
  return static_cast<std::size_t>(guest::instructions_end() - guest::instructions_begin());
}

inline std::uint64_t budget_of(std::uint8_t b) {
  if (b == 255) return 20'000;
  return b < 128 ? b : static_cast<std::uint64_t>(b - 128) * 100;
}

inline Input decode(const std::uint8_t* data, std::size_t size) {
  Input in;
  std::uint8_t header[kHeaderBytes] = {};
  for (std::size_t i = 0; i < kHeaderBytes && i < size; ++i) header[i] = data[i];
  const std::uint32_t data_words = 1 + le(header, 2) % 1024;
  in.stack_base = le(header + 2, 2) % (data_words + 1);
  for (int i = 0; i < kSlices; ++i) in.budgets[i] = budget_of(header[6 + i]);
  const std::size_t words = size > kHeaderBytes ? (size - kHeaderBytes) / 4 : 0;
  const std::uint8_t* rec = data + kHeaderBytes;
  auto& code = in.program.code;
  bool literal = false;  // the record is the constant of the pushw before it
  for (std::size_t i = 0; i < words; ++i, rec += 4) {
    if (literal) {
      code.push_back(le(rec, 4));
      literal = false;
      continue;
    }
    const guest::OpInfo* info = rec[0] < table_size() ? guest::instructions_begin() + rec[0] : nullptr;
    std::uint32_t operand = le(rec + 1, 3);
    if (info && !(operand & 0x800000u)) {
      if (info->operand == guest::OperandKind::code24) operand %= static_cast<std::uint32_t>(words + 2);
      if (info->operand == guest::OperandKind::data24) operand %= data_words + 2;
    }
    const std::uint32_t op = info ? static_cast<std::uint32_t>(info->op) : rec[0];
    code.push_back((op << guest::kOperandBits) | operand);
    literal = info && info->operand == guest::OperandKind::literal32;
  }
  in.program.code_lines.assign(code.size(), 0);
  in.program.data_words = data_words;
  in.program.entry = code.empty() ? 0 : le(header + 4, 2) % code.size();
  return in;
}

// The input that decodes to `p` (its code, data_words up to 1024, entry) with the given budgets: the
// inverse of decode for programs whose addresses fit.
inline std::string encode(const guest::Program& p, std::uint32_t stack_base, const std::uint8_t budgets[kSlices]) {
  std::string out(kHeaderBytes, '\0');
  auto put = [&](std::size_t at, std::uint32_t v, int n) {
    for (int i = 0; i < n; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  put(0, (p.data_words == 0 ? 0 : p.data_words - 1) % 1024, 2);
  put(2, stack_base, 2);
  put(4, p.entry, 2);
  for (int i = 0; i < kSlices; ++i) out[6 + i] = static_cast<char>(budgets[i]);
  bool literal = false;
  for (std::uint32_t w : p.code) {
    std::string rec(4, '\0');
    if (literal) {
      for (int i = 0; i < 4; ++i) rec[i] = static_cast<char>((w >> (8 * i)) & 0xFF);
      literal = false;
    } else {
      const std::uint8_t op = guest::opcode_of(w);
      std::size_t index = 0;
      while (index < table_size() && static_cast<std::uint8_t>(guest::instructions_begin()[index].op) != op) ++index;
      rec[0] = static_cast<char>(index < table_size() ? index : op);
      for (int i = 0; i < 3; ++i) rec[1 + i] = static_cast<char>((w >> (8 * i)) & 0xFF);
      literal = op == static_cast<std::uint8_t>(guest::Opcode::pushw);
    }
    out += rec;
  }
  return out;
}

}  // namespace pairsim::fuzz::interpreter_input
