#pragma once
// The terminal process: the I/O process pair that owns a terminal ($TERM, terminal.hpp), in the two CPUs
// attached to it. A program prints a line on the terminal with a writeread to $TERM (the request is the
// line's text; the reply is empty), and the line appears once, in the order the requests came, even when
// either CPU fails. For each line the primary numbers it, saves the reply, checkpoints the line and its
// number with $RECEIVE's sync block, then has the terminal print it and replies. A backup that takes over at
// that checkpoint hands the same line, with the same number, to the terminal again: the terminal prints it
// unless it already has (it keeps the number of its last line); the requester's resend is answered from the
// saved reply.
#include "cpu/native_program.hpp"

namespace pairsim::io {

class TerminalProcess : public cpu::NativeProgram {
 public:
  static constexpr const char* kProgramName = "terminal-process";
  TerminalProcess();
  const guest::Program& image() const override { return image_; }
  cpu::RunResult run(cpu::ProcessState& ps, std::uint64_t budget) const override;

 private:
  guest::Program image_;
};

}  // namespace pairsim::io
