#include "io/disk_process.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "cpu/kernel/file_protocol.hpp"
#include "cpu/kernel/guest_buffer.hpp"
#include "guest/syscalls.hpp"
#include "io/native_steps.hpp"
#include "io/volume_layout.hpp"

namespace pairsim::io {

namespace {

using cpu::ProcessState;
using cpu::RunResult;
using guest::Syscall;
namespace fe = guest::fe;
namespace ck = guest::ckpt;

constexpr std::uint32_t kBlockWords = kBlockBytes / 4;
constexpr std::uint32_t kRequestWords = guest::kMaxRequestBytes / 4 + 1;

// The data space, in words. Everything below W_PENDING is working storage; the pending operation is the
// one buffer the process checkpoints (with $RECEIVE's sync block and the stack).
enum Word : std::uint32_t {
  W_LEN = kFirstOwnWord,  // the request's length
  W_I,                    // a loop counter
  W_AFTER_LOAD,           // what follows the directory's loading: 0 serve, 1 finish the pending operation
  W_DIR_VALID,            // 1 when the cache holds the directory
  W_VOLUME_BLOCKS,        // the volume's size, from its label
  W_REPLY,                // 4 words of reply
  W_IO = W_REPLY + 4,     // the diskio under way: op, block, buffer, the state that takes its result …
  W_IO_TRIES = W_IO + 4,  // … and how often it was tried
  W_DIR = W_IO_TRIES + 2,           // the directory's cache: kDirectoryBlocks blocks
  W_REQ = W_DIR + kDirectoryBlocks * kBlockWords,
  W_BLOCK = W_REQ + kRequestWords,  // one block read or written
  W_PENDING = W_BLOCK + kBlockWords,
  // The pending operation: [kind, slot, record, bytes, reply (0: none: finished by a takeover), entry…].
  W_PENDING_KIND = W_PENDING,
  W_PENDING_SLOT = W_PENDING + 1,
  W_PENDING_RECORD = W_PENDING + 2,
  W_PENDING_ENTRY = W_PENDING + 4,  // kEntryBytes bytes
  W_PENDING_DATA = W_PENDING_ENTRY + kEntryBytes / 4,
  W_PENDING_END = W_PENDING_DATA + kBlockWords,
  W_GLOBALS_END = W_PENDING_END,
};
constexpr std::uint32_t kStackWords = 256;

enum Pending : std::uint32_t { none = 0, append = 1, create = 2 };

// States: P of the process. Each is entered with the result of the system call before it on the stack.
enum Label : std::uint32_t {
  L_CHECKPOINTED = kFirstOwnLabel,  // the first checkpoint, or one after a new backup
  L_LOAD_DIR,
  L_DIR_BLOCK,
  L_REQUEST,  // a request read from $RECEIVE (the serving loop, native_steps.hpp)
  L_READ_DONE,
  L_WRITE_DONE,
  L_WRITE_DIR_DONE,
  L_SAVED,
  L_PENDING_CHECKPOINTED,
  L_PENDING_DATA_DONE,
  L_PENDING_DIR_DONE,
  L_REPLIED,
  L_IO_DONE,
  L_PENDING_RETRY,
  L_PENDING_RETRIED,
  L_GIVEUP_SAVED,
  L_GIVEUP_CHECKPOINTED,
};

// How long a checkpointed operation that the volume cannot take now waits before it is tried again.
constexpr std::uint32_t kRetryMicroseconds = 10'000;

// A block operation that fails because its controller failed (FE_PATHDOWN) is tried again, once per
// controller of the volume: the CPU's kernel then takes the volume's other controller. FE_VOLUMEDOWN from
// diskio means no drive of the volume is up.
constexpr std::uint32_t kIoTries = 2;

struct Machine : NativeSteps {
  explicit Machine(ProcessState& ps)
      : NativeSteps(ps, W_PENDING, W_PENDING_END, {W_REQ, guest::kMaxRequestBytes, W_LEN, L_REQUEST}) {}
  // The directory entry in slot `slot`, from the cache.
  std::uint32_t entry_word(std::uint32_t slot) {
    return W_DIR + (entry_block(slot) - 1) * kBlockWords + entry_offset(slot) / 4;
  }
  std::optional<FileEntry> entry(std::uint32_t slot) { return parse_entry(bytes(entry_word(slot), kEntryBytes).data()); }
  void set_entry(std::uint32_t slot, const FileEntry& e) {
    std::vector<std::uint8_t> b(kEntryBytes, 0);
    write_entry(b.data(), e);
    put(entry_word(slot), b.data(), kEntryBytes);
  }
  std::vector<std::optional<FileEntry>> directory() {
    return parse_directory(bytes(W_DIR, kDirectoryBlocks * kBlockBytes).data());
  }
  std::optional<std::uint32_t> find(const std::vector<std::optional<FileEntry>>& dir, const std::string& name) {
    for (std::uint32_t i = 0; i < dir.size(); ++i)
      if (dir[i] && dir[i]->name == name) return i;
    return std::nullopt;
  }
  RunResult reply(std::uint32_t addr, std::uint32_t bytes, std::int32_t error) {
    return NativeSteps::reply(L_REPLIED, addr, bytes, error);
  }
  // The answer to a request whose disk operation failed with `r` (< 0). No path to the volume is
  // FE_VOLUMEDOWN to the requester too: FE_PATHDOWN would tell it the disk process pair is gone.
  RunResult reply_failed(std::int32_t r) { return reply(W_REPLY, 0, r == -fe::path_down ? fe::volume_down : -r); }
  // The pending operation's disk work failed with `r`. No path (both controllers out) is waited out: a
  // controller comes back with `repair`, and the operation, acknowledged or about to be, is then finished.
  // No drive is not: with both drives of the volume down nothing written to it can be read again and no
  // revive can bring a drive back (there is no copy to revive from), so the operation is given up.
  std::optional<RunResult> pending_failed(std::int32_t r) {
    if (r == -fe::path_down) {
      go(L_PENDING_RETRY);
      return std::nullopt;
    }
    w(W_PENDING_KIND) = Pending::none;
    w(W_AFTER_LOAD) = 0;
    // The cache may hold the operation's own change (a new entry, a moved end of file): read the directory
    // again before the next request, which fails while no drive is up, so every later request is refused.
    w(W_DIR_VALID) = 0;
    w(W_I) = 0;
    if (w(W_TAG) == 0) {  // finished after a takeover: the requester's resend was answered from the saved reply
      go(P_SERVE);
      return std::nullopt;
    }
    // The saved reply becomes the error, and goes to the backup with the operation given up, before the
    // requester hears it: a takeover in between answers the resend with the same error.
    return call(L_GIVEUP_SAVED, Syscall::savereply, {w(W_TAG), W_REPLY, 0, static_cast<std::uint32_t>(fe::volume_down)});
  }
  // Reads the label and the directory again; then serves (after 0) or finishes the pending operation (1).
  void load_directory(std::uint32_t after) {
    w(W_AFTER_LOAD) = after;
    w(W_DIR_VALID) = 0;
    w(W_I) = 0;
    go(L_LOAD_DIR);
  }
  // The success of the pending operation: its record number (append), or nothing (create).
  RunResult reply_done() { return reply(W_REPLY, w(W_PENDING_KIND) == Pending::append ? 4 : 0, 0); }
  RunResult reply_words(std::initializer_list<std::uint32_t> words, std::int32_t error) {
    std::uint32_t i = 0;
    for (std::uint32_t v : words) w(W_REPLY + i++) = v;
    return reply(W_REPLY, 4 * i, error);
  }
  RunResult diskio(Label next, std::uint32_t op, std::uint32_t block, std::uint32_t addr) {
    w(W_IO) = op;
    w(W_IO + 1) = block;
    w(W_IO + 2) = addr;
    w(W_IO + 3) = next;
    w(W_IO_TRIES) = 1;
    return call(L_IO_DONE, Syscall::diskio, {op, block, addr, kBlockWords});
  }
  // The pending operation's disk work: the record (append), then the directory block of its entry.
  std::optional<RunResult> finish_pending() {
    if (w(W_PENDING_KIND) == Pending::append) {
      const auto e = parse_entry(bytes(W_PENDING_ENTRY, kEntryBytes).data());
      if (e) return diskio(L_PENDING_DATA_DONE, guest::disk::write, e->first_block + w(W_PENDING_RECORD), W_PENDING_DATA);
    }
    // Nothing to write before the directory: go on as if a write had succeeded.
    push(0);
    go(L_PENDING_DATA_DONE);
    return std::nullopt;
  }
};

guest::Program make_image() {
  guest::Program p;
  p.source = DiskProcess::kProgramName;
  p.data_words = W_GLOBALS_END + kStackWords;
  p.stack_words = kStackWords;
  p.data = initial_data(W_GLOBALS_END);
  p.entry = P_START;
  return p;
}

}  // namespace

DiskProcess::DiskProcess() : image_(make_image()) {}

RunResult DiskProcess::run(ProcessState& ps, std::uint64_t budget) const {
  Machine m(ps);
  while (m.executed() < budget) {
    if (auto r = m.pair_step()) {
      if (r->reason != cpu::StopReason::budget) return *r;
      continue;
    }
    switch (m.label()) {
      case L_CHECKPOINTED: {
        const std::uint32_t status = static_cast<std::uint32_t>(m.pop());
        // A takeover here: no operation was pending, but the directory may have changed since this process
        // last read it (as a backup, it never has).
        if (ck::kind_of(status) == ck::kind_takeover || m.w(W_DIR_VALID) == 0) {
          m.load_directory(0);
          break;
        }
        m.go(P_SERVE);
        break;
      }
      case L_LOAD_DIR:  // the label (W_I 0), then the directory's blocks
        if (m.w(W_I) == 0) return m.diskio(L_DIR_BLOCK, guest::disk::read, 0, W_BLOCK);
        return m.diskio(L_DIR_BLOCK, guest::disk::read, m.w(W_I), W_DIR + (m.w(W_I) - 1) * kBlockWords);
      case L_DIR_BLOCK: {
        const std::int32_t r = m.pop();
        if (r < 0) {
          // The volume cannot be read now. A checkpointed operation that is not finished waits for it (it
          // was acknowledged, or will be) unless no drive is left; otherwise requests are refused until it
          // can be read.
          if (m.w(W_AFTER_LOAD) == 1 && m.w(W_PENDING_KIND) != Pending::none) {
            if (auto res = m.pending_failed(r)) return *res;
            break;
          }
          m.go(P_SERVE);
          break;
        }
        if (m.w(W_I) == 0) {
          std::string name, error;
          std::uint32_t blocks = 0;
          m.w(W_VOLUME_BLOCKS) = parse_label(m.bytes(W_BLOCK, kBlockBytes).data(), name, blocks, error) ? blocks : 0;
        }
        if (++m.w(W_I) <= kDirectoryBlocks) {
          m.go(L_LOAD_DIR);
          break;
        }
        m.w(W_DIR_VALID) = 1;
        if (m.w(W_AFTER_LOAD) == 1 && m.w(W_PENDING_KIND) != Pending::none) {
          // A takeover in the middle of an fappend or fcreate: finish it. Its requester's resend is then
          // answered from the reply the old primary saved.
          // Unless the old primary finished it: later requests (a write to the appended record, records
          // appended to the new file) must not be undone by doing it again.
          const auto pending = parse_entry(m.bytes(W_PENDING_ENTRY, kEntryBytes).data());
          const auto now = m.entry(m.w(W_PENDING_SLOT));
          const bool done = m.w(W_PENDING_KIND) == Pending::create
                                ? now && pending && now->name == pending->name
                                : now && now->records > m.w(W_PENDING_RECORD);
          if (done || !pending) {
            m.w(W_AFTER_LOAD) = 0;
            if (m.w(W_TAG) != 0) return m.reply_done();
            m.go(P_SERVE);
            break;
          }
          if (m.w(W_PENDING_KIND) == Pending::create) m.set_entry(m.w(W_PENDING_SLOT), *pending);
          if (auto r = m.finish_pending()) return *r;
          break;
        }
        m.go(P_SERVE);
        break;
      }
      case L_REQUEST: {
        const auto len = static_cast<std::int32_t>(m.w(W_LEN));
        const auto req = cpu::decode_file_request(m.bytes(W_REQ, static_cast<std::uint32_t>(len)).data(),
                                                  static_cast<std::size_t>(len));
        if (!req) return m.reply(W_REPLY, 0, fe::bad_param);
        if (m.w(W_DIR_VALID) == 0) {
          // The directory could not be read (no drive or controller): refuse, and read it again before the
          // next request, as one may be back.
          return m.reply(W_REPLY, 0, fe::volume_down);
        }
        const auto dir = m.directory();
        const auto slot = m.find(dir, req->file);
        if (req->op == cpu::FileOp::create) {
          if (!valid_file_name(req->file)) return m.reply(W_REPLY, 0, fe::bad_name);
          if (slot) return m.reply(W_REPLY, 0, fe::file_exists);
          if (req->record_bytes == 0 || req->record_bytes > kMaxRecordBytes) return m.reply(W_REPLY, 0, fe::bad_count);
          std::optional<std::uint32_t> free;
          for (std::uint32_t i = 0; i < dir.size() && !free; ++i)
            if (!dir[i]) free = i;
          const auto first = allocate(dir, req->max_records, m.w(W_VOLUME_BLOCKS));
          if (!free || !first || req->max_records == 0) return m.reply(W_REPLY, 0, fe::file_full);
          FileEntry e;
          e.name = req->file;
          e.record_bytes = req->record_bytes;
          e.max_records = req->max_records;
          e.records = 0;
          e.first_block = *first;
          std::vector<std::uint8_t> b(kEntryBytes, 0);
          write_entry(b.data(), e);
          m.w(W_PENDING_KIND) = Pending::create;
          m.w(W_PENDING_SLOT) = *free;
          m.put(W_PENDING_ENTRY, b.data(), kEntryBytes);
          return m.call(L_SAVED, Syscall::savereply, {m.w(W_TAG), W_REPLY, 0, 0});
        }
        if (!slot) return m.reply(W_REPLY, 0, fe::not_found);
        const FileEntry& e = *dir[*slot];
        switch (req->op) {
          case cpu::FileOp::open:
            return m.reply_words({e.record_bytes, e.records}, 0);
          case cpu::FileOp::info:
            return m.reply_words({e.records, e.record_bytes, e.max_records}, 0);
          case cpu::FileOp::read:
            if (req->record >= e.records) return m.reply(W_REPLY, 0, fe::eof);
            m.w(W_I) = e.record_bytes;
            return m.diskio(L_READ_DONE, guest::disk::read, e.first_block + req->record, W_BLOCK);
          case cpu::FileOp::write: {
            if (req->data.size() > e.record_bytes) return m.reply(W_REPLY, 0, fe::bad_count);
            if (req->record >= e.max_records) return m.reply(W_REPLY, 0, fe::file_full);
            std::vector<std::uint8_t> block(kBlockBytes, 0);
            std::copy(req->data.begin(), req->data.end(), block.begin());
            m.put(W_BLOCK, block.data(), kBlockBytes);
            // The end of file moves to cover the record; the directory block is written after the record.
            m.w(W_I) = *slot;
            m.w(W_LEN) = req->record;
            return m.diskio(L_WRITE_DONE, guest::disk::write, e.first_block + req->record, W_BLOCK);
          }
          case cpu::FileOp::append: {
            if (req->data.size() > e.record_bytes) return m.reply(W_REPLY, 0, fe::bad_count);
            if (e.records >= e.max_records) return m.reply(W_REPLY, 0, fe::file_full);
            std::vector<std::uint8_t> entry(kEntryBytes, 0);
            write_entry(entry.data(), e);
            std::vector<std::uint8_t> block(kBlockBytes, 0);
            std::copy(req->data.begin(), req->data.end(), block.begin());
            m.w(W_PENDING_KIND) = Pending::append;
            m.w(W_PENDING_SLOT) = *slot;
            m.w(W_PENDING_RECORD) = e.records;
            m.put(W_PENDING_ENTRY, entry.data(), kEntryBytes);
            m.put(W_PENDING_DATA, block.data(), kBlockBytes);
            m.w(W_REPLY) = e.records;
            return m.call(L_SAVED, Syscall::savereply, {m.w(W_TAG), W_REPLY, 4, 0});
          }
          case cpu::FileOp::create:
            break;
        }
        return m.reply(W_REPLY, 0, fe::bad_param);
      }
      case L_READ_DONE: {
        const std::int32_t r = m.pop();
        if (r < 0) return m.reply_failed(r);
        return m.reply(W_BLOCK, m.w(W_I), 0);
      }
      case L_WRITE_DONE: {
        const std::int32_t r = m.pop();
        if (r < 0) return m.reply_failed(r);
        const std::uint32_t slot = m.w(W_I);
        auto e = m.entry(slot);
        if (e && m.w(W_LEN) >= e->records) {
          e->records = m.w(W_LEN) + 1;
          m.set_entry(slot, *e);
          const std::uint32_t block = entry_block(slot);
          return m.diskio(L_WRITE_DIR_DONE, guest::disk::write, block, W_DIR + (block - 1) * kBlockWords);
        }
        return m.reply(W_REPLY, 0, 0);
      }
      case L_WRITE_DIR_DONE: {
        const std::int32_t r = m.pop();
        if (r < 0) return m.reply_failed(r);
        return m.reply(W_REPLY, 0, 0);
      }
      case L_SAVED:
        m.pop();
        return m.checkpoint(L_PENDING_CHECKPOINTED);
      case L_PENDING_CHECKPOINTED: {
        const std::uint32_t status = static_cast<std::uint32_t>(m.pop());
        if (ck::kind_of(status) == ck::kind_bad_param) {
          // The checkpoint could not be sent (too large): the backup has no word of the operation, so it is
          // refused rather than done unprotected.
          return m.reply(W_REPLY, 0, fe::no_memory);
        }
        if (ck::kind_of(status) == ck::kind_takeover) {
          // This process was the backup: it resumes here, at the old primary's checkpoint of the operation.
          // Read the directory, then finish what the checkpoint describes. No reply of its own to give: the
          // requester's resend is answered from the reply the old primary saved.
          m.w(W_TAG) = 0;
          m.load_directory(1);
          break;
        }
        if (m.w(W_PENDING_KIND) == Pending::create) {
          const auto e = parse_entry(m.bytes(W_PENDING_ENTRY, kEntryBytes).data());
          if (e) m.set_entry(m.w(W_PENDING_SLOT), *e);
        }
        if (auto r = m.finish_pending()) return *r;
        break;
      }
      case L_PENDING_DATA_DONE: {
        const std::int32_t r = m.pop();
        if (r < 0) {  // no error for a checkpointed operation while the volume may come back (pending_failed)
          if (auto res = m.pending_failed(r)) return *res;
          break;
        }
        const std::uint32_t slot = m.w(W_PENDING_SLOT);
        if (m.w(W_PENDING_KIND) == Pending::append) {
          auto e = m.entry(slot);
          if (e) {
            e->records = std::max(e->records, m.w(W_PENDING_RECORD) + 1);
            m.set_entry(slot, *e);
          }
        }
        const std::uint32_t block = entry_block(slot);
        return m.diskio(L_PENDING_DIR_DONE, guest::disk::write, block, W_DIR + (block - 1) * kBlockWords);
      }
      case L_PENDING_DIR_DONE: {
        const std::int32_t r = m.pop();
        if (r < 0) {
          if (auto res = m.pending_failed(r)) return *res;
          break;
        }
        // The pending operation stays as checkpointed (the backup holds the same words): a takeover later
        // finds it done in the directory and leaves it.
        m.w(W_AFTER_LOAD) = 0;
        if (m.w(W_TAG) == 0) {  // finished after a takeover: the saved reply answers the requester
          m.go(P_SERVE);
          break;
        }
        return m.reply_done();
      }
      case L_GIVEUP_SAVED:
        m.pop();
        return m.checkpoint(L_GIVEUP_CHECKPOINTED);
      case L_GIVEUP_CHECKPOINTED: {
        const auto status = static_cast<std::uint32_t>(m.pop());
        if (ck::kind_of(status) == ck::kind_takeover) {
          // The old primary gave the operation up; its requester's resend gets the saved error.
          m.w(W_TAG) = 0;
          m.load_directory(0);
          break;
        }
        return m.reply(W_REPLY, 0, fe::volume_down);
      }
      case L_PENDING_RETRY:
        // Both controllers are out: try again in a while, from the directory on.
        return m.call(L_PENDING_RETRIED, Syscall::delay, {kRetryMicroseconds});
      case L_PENDING_RETRIED:
        m.pop();
        m.load_directory(1);
        break;
      case L_IO_DONE: {
        const std::int32_t r = m.pop();
        if (r == -fe::path_down && m.w(W_IO_TRIES) < kIoTries) {
          ++m.w(W_IO_TRIES);
          return m.call(L_IO_DONE, Syscall::diskio, {m.w(W_IO), m.w(W_IO + 1), m.w(W_IO + 2), kBlockWords});
        }
        m.push(static_cast<std::uint32_t>(r));
        m.go(m.w(W_IO + 3));
        break;
      }
      case L_REPLIED:
        m.pop();
        if (m.w(W_DIR_VALID) == 0) {
          m.w(W_I) = 0;
          m.go(L_LOAD_DIR);
          break;
        }
        m.go(P_SERVE);
        break;
      default:
        return m.illegal();
    }
  }
  return m.spent();
}

}  // namespace pairsim::io
