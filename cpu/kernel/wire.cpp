#include "cpu/kernel/wire.hpp"

#include <algorithm>
#include <cstring>

#include "guest/syscalls.hpp"

namespace pairsim::cpu {

namespace {

// Limits a well-formed message never exceeds; anything larger is corruption.
constexpr std::uint32_t kMaxNameBytes = 255;
constexpr std::uint32_t kMaxDataBytes = guest::kMaxRequestBytes;
constexpr std::uint32_t kMaxCheckpointWords = guest::kMaxCheckpointBytes / 4;
constexpr std::uint32_t kMaxEntries = 4096;  // destination entries, sync-block entries
constexpr std::uint32_t kMaxArgs = 64;

// Room for the envelope byte that the CPU module puts in front of every kernel message (cpu/cpu.cpp), so
// that costs a move of the bytes, not a new buffer.
constexpr std::size_t kEnvelopeRoom = 1;

class Writer {
 public:
  // `expected` is the encoded size when the caller knows it (the hot request and reply): one allocation
  // instead of a doubling series of them. The buffer is sized ahead and written through a position, so a
  // field costs a few stores rather than a push_back a byte.
  explicit Writer(MessageType t, std::size_t expected = 64) {
    out_.reserve(expected + kEnvelopeRoom);
    out_.resize(expected < 1 ? 1 : expected);
    out_[0] = static_cast<std::uint8_t>(t);
  }
  Writer& u8(std::uint8_t v) {
    *room(1) = v;
    return *this;
  }
  Writer& u16(std::uint16_t v) { return le(v, 2); }
  Writer& u32(std::uint32_t v) { return le(v, 4); }
  Writer& i32(std::int32_t v) { return le(static_cast<std::uint32_t>(v), 4); }
  Writer& u64(std::uint64_t v) { return le(v, 8); }
  Writer& str(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    if (!s.empty()) std::memcpy(room(s.size()), s.data(), s.size());
    return *this;
  }
  Writer& bytes(const std::vector<std::uint8_t>& b) {
    u32(static_cast<std::uint32_t>(b.size()));
    if (!b.empty()) std::memcpy(room(b.size()), b.data(), b.size());
    return *this;
  }
  Writer& words(const std::vector<std::uint32_t>& w) {
    u32(static_cast<std::uint32_t>(w.size()));
    for (auto v : w) u32(v);
    return *this;
  }
  std::vector<std::uint8_t> take() {
    out_.resize(pos_);
    return std::move(out_);
  }

 private:
  // Where the next n bytes go; grows the buffer when the guess was short.
  std::uint8_t* room(std::size_t n) {
    if (out_.size() - pos_ < n) out_.resize(std::max(out_.size() * 2, pos_ + n));
    std::uint8_t* at = out_.data() + pos_;
    pos_ += n;
    return at;
  }
  Writer& le(std::uint64_t v, int n) {
    std::uint8_t* at = room(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) at[i] = static_cast<std::uint8_t>(v >> (8 * i));
    return *this;
  }
  std::vector<std::uint8_t> out_;
  std::size_t pos_ = 1;  // after the type byte
};

// Every read checks the remaining length; after the first failure all reads fail and ok() stays false.
class Reader {
 public:
  Reader(const std::vector<std::uint8_t>& in, MessageType expect) : in_(in), size_(in.size()) {
    ok_ = !in.empty() && in[0] == static_cast<std::uint8_t>(expect);
    pos_ = 1;
  }
  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == size_; }

