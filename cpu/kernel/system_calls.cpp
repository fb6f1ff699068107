#include "cpu/kernel/system_calls.hpp"

#include <optional>
#include <string>
#include <vector>

#include "cpu/kernel/file_protocol.hpp"
#include "cpu/kernel/guest_buffer.hpp"
#include "guest/syscalls.hpp"

namespace pairsim::cpu {

namespace {
constexpr std::uint32_t kMaxNameArg = 64;  // longer than any valid process or program name
constexpr std::uint32_t kMaxTextArg = 1024;
constexpr std::uint32_t io_block_words = 1024;  // diskio moves one 4 KiB block
std::int32_t as_int(std::uint32_t v) {
  return static_cast<std::int32_t>(v);
}
std::uint32_t as_word(std::int32_t v) {
  return static_cast<std::uint32_t>(v);
}
}  // namespace

SystemCalls::SystemCalls(KernelCore& core, MessageSystem& messages, ProcessPairs& pairs, ProcessLifecycle& lifecycle)
    : core_(core), messages_(messages), pairs_(pairs), lifecycle_(lifecycle) {}

void SystemCalls::print_line(Process& p, std::string text) {
  core_.emit(core_.process_event("output", p).with("text", text));
  p.output.push_back(std::move(text));
}

void SystemCalls::execute(Process& p, std::uint32_t number) {
  namespace fe = guest::fe;
  using S = guest::Syscall;
  const guest::SyscallInfo* info = guest::find_syscall(number);
  if (info == nullptr) {
    lifecycle_.abend(p, trap_reason(Trap::bad_syscall));
    return;
  }
  std::uint32_t a[8] = {};
  for (int i = info->args - 1; i >= 0; --i) {
    if (!p.ps.pop(a[i])) {
      lifecycle_.abend(p, trap_reason(Trap::stack_underflow));
      return;
    }
  }
  // Every branch either sets `result` (pushed below), leaves it empty because the process now waits (the
  // wait's end pushes it), or ends the process and returns at once (`p` is gone then).
  std::optional<std::uint32_t> result = 0;
  std::string text;
  std::vector<std::uint8_t> bytes;
  auto text_arg = [&](std::uint32_t addr, std::uint32_t len, std::uint32_t max) {
    return len <= max && read_text(p.ps, addr, len, text);
  };
  auto bad_argument = [&] { lifecycle_.abend(p, trap_reason(Trap::bad_argument)); };
  // The name on the volume of the disk file open as `file` ("" when it is not one: the request is refused).
  auto disk_file = [&](std::uint32_t file) {
    auto it = p.files.find(as_int(file));
    return it == p.files.end() ? std::string() : it->second.disk_file;
  };
  auto widen = [](std::optional<std::int32_t> r) -> std::optional<std::uint32_t> {
    if (!r) return std::nullopt;
    return as_word(*r);
  };

  switch (info->number) {
    case S::stop:
      lifecycle_.stop(p, as_int(a[0]));
      return;
    case S::abend:
      if (!text_arg(a[0], a[1], kMaxTextArg)) return bad_argument();
      lifecycle_.abend(p, text.empty() ? "abend called" : text);
      return;
    case S::stoppair:
      lifecycle_.stoppair(p, as_int(a[0]));
      return;
    case S::print:
      if (!text_arg(a[0], a[1], kMaxTextArg)) return bad_argument();
      print_line(p, text);
      break;
    case S::printnum:
      print_line(p, std::to_string(as_int(a[0])));
      break;
    case S::prints:
      if (!text_arg(a[0], a[1], kMaxTextArg)) return bad_argument();
      print_line(p, text + std::to_string(as_int(a[2])));
      break;
    case S::delay:
      if (a[0] != 0) {
        core_.delay(p, core_.now() + 1000ull * a[0]);
        result.reset();
      }
      break;
    case S::time:
      result = static_cast<std::uint32_t>(core_.now() / 1000);
      break;
    case S::mycpu:
      result = as_word(core_.cfg.cpu);
      break;
    case S::mypid:
      result = as_word(core_.pid(p));
      break;
    case S::nargs:
      result = static_cast<std::uint32_t>(p.args.size());
      break;
    case S::getarg:
      if (a[0] >= p.args.size()) return bad_argument();
      result = as_word(p.args[a[0]]);
      break;
    case S::newprocess: {
      if (!text_arg(a[0], a[1], kMaxNameArg)) return bad_argument();
      const std::string program = text;
      if (!text_arg(a[2], a[3], kMaxNameArg)) return bad_argument();
      result = widen(lifecycle_.newprocess(p, program, text, as_int(a[4]), as_int(a[5])));
      break;
    }
    case S::open:
      if (a[1] > kMaxNameArg) {
        result = as_word(-fe::bad_name);
        break;
      }
      if (!text_arg(a[0], a[1], kMaxNameArg)) return bad_argument();
      result = as_word(messages_.open(p, text, a[2]));
      break;
    case S::close:
      result = as_word(messages_.close(p, as_int(a[0])));
      break;
    case S::writeread:
      if (a[2] > guest::kMaxMessageBytes || a[4] > guest::kMaxMessageBytes) {
        result = as_word(-fe::bad_count);
        break;
      }
      if (!read_bytes(p.ps, a[1], a[2], bytes) || !buffer_in_data(p.ps, a[3], a[4])) return bad_argument();
      result = widen(messages_.writeread(p, as_int(a[0]), std::move(bytes), a[3], a[4]));
      break;
    case S::readupdate: {
      if (!buffer_in_data(p.ps, a[1], a[2])) return bad_argument();
      // A system process (the disk process) reads file requests: a whole record and its header.
      const std::uint32_t max = std::min(a[2], p.native != nullptr ? guest::kMaxRequestBytes : guest::kMaxMessageBytes);
      result = widen(messages_.readupdate(p, as_int(a[0]), a[1], max));
      break;
    }
    case S::reply:
    case S::savereply:
      if (a[2] > guest::kMaxMessageBytes) {
        result = as_word(-fe::bad_count);
        break;
      }
      if (!read_bytes(p.ps, a[1], a[2], bytes)) return bad_argument();
      if (info->number == S::reply) pairs_.on_reply(p, a[0], a[1], a[2]);
      result = as_word(messages_.reply(p, a[0], std::move(bytes), a[3], info->number == S::reply));
      break;
    case S::lasttag:
      result = p.last_tag;
      break;
    case S::lastsender:
      result = as_word(p.last_sender);
      break;
    case S::monitorcpus:
      p.monitor_mask = a[0];
      break;
    case S::newbackup:
      result = widen(lifecycle_.newbackup(p, as_int(a[0])));
      break;
    case S::checkmonitor:
      result = pairs_.checkmonitor(p);
      break;
    case S::checkpoint:
      result = pairs_.checkpoint(p, a[0]);
      break;
    case S::checkopen:
      result = pairs_.checkopen(p, as_int(a[0]));
      break;
    case S::checkclose:
      result = pairs_.checkclose(p, as_int(a[0]));
      break;
    case S::checkswitch:
      result = pairs_.checkswitch(p);
      break;
    case S::isbackup:
      result = p.role == PairRole::backup ? 1u : 0u;
      break;
    case S::cpuup:
      result = core_.is_up(as_int(a[0])) ? 1u : 0u;
      break;
    case S::fcreate:
    case S::fopen: {
      std::string volume, file;
      if (a[1] > kMaxNameArg) {
        result = as_word(-fe::bad_name);
        break;
      }
      if (!text_arg(a[0], a[1], kMaxNameArg)) return bad_argument();
      if (!split_file_name(text, volume, file)) {
        result = as_word(-fe::bad_name);
        break;
      }
      FileRequest r;
      r.file = file;
      if (info->number == S::fcreate) {
        if (a[2] == 0 || a[2] > guest::kMaxRecordBytes) {
          result = as_word(-fe::bad_count);
          break;
        }
        r.op = FileOp::create;
        r.record_bytes = a[2];
        r.max_records = a[3];
      }
      const std::int32_t n = messages_.open_disk_file(p, volume, file);
      if (n < 0) {
        result = as_word(n);
        break;
      }
      result = widen(messages_.file_request(
          p, n, encode(r), 0, 0,
          info->number == S::fcreate ? MessageSystem::ReplyUse::transient : MessageSystem::ReplyUse::open));
      break;
    }
    case S::fread:
    case S::fwrite:
    case S::fappend: {
      const bool append = info->number == S::fappend;
      const std::uint32_t addr = append ? a[1] : a[2];
      const std::uint32_t count = append ? a[2] : a[3];
      if (count > guest::kMaxRecordBytes) {
        result = as_word(-fe::bad_count);
        break;
      }
      if (!buffer_in_data(p.ps, addr, count)) return bad_argument();
      FileRequest r;
      r.file = disk_file(a[0]);
      r.record = append ? 0 : a[1];
      if (info->number == S::fread) {
        r.op = FileOp::read;
        r.record_bytes = count;
        result = widen(messages_.file_request(p, as_int(a[0]), encode(r), addr, count, MessageSystem::ReplyUse::bytes));
        break;
      }
      r.op = append ? FileOp::append : FileOp::write;
      if (!read_bytes(p.ps, addr, count, r.data)) return bad_argument();
      result = widen(messages_.file_request(p, as_int(a[0]), encode(r), 0, 4, MessageSystem::ReplyUse::value));
      break;
    }
    case S::finfo: {
      FileRequest r;
      r.file = disk_file(a[0]);
      r.op = FileOp::info;
      result = widen(messages_.file_request(p, as_int(a[0]), encode(r), 0, 4, MessageSystem::ReplyUse::value));
      break;
    }
    case S::diskio: {
      if (p.native == nullptr) {  // the controllers serve the disk process, not guest programs
        result = as_word(-fe::invalid_op);
        break;
      }
      const bool line = a[0] == guest::disk::print;
      if ((a[0] != guest::disk::read && a[0] != guest::disk::write && !line) ||
          (line ? a[3] > guest::kMaxMessageBytes : a[3] != io_block_words)) {
        result = as_word(-fe::bad_param);
        break;
      }
      const std::uint32_t bytes = line ? a[3] : a[3] * 4;
      if (!buffer_in_data(p.ps, a[2], bytes)) return bad_argument();
      DiskOp op;
      op.op = a[0];
      op.block = a[1];
      if (op.op != guest::disk::read) read_bytes(p.ps, a[2], bytes, op.data);
      const std::uint64_t token = core_.new_id();
      if (!core_.platform.disk_io(p.name, std::move(op), token, core_.now())) {
        result = as_word(-fe::path_down);  // no controller of the device this CPU can reach
        break;
      }
      core_.block(p, WaitReason::diskio);
      p.wait_token = token;
      p.wait_addr = a[2];
      p.wait_max = a[0] == guest::disk::read ? bytes : 0;
      result.reset();
      break;
    }
  }
  if (result && !p.ps.push(*result)) lifecycle_.abend(p, trap_reason(Trap::stack_overflow));
}

}  // namespace pairsim::cpu
