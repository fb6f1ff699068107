#pragma once
// The messages between a requester's file system and a disk process: what fcreate, fopen, fread, fwrite,
// fappend and finfo send to the volume's process pair, as the data of an ordinary writeread request (so sync
// IDs, resends after a takeover and saved replies work for them as for any request). Both ends are kernel
// code: the requester's kernel builds a request, the disk process (io/disk_process.hpp) reads it from
// $RECEIVE.
//
// Layout (little-endian): 'F', op, name length n, n bytes of the file's name, record (u32), record bytes
// (u32), max records (u32), then the record's bytes (write, append). A reply's error is the request's status
// (guest::fe); its data: open -> [record bytes, records] (u32 each); read -> the record's bytes; append ->
// [record number]; info -> [records, record bytes, max records]; create and write -> nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pairsim::cpu {

enum class FileOp : std::uint8_t { open = 1, create = 2, read = 3, write = 4, append = 5, info = 6 };

struct FileRequest {
  FileOp op = FileOp::open;
  std::string file;  // the name on the volume: "ACCTS"
  std::uint32_t record = 0;
  std::uint32_t record_bytes = 0;  // create
  std::uint32_t max_records = 0;   // create
  std::vector<std::uint8_t> data;  // write, append
};

constexpr std::uint32_t kFileRequestHeader = 3 + 12;  // plus the name

std::vector<std::uint8_t> encode(const FileRequest& r);
// nullopt unless the bytes are exactly one well-formed request.
std::optional<FileRequest> decode_file_request(const std::uint8_t* bytes, std::size_t n);

// "$DATA.ACCTS" -> ("$DATA", "ACCTS"); false when it is not a volume name, a dot and a file name.
bool split_file_name(const std::string& full, std::string& volume, std::string& file);

}  // namespace pairsim::cpu