  std::uint8_t u8() { return static_cast<std::uint8_t>(le(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(le(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(le(4)); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::uint64_t u64() { return le(8); }
  bool flag() {
    const auto v = u8();
    if (v > 1) ok_ = false;
    return v == 1;
  }
  std::string str(std::uint32_t max = kMaxNameBytes) {
    const std::uint32_t n = count(max, 1);
    if (!ok_) return {};
    std::string s(in_.begin() + static_cast<std::ptrdiff_t>(pos_), in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return s;
  }
  std::vector<std::uint8_t> bytes(std::uint32_t max = kMaxDataBytes) {
    const std::uint32_t n = count(max, 1);
    if (!ok_) return {};
    std::vector<std::uint8_t> b(in_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return b;
  }
  // The message's last field, taken over from its buffer instead of copied: `whole` must be the vector this
  // Reader reads, and nothing is read after it.
  std::vector<std::uint8_t> tail_bytes(std::vector<std::uint8_t>& whole, std::uint32_t max = kMaxDataBytes) {
    const std::uint32_t n = count(max, 1);
    if (!ok_ || pos_ + n != size_) {
      ok_ = false;
      return {};
    }
    std::vector<std::uint8_t> b = std::move(whole);
    b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ += n;
    return b;
  }
  std::vector<std::uint32_t> words(std::uint32_t max = kMaxCheckpointWords) {
    const std::uint32_t n = count(max, 4);
    std::vector<std::uint32_t> w;
    if (!ok_) return w;
    w.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) w.push_back(u32());
    return w;
  }
  // A count of items of at least `item_bytes` each: bounded by `max` and by what is left.
  std::uint32_t count(std::uint32_t max, std::uint32_t item_bytes) {
    const std::uint32_t n = u32();
    if (!ok_ || n > max || static_cast<std::uint64_t>(n) * item_bytes > size_ - pos_) {
      ok_ = false;
      return 0;
    }
    return n;
  }

 private:
  std::uint64_t le(std::size_t n) {
    if (!ok_ || size_ - pos_ < n) {
      ok_ = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(in_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }
  const std::vector<std::uint8_t>& in_;
  std::size_t size_;  // of in_ when the Reader began (tail_bytes takes in_ over)
  std::size_t pos_ = 0;
  bool ok_ = false;
};

// `files` rides in the version word's top bit (versions stay far below 2^31): an entry keeps its size on the
// bus, and so every packet's timing.
constexpr std::uint32_t kFilesBit = 0x8000'0000u;
// A saved reply's `kept` rides in its error word's top bit (errors are small numbers), for the same reason.
constexpr std::uint32_t kNotKeptBit = 0x8000'0000u;
void put(Writer& w, const Destination& d) {
  w.i32(d.primary).i32(d.backup).u32((d.version & ~kFilesBit) | (d.files ? kFilesBit : 0));
}
void get(Reader& r, Destination& d) {
  d.primary = r.i32();
  d.backup = r.i32();
  const std::uint32_t v = r.u32();
  d.version = v & ~kFilesBit;
  d.files = (v & kFilesBit) != 0;
}

void put(Writer& w, const OpenFile& f) {
  w.u8(f.receive ? 1 : 0).str(f.target).str(f.disk_file).u32(f.sync_depth).u32(f.sync_id).u64(f.open_id);
}
void get(Reader& r, OpenFile& f) {
  f.receive = r.flag();
  f.target = r.str();
  f.disk_file = r.str();
  f.sync_depth = r.u32();
  f.sync_id = r.u32();
  f.open_id = r.u64();
}

void put(Writer& w, const FileSync& f) {
  w.i32(f.file);
  put(w, f.open);
  w.u32(static_cast<std::uint32_t>(f.receive.size()));
  for (const auto& [open_id, saved] : f.receive) w.u64(open_id).u32(saved.sync_id).u32(saved.error | (saved.kept ? 0 : kNotKeptBit)).bytes(saved.data);
}
void get(Reader& r, FileSync& f) {
  f.file = r.i32();
  get(r, f.open);
  const std::uint32_t n = r.count(kMaxEntries, 20);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    const std::uint64_t open_id = r.u64();
    SavedReply s;
    s.sync_id = r.u32();
    s.error = r.u32();
    s.kept = (s.error & kNotKeptBit) == 0;
    s.error &= ~kNotKeptBit;
    s.data = r.bytes();
    f.receive[open_id] = std::move(s);
  }
}

}  // namespace

bool message_type(const std::vector<std::uint8_t>& payload, MessageType& type) {
  if (payload.empty()) return false;
  type = static_cast<MessageType>(payload[0]);
  return true;
}

std::vector<std::uint8_t> encode(const RequestMsg& m) {
  Writer w(MessageType::request, 1 + 8 + 2 + 2 + 4 + m.target.size() + 8 + 4 + 4 + 4 + m.data.size());
  w.u64(m.req_id).u16(m.src_pin).u16(m.dst_pin).str(m.target).u64(m.open_id).u32(m.sync_id).u32(m.reply_max);
  w.bytes(m.data);
  return w.take();
}
bool decode(const std::vector<std::uint8_t>& p, RequestMsg& m) {
  return decode(std::vector<std::uint8_t>(p), m);
}
bool decode(std::vector<std::uint8_t>&& p, RequestMsg& m) {
  Reader r(p, MessageType::request);
  m.req_id = r.u64();
  m.src_pin = r.u16();
  m.dst_pin = r.u16();
  m.target = r.str();
  m.open_id = r.u64();
  m.sync_id = r.u32();
  m.reply_max = r.u32();
  m.data = r.tail_bytes(p);
  return r.done() && m.reply_max <= kMaxDataBytes;
}

std::vector<std::uint8_t> encode(const ReplyMsg& m) {
  Writer w(MessageType::reply, 1 + 8 + 4 + 1 + 4 + m.data.size());
  w.u64(m.req_id).u32(m.error).u8(m.rejected ? 1 : 0).bytes(m.data);
  return w.take();
}
bool decode(const std::vector<std::uint8_t>& p, ReplyMsg& m) {
  return decode(std::vector<std::uint8_t>(p), m);
}
bool decode(std::vector<std::uint8_t>&& p, ReplyMsg& m) {
  Reader r(p, MessageType::reply);
  m.req_id = r.u64();
  m.error = r.u32();
  m.rejected = r.flag();
  m.data = r.tail_bytes(p);
  return r.done();
}

std::vector<std::uint8_t> encode(const DestUpdateMsg& m) {
  Writer w(MessageType::dest_update);
  w.str(m.name);
  put(w, m.dest);
  w.u8(m.removed ? 1 : 0);
  return w.take();
}
bool decode(const std::vector<std::uint8_t>& p, DestUpdateMsg& m) {
  Reader r(p, MessageType::dest_update);
  m.name = r.str();
  get(r, m.dest);
  m.removed = r.flag();
  return r.done() && !m.name.empty();
}

std::vector<std::uint8_t> encode(const DestSnapshotMsg& m) {
  Writer w(MessageType::dest_snapshot);
  w.u16(m.up_mask).u32(static_cast<std::uint32_t>(m.entries.size()));
  for (const auto& [name, d] : m.entries) {
    w.str(name);
    put(w, d);
  }
  return w.take();
}
bool decode(const std::vector<std::uint8_t>& p, DestSnapshotMsg& m) {
  Reader r(p, MessageType::dest_snapshot);
  m.up_mask = r.u16();
  const std::uint32_t n = r.count(kMaxEntries, 16);
  m.entries.clear();
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    std::string name = r.str();
    Destination d;
    get(r, d);
    m.entries.emplace_back(std::move(name), d);
  }
  return r.done();
}

std::vector<std::uint8_t> encode(const CreateMsg& m) {
  Writer w(MessageType::create);
  w.u64(m.create_id).i32(m.creator).str(m.name).str(m.program).i32(m.priority);
  w.u32(static_cast<std::uint32_t>(m.args.size()));
  for (auto a : m.args) w.i32(a);
  w.u8(m.backup ? 1 : 0);
  w.u8(m.needs_state ? 1 : 0);
  return w.take();
}
bool decode(const std::vector<std::uint8_t>& p, CreateMsg& m) {
  Reader r(p, MessageType::create);
  m.create_id = r.u64();
  m.creator = r.i32();
  m.name = r.str();
  m.program = r.str();
  m.priority = r.i32();
  const std::uint32_t n = r.count(kMaxArgs, 4);
  m.args.clear();
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) m.args.push_back(r.i32());
  m.backup = r.flag();
  m.needs_state = r.flag();
  return r.done();
}

std::vector<std::uint8_t> encode(const CreateReplyMsg& m) {
  Writer w(MessageType::create_reply);
  w.u64(m.create_id).i32(m.error).i32(m.pid).str(m.sentence);
  return w.take();
}
bool decode(const std::vector<std::uint8_t>& p, CreateReplyMsg& m) {
  Reader r(p, MessageType::create_reply);
  m.create_id = r.u64();
  m.error = r.i32();
  m.pid = r.i32();
  m.sentence = r.str(1024);
  return r.done();
}

std::vector<std::uint8_t> encode(const DeletionMsg& m) {
  Writer w(MessageType::deletion);
  w.i32(m.deleted).i32(m.recipient).str(m.name).u8(m.abended ? 1 : 0).i32(m.exit_code);
  return w.take();
}
bool decode(const std::vector<std::uint8_t>& p, DeletionMsg& m) {
  Reader r(p, MessageType::deletion);
  m.deleted = r.i32();
  m.recipient = r.i32();
  m.name = r.str();
  m.abended = r.flag();
  m.exit_code = r.i32();
  return r.done();
}

std::vector<std::uint8_t> encode(const PairOpMsg& m) {
  Writer w(MessageType::pair_op);
  w.u64(m.op_id).u8(static_cast<std::uint8_t>(m.kind)).i32(m.from).i32(m.to).str(m.pair);
  w.u32(static_cast<std::uint32_t>(m.buffers.size()));
  for (const auto& [addr, words] : m.buffers) w.u32(addr).words(words);
  w.u8(m.has_stack ? 1 : 0);
  if (m.has_stack) w.u32(m.regs.p).u32(m.regs.s).u32(m.regs.l).words(m.stack);
  w.u32(static_cast<std::uint32_t>(m.files.size()));
  for (const auto& f : m.files) put(w, f);
  w.i32(m.exit_code);
  return w.take();
}
bool decode(const std::vector<std::uint8_t>& p, PairOpMsg& m) {
  Reader r(p, MessageType::pair_op);
  m.op_id = r.u64();
  const auto kind = r.u8();
  if (kind < 1 || kind > 5) return false;
  m.kind = static_cast<PairOpKind>(kind);
  m.from = r.i32();
  m.to = r.i32();
  m.pair = r.str();
  const std::uint32_t nb = r.count(guest::ckpt::max_buffers, 8);
  m.buffers.clear();
  for (std::uint32_t i = 0; i < nb && r.ok(); ++i) {
    const std::uint32_t addr = r.u32();
    m.buffers.emplace_back(addr, r.words());
  }
  m.has_stack = r.flag();
  if (m.has_stack) {
    m.regs.p = r.u32();
    m.regs.s = r.u32();
    m.regs.l = r.u32();
    m.stack = r.words();
  }
  const std::uint32_t nf = r.count(guest::ckpt::max_files, 29);
  m.files.clear();
  for (std::uint32_t i = 0; i < nf && r.ok(); ++i) {
    FileSync f;
    get(r, f);
    m.files.push_back(std::move(f));
  }
  m.exit_code = r.i32();
  return r.done();
}

std::vector<std::uint8_t> encode(const PairAckMsg& m) {
  Writer w(MessageType::pair_ack);
  w.u64(m.op_id).u32(m.status);
  return w.take();
}
bool decode(const std::vector<std::uint8_t>& p, PairAckMsg& m) {
  Reader r(p, MessageType::pair_ack);
  m.op_id = r.u64();
  m.status = r.u32();
  return r.done();
}

}  // namespace pairsim::cpu
