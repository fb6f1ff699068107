#include "io/terminal_process.hpp"

#include "guest/syscalls.hpp"
#include "io/native_steps.hpp"

namespace pairsim::io {

namespace {

using cpu::ProcessState;
using cpu::RunResult;
using guest::Syscall;
namespace ck = guest::ckpt;
namespace fe = guest::fe;

constexpr std::uint32_t kLineWords = guest::kMaxMessageBytes / 4;

enum Word : std::uint32_t {
  W_LEN = kFirstOwnWord,  // the request's length
  W_TRIES,                // how often the line was handed to the terminal
  W_REQ,                  // the request: the line's text
  // The state the process checkpoints: the number of the last line it took, and that line.
  W_STATE = W_REQ + kLineWords + 1,
  W_LINE = W_STATE,
  W_LINE_BYTES,
  W_LINE_TEXT,
  W_STATE_END = W_LINE_TEXT + kLineWords,
  W_GLOBALS_END = W_STATE_END,
};
constexpr std::uint32_t kStackWords = 64;

enum Label : std::uint32_t {
  L_CHECKPOINTED = kFirstOwnLabel,
  L_REQUEST,  // a line read from $RECEIVE (the serving loop, native_steps.hpp)
  L_SAVED,
  L_LINE_CHECKPOINTED,
  L_PRINTED,
  L_REPLIED,
};

// A line that fails because the terminal's other CPU owned it is tried once more: the kernel takes it.
constexpr std::uint32_t kTries = 2;

guest::Program make_image() {
  guest::Program p;
  p.source = TerminalProcess::kProgramName;
  p.data_words = W_GLOBALS_END + kStackWords;
  p.stack_words = kStackWords;
  p.data = initial_data(W_GLOBALS_END);
  p.entry = P_START;
  return p;
}

}  // namespace

TerminalProcess::TerminalProcess() : image_(make_image()) {}

RunResult TerminalProcess::run(ProcessState& ps, std::uint64_t budget) const {
  NativeSteps m(ps, W_STATE, W_STATE_END, {W_REQ, guest::kMaxMessageBytes, W_LEN, L_REQUEST});
  auto print = [&] {
    return m.call(L_PRINTED, Syscall::diskio, {guest::disk::print, m.w(W_LINE), W_LINE_TEXT, m.w(W_LINE_BYTES)});
  };
  while (m.executed() < budget) {
    if (auto r = m.pair_step()) {
      if (r->reason != cpu::StopReason::budget) return *r;
      continue;
    }
    switch (m.label()) {
      case L_CHECKPOINTED:
        m.pop();  // a takeover here finds no line pending: every line before it was printed and answered
        m.go(P_SERVE);
        break;
      case L_REQUEST: {
        const auto len = static_cast<std::int32_t>(m.w(W_LEN));
        // The next line: its number and text, saved in the state.
        ++m.w(W_LINE);
        m.w(W_LINE_BYTES) = static_cast<std::uint32_t>(len);
        const auto text = m.bytes(W_REQ, static_cast<std::uint32_t>(len));
        m.put(W_LINE_TEXT, text.data(), static_cast<std::uint32_t>(text.size()));
        return m.call(L_SAVED, Syscall::savereply, {m.w(W_TAG), W_REQ, 0, 0});
      }
      case L_SAVED:
        m.pop();
        return m.checkpoint(L_LINE_CHECKPOINTED);
      case L_LINE_CHECKPOINTED: {
        const auto status = static_cast<std::uint32_t>(m.pop());
        // Taken over here: the old primary may or may not have had the line printed. Hand it to the
        // terminal again (it prints it only if it has not); the requester's resend gets the saved reply.
        if (ck::kind_of(status) == ck::kind_takeover) m.w(W_TAG) = 0;
        m.w(W_TRIES) = 1;
        return print();
      }
      case L_PRINTED: {
        const std::int32_t r = m.pop();
        if (r == -fe::path_down && m.w(W_TRIES) < kTries) {
          ++m.w(W_TRIES);
          return print();
        }
        if (m.w(W_TAG) == 0) {
          m.go(P_SERVE);
          break;
        }
        // No path to the terminal is FE_VOLUMEDOWN to the requester (FE_PATHDOWN would say the pair is gone).
        return m.reply(L_REPLIED, W_REQ, 0, r == -fe::path_down ? fe::volume_down : r < 0 ? -r : 0);
      }
      case L_REPLIED:
        m.pop();
        m.go(P_SERVE);
        break;
      default:
        return m.illegal();
    }
  }
  return m.spent();
}

}  // namespace pairsim::io
