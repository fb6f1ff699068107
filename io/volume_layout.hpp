#pragma once
// How files sit on a volume: a label in block 0, a fixed directory after it, then each file one contiguous
// extent of whole blocks, one record a block. Pure functions over blocks, so the disk process (which reads and
// writes them through its controller, with time) and `pairsim disk` (which reads an image) share one layout.
// Every multi-byte number on the volume is little-endian; docs/io.md draws the label and an entry byte by byte.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/drive.hpp"
#include "io/volume.hpp"

namespace pairsim::io {

// Block 0: the label. Blocks 1..kDirectoryBlocks: the directory, 64-byte entries (64 a block, kMaxFiles in all).
// Then data: each file one contiguous extent of max_records blocks (one record a block), allocated at create.
constexpr std::uint32_t kDirectoryBlocks = 4;
constexpr std::uint32_t kEntryBytes = 64;
constexpr std::uint32_t kMaxFiles = kDirectoryBlocks * kBlockBytes / kEntryBytes;  // 256
constexpr std::uint32_t kFirstDataBlock = 1 + kDirectoryBlocks;
constexpr std::uint32_t kMaxRecordBytes = kBlockBytes;
constexpr std::uint32_t kMinVolumeBlocks = kFirstDataBlock + 1;  // room for the label, directory and one record
constexpr std::uint32_t kLayoutVersion = 1;
constexpr std::uint32_t kMaxFileNameLength = 8;
constexpr std::uint32_t kMaxVolumeNameLength = 16;  // the label's name field; a process name's longest

struct FileEntry {
  std::string name;                // 1..8 characters: a letter, then letters and digits, upper case
  std::uint32_t record_bytes = 0;  // 1..kMaxRecordBytes
  std::uint32_t max_records = 0;   // the extent's size in blocks
  std::uint32_t records = 0;       // end of file: records 0..records-1 exist
  std::uint32_t first_block = 0;
  bool operator==(const FileEntry& o) const {
    return name == o.name && record_bytes == o.record_bytes && max_records == o.max_records && records == o.records &&
           first_block == o.first_block;
  }
};

bool valid_file_name(const std::string& name);
std::vector<std::uint8_t> make_label(const std::string& volume, std::uint32_t blocks);
// false and a sentence when the block is not a pairsim volume label
bool parse_label(const std::uint8_t* block, std::string& volume, std::uint32_t& blocks, std::string& error);

// Slot `slot` (0..kMaxFiles-1) lives in block 1 + slot / 64 at byte (slot % 64) * kEntryBytes.
std::uint32_t entry_block(std::uint32_t slot);
std::uint32_t entry_offset(std::uint32_t slot);
std::optional<FileEntry> parse_entry(const std::uint8_t* at);  // nullopt: a free slot (or garbage: see entry_valid)
void write_entry(std::uint8_t* at, const std::optional<FileEntry>& e);  // nullopt writes a free slot
// False and a sentence when an entry read from a volume of volume_blocks blocks cannot be a file: a bad name, a
// record size outside 1..kMaxRecordBytes, an empty extent or one outside the data blocks, more records than fit.
bool entry_valid(const FileEntry& e, std::uint32_t volume_blocks, std::string& error);

// The whole directory from its blocks (kDirectoryBlocks × kBlockBytes bytes, in order): entries by slot.
std::vector<std::optional<FileEntry>> parse_directory(const std::uint8_t* blocks);
// The directory as one drive holds it.
std::vector<std::optional<FileEntry>> read_directory(const Drive& d);
// What is wrong with a directory, one sentence each, in slot order: invalid entries, names used twice,
// extents that overlap. Empty when the directory is sane.
std::vector<std::string> directory_problems(const std::vector<std::optional<FileEntry>>& dir,
                                            std::uint32_t volume_blocks);
std::optional<std::uint32_t> free_slot(const std::vector<std::optional<FileEntry>>& dir);  // the lowest
// Where a new file of max_records blocks would go: the first block after every extent; nullopt if it does not fit
// (nor when max_records is 0 or every slot is taken).
std::optional<std::uint32_t> allocate(const std::vector<std::optional<FileEntry>>& dir, std::uint32_t max_records,
                                      std::uint32_t volume_blocks);

// A formatted empty volume: label and empty directory written to every drive. Throws std::invalid_argument for a
// bad name or fewer than kMinVolumeBlocks blocks.
Volume new_volume(const std::string& name, bool mirrored, std::uint32_t blocks = DiskTiming{}.blocks);

}  // namespace pairsim::io
