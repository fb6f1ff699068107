#include "guest/disassembler.hpp"

#include <cstdio>
#include <map>
#include <vector>

#include "guest/isa.hpp"
#include "guest/syscalls.hpp"

namespace pairsim::guest {
namespace {

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// address -> labels there, in name order (the maps are ordered, so the output is deterministic)
std::multimap<std::uint32_t, std::string> by_address(const std::map<std::string, std::uint32_t>& labels) {
  std::multimap<std::uint32_t, std::string> out;
  for (const auto& [name, addr] : labels) out.emplace(addr, name);
  return out;
}

std::string name_or_number(const std::multimap<std::uint32_t, std::string>& labels, std::uint32_t addr) {
  auto it = labels.find(addr);
  return it != labels.end() ? it->second : std::to_string(addr);
}

std::string printable(std::uint32_t w) {
  std::string s;
  for (int b = 0; b < 4; ++b) {
    const auto c = static_cast<unsigned char>(w >> (8 * b));
    if (c == 0)
      s += "\\0";
    else if (c == '\n')
      s += "\\n";
    else if (c == '\t')
      s += "\\t";
    else if (c == '"' || c == '\\')
      s += std::string("\\") + static_cast<char>(c);
    else if (c >= 0x20 && c < 0x7F)
      s += static_cast<char>(c);
    else
      return {};  // not text
  }
  return s;
}

}  // namespace

std::string disassemble_instruction(const Program& p, std::uint32_t at, std::uint32_t& words) {
  words = 1;
  if (at >= p.code.size()) return "<outside the code>";
  const std::uint32_t w = p.code[at];
  const OpInfo* info = find_instruction(opcode_of(w));
  // Words that no instruction encodes (bad opcode, stray operand bits, a cut-off pushw) come back as
  // .word, so the text still assembles to exactly these words.
  if (info == nullptr) return ".word " + hex(w);
  const std::string m(info->mnemonic);
  switch (info->operand) {
    case OperandKind::none:
      return unsigned_operand(w) == 0 ? m : ".word " + hex(w);
    case OperandKind::literal32:
      if (unsigned_operand(w) != 0 || at + 1 >= p.code.size()) return ".word " + hex(w);
      words = 2;
      return m + " " + hex(p.code[at + 1]);
    case OperandKind::signed24:
      return m + " " + std::to_string(signed_operand(w));
    case OperandKind::unsigned24:
      return m + " " + std::to_string(unsigned_operand(w));
    case OperandKind::code24: {
      const std::uint32_t target = unsigned_operand(w);
      for (const auto& [name, addr] : p.code_labels)
        if (addr == target) return m + " " + name;
      return m + " " + std::to_string(target);
    }
    case OperandKind::data24: {
      const std::uint32_t target = unsigned_operand(w);
      for (const auto& [name, addr] : p.data_labels)
        if (addr == target) return m + " " + name;
      return m + " " + std::to_string(target);
    }
  }
  return ".word " + hex(w);
}

std::string disassemble(const Program& p) {
  const auto code_labels = by_address(p.code_labels);
  const auto data_labels = by_address(p.data_labels);
  std::string out;
  char buf[96];
  out += "; disassembly of " + (p.source.empty() ? std::string("<unnamed program>") : p.source) + "\n";
  std::snprintf(buf, sizeof buf, "; %zu code words, %zu words of globals, stack %u words, data space %u words\n",
                p.code.size(), p.data.size(), p.stack_words, p.data_words);
  out += buf;
  out += "        .code\n";
  if (p.entry < p.code.size()) out += "        .entry " + name_or_number(code_labels, p.entry) + "\n";
  auto row = [&](const std::string& text, char section, std::uint32_t addr, const std::string& words,
                 const std::string& note) {
    std::string line = "        " + text;
    if (line.size() < 32) line.resize(32, ' ');
    std::snprintf(buf, sizeof buf, " ; %c %06X  %s", section, addr, words.c_str());
    line += buf;
    if (!note.empty()) line += "  " + note;
    out += line + "\n";
  };
  for (std::uint32_t at = 0; at < p.code.size();) {
    for (auto [it, end] = code_labels.equal_range(at); it != end; ++it) out += it->second + ":\n";
    std::uint32_t words = 1;
    const std::string text = disassemble_instruction(p, at, words);
    std::snprintf(buf, sizeof buf, "%08X", p.code[at]);
    std::string w = buf;
    if (words == 2) {
      std::snprintf(buf, sizeof buf, " %08X", p.code[at + 1]);
      w += buf;
    }
    std::string note;
    if (at < p.code_lines.size() && p.code_lines[at] != 0) note = "line " + std::to_string(p.code_lines[at]);
    if (opcode_of(p.code[at]) == static_cast<std::uint8_t>(Opcode::sys) && text.rfind("sys", 0) == 0) {
      if (const SyscallInfo* sc = find_syscall(unsigned_operand(p.code[at])))
        note += (note.empty() ? "" : ", ") + std::string(sc->name);
    }
    row(text, 'C', at, w, note);
    // A label that points into the middle of a pushw would be lost; show it as a comment.
    if (words == 2)
      for (auto [it, end] = code_labels.equal_range(at + 1); it != end; ++it)
        out += "; label " + it->second + " is inside the pushw above\n";
    at += words;
  }
  for (const auto& [addr, name] : code_labels)
    if (addr >= p.code.size()) out += name + ":\n";
  out += "        .data\n";
  for (std::uint32_t at = 0; at < p.data.size(); ++at) {
    for (auto [it, end] = data_labels.equal_range(at); it != end; ++it) out += it->second + ":\n";
    const std::uint32_t w = p.data[at];
    std::snprintf(buf, sizeof buf, "%08X", w);
    const std::string text = printable(w);
    row(".word " + hex(w), 'D', at, buf,
        text.empty() ? std::to_string(static_cast<std::int32_t>(w)) : "\"" + text + "\"");
  }
  for (const auto& [addr, name] : data_labels)
    if (addr >= p.data.size()) out += name + ":\n";
  out += "        .stack " + std::to_string(p.stack_words) + "\n";
  return out;
}

}  // namespace pairsim::guest
