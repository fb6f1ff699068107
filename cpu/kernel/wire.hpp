#pragma once
// Kernel-to-kernel messages on the interprocessor bus: their contents and their byte layout. Byte 0 is the
// message type; the layout of each type is fixed, so a changed layout gets a new type number (the type byte
// is the version). Integers are little-endian. Decoding is defensive: every read is bounds-checked, every
// length is limited, and anything malformed decodes to "false" — a corrupt message is dropped, never trusted.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cpu/interpreter.hpp"

namespace pairsim::cpu {

using Pid = std::int32_t;  // cpu << 8 | pin, as Guardian packs a process id into one word; 0 means none

enum class MessageType : std::uint8_t {
  request = 0x21,        // a writeread's request, requester kernel -> server kernel
  reply = 0x22,          // its reply (or a rejection with an error)
  dest_update = 0x23,    // one destination-table entry changed or was removed
  dest_snapshot = 0x24,  // the whole table and the membership, for a CPU that joined
  create = 0x25,         // create a process (newprocess, newbackup) on the receiving CPU
  create_reply = 0x26,
  deletion = 0x27,  // a process stopped: tell its pair partner or its creator
  pair_op = 0x2A,   // checkpoint / checkopen / checkclose / checkswitch / stop, primary -> backup (0x28:
                    // before an open carried its disk file)
  pair_ack = 0x29,
};

// The destination table's value for one name.
struct Destination {
  Pid primary = 0;
  Pid backup = 0;
  std::uint32_t version = 0;  // bumped by every change, so late or repeated updates do not undo newer ones
  bool files = false;         // the name is a volume's disk process: file calls go to it, and only they
  bool operator==(const Destination& o) const {
    return primary == o.primary && backup == o.backup && version == o.version && files == o.files;
  }
};

// One open file as its sync block travels: enough to re-create the open in the backup.
struct OpenFile {
  bool receive = false;  // $RECEIVE
  std::string target;    // "$NAME" of the server for process files; the volume ("$DATA") for a disk file
  std::string disk_file;  // a disk file's name on its volume ("ACCTS"); "" for a process file
  std::uint32_t sync_depth = 0;
  std::uint32_t sync_id = 0;  // of the last request sent on this open
  std::uint64_t open_id = 0;  // machine-wide unique; the server's key for duplicate detection
};

// A server's record of the last reply it gave one opener: the $RECEIVE sync block is a map of these.
struct SavedReply {
  std::uint32_t sync_id = 0;
  std::uint32_t error = 0;
  std::vector<std::uint8_t> data;
  // False for a retryable request's reply (cpu/native_program.hpp): only its sync ID is kept, so a resend of
  // that request is done again and an older one is refused (FE_SYNCTOOOLD).
  bool kept = true;
};
using ReceiveSyncBlock = std::map<std::uint64_t, SavedReply>;  // open_id -> last reply

struct RequestMsg {
  std::uint64_t req_id = 0;  // the requester kernel's id; the reply carries it back
  std::uint16_t src_pin = 0;
  std::uint16_t dst_pin = 0;
  std::string target;  // the name the requester opened; checked by the server kernel
  std::uint64_t open_id = 0;
  std::uint32_t sync_id = 0;
  std::uint32_t reply_max = 0;
  std::vector<std::uint8_t> data;
};

struct ReplyMsg {
  std::uint64_t req_id = 0;
  std::uint32_t error = 0;
  bool rejected = false;  // by the server's kernel (no such process, not the primary): the requester may resend
  std::vector<std::uint8_t> data;
};

struct DestUpdateMsg {
  std::string name;
  Destination dest;
  bool removed = false;
};

struct DestSnapshotMsg {
  std::uint16_t up_mask = 0;
  std::vector<std::pair<std::string, Destination>> entries;
};

struct CreateMsg {
  std::uint64_t create_id = 0;
  Pid creator = 0;
  std::string name;  // "" for an unnamed process
  std::string program;
  std::int32_t priority = 150;
  std::vector<std::int32_t> args;
  bool backup = false;  // a backup of `creator`, which is the named primary
  bool needs_state = false;  // backup: the pair has a past; it may not take over before its first checkpoint
};

struct CreateReplyMsg {
  std::uint64_t create_id = 0;
  std::int32_t error = 0;  // file-system error, 0 on success
  Pid pid = 0;
  std::string sentence;  // why it failed, for the log
};

struct DeletionMsg {
  Pid deleted = 0;
  Pid recipient = 0;
  std::string name;
  bool abended = false;
  std::int32_t exit_code = 0;
};

enum class PairOpKind : std::uint8_t { checkpoint = 1, checkopen = 2, checkclose = 3, checkswitch = 4, stop = 5 };

// A file's sync block in a checkpoint (or the open itself in a checkopen).
struct FileSync {
  std::int32_t file = 0;
  OpenFile open;
  ReceiveSyncBlock receive;  // only for $RECEIVE
};

struct PairOpMsg {
  std::uint64_t op_id = 0;
  PairOpKind kind = PairOpKind::checkpoint;
  Pid from = 0;  // the primary
  Pid to = 0;    // the backup
  std::string pair;
  // checkpoint
  std::vector<std::pair<std::uint32_t, std::vector<std::uint32_t>>> buffers;  // data address, words
  bool has_stack = false;
  Registers regs;                    // restart point
  std::vector<std::uint32_t> stack;  // stack_base .. S
  std::vector<FileSync> files;       // checkpoint: sync blocks; checkopen: the one open; checkclose: file only
  std::int32_t exit_code = 0;        // stop
};

struct PairAckMsg {
  std::uint64_t op_id = 0;
  std::uint32_t status = 0;  // checkpoint status word
};

// Peeks at the type byte; false for an empty payload.
bool message_type(const std::vector<std::uint8_t>& payload, MessageType& type);

std::vector<std::uint8_t> encode(const RequestMsg& m);
std::vector<std::uint8_t> encode(const ReplyMsg& m);
std::vector<std::uint8_t> encode(const DestUpdateMsg& m);
std::vector<std::uint8_t> encode(const DestSnapshotMsg& m);
std::vector<std::uint8_t> encode(const CreateMsg& m);
std::vector<std::uint8_t> encode(const CreateReplyMsg& m);
std::vector<std::uint8_t> encode(const DeletionMsg& m);
std::vector<std::uint8_t> encode(const PairOpMsg& m);
std::vector<std::uint8_t> encode(const PairAckMsg& m);

// Each returns false (and leaves `m` unspecified) unless the payload is exactly one well-formed message of
// that type.
bool decode(const std::vector<std::uint8_t>& payload, RequestMsg& m);
bool decode(const std::vector<std::uint8_t>& payload, ReplyMsg& m);
// The same, taking the payload's buffer over for the data instead of copying it (the hot path).
bool decode(std::vector<std::uint8_t>&& payload, RequestMsg& m);
bool decode(std::vector<std::uint8_t>&& payload, ReplyMsg& m);
bool decode(const std::vector<std::uint8_t>& payload, DestUpdateMsg& m);
bool decode(const std::vector<std::uint8_t>& payload, DestSnapshotMsg& m);
bool decode(const std::vector<std::uint8_t>& payload, CreateMsg& m);
bool decode(const std::vector<std::uint8_t>& payload, CreateReplyMsg& m);
bool decode(const std::vector<std::uint8_t>& payload, DeletionMsg& m);
bool decode(const std::vector<std::uint8_t>& payload, PairOpMsg& m);
bool decode(const std::vector<std::uint8_t>& payload, PairAckMsg& m);

}  // namespace pairsim::cpu
