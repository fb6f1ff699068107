#include "io/volume_layout.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "guest/little_endian.hpp"

namespace pairsim::io {

namespace {

constexpr char kLabelMagic[8] = {'P', 'A', 'I', 'R', 'S', 'I', 'M', 'V'};
// The label's fields, by byte offset.
constexpr std::size_t kLabelVersion = 8, kLabelBlocks = 12, kLabelName = 16, kLabelDirFirst = 32, kLabelDirBlocks = 36,
                      kLabelEntryBytes = 40;
// An entry's fields, by byte offset.
constexpr std::size_t kEntryName = 0, kEntryRecordBytes = 8, kEntryMaxRecords = 12, kEntryRecords = 16,
                      kEntryFirstBlock = 20;

constexpr auto get32 = guest::load_le32;
constexpr auto put32 = guest::store_le32;

// A NUL-padded text field: the bytes up to the first NUL.
std::string get_text(const std::uint8_t* p, std::size_t n) {
  const auto* end = std::find(p, p + n, std::uint8_t{0});
  return std::string(reinterpret_cast<const char*>(p), reinterpret_cast<const char*>(end));
}

std::string extent_text(const FileEntry& e) {
  return "blocks " + std::to_string(e.first_block) + ".." +
         std::to_string(static_cast<std::uint64_t>(e.first_block) + e.max_records - 1);
}

}  // namespace

bool valid_file_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxFileNameLength || name[0] < 'A' || name[0] > 'Z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::vector<std::uint8_t> make_label(const std::string& volume, std::uint32_t blocks) {
  std::vector<std::uint8_t> b(kBlockBytes, 0);
  std::memcpy(b.data(), kLabelMagic, sizeof kLabelMagic);
  put32(&b[kLabelVersion], kLayoutVersion);
  put32(&b[kLabelBlocks], blocks);
  std::memcpy(&b[kLabelName], volume.data(), std::min<std::size_t>(volume.size(), kMaxVolumeNameLength));
  put32(&b[kLabelDirFirst], 1);
  put32(&b[kLabelDirBlocks], kDirectoryBlocks);
  put32(&b[kLabelEntryBytes], kEntryBytes);
  return b;
}

bool parse_label(const std::uint8_t* block, std::string& volume, std::uint32_t& blocks, std::string& error) {
  if (std::memcmp(block, kLabelMagic, sizeof kLabelMagic) != 0) {
    error = "not a pairsim volume label (it does not start with PAIRSIMV)";
    return false;
  }
  const std::uint32_t version = get32(block + kLabelVersion);
  if (version != kLayoutVersion) {
    error = "layout version " + std::to_string(version) + " is not one this pairsim reads (it reads " +
            std::to_string(kLayoutVersion) + ")";
    return false;
  }
  const std::string name = get_text(block + kLabelName, kMaxVolumeNameLength);
  if (!valid_volume_name(name)) {
    error = "the label's volume name '" + name + "' is not a volume name";
    return false;
  }
  const std::uint32_t n = get32(block + kLabelBlocks);
  if (n < kMinVolumeBlocks || n > kMaxBlocks) {
    error = "the label gives " + std::to_string(n) + " blocks; a volume has " + std::to_string(kMinVolumeBlocks) +
            " to " + std::to_string(kMaxBlocks);
    return false;
  }
  if (get32(block + kLabelDirFirst) != 1 || get32(block + kLabelDirBlocks) != kDirectoryBlocks ||
      get32(block + kLabelEntryBytes) != kEntryBytes) {
    error = "the label places the directory elsewhere than blocks 1.." + std::to_string(kDirectoryBlocks) + " with " +
            std::to_string(kEntryBytes) + "-byte entries";
    return false;
  }
  volume = name;
  blocks = n;
  return true;
}

std::uint32_t entry_block(std::uint32_t slot) {
  return 1 + slot / (kBlockBytes / kEntryBytes);
}
std::uint32_t entry_offset(std::uint32_t slot) {
  return (slot % (kBlockBytes / kEntryBytes)) * kEntryBytes;
}

std::optional<FileEntry> parse_entry(const std::uint8_t* at) {
  if (at[kEntryName] == 0) return std::nullopt;
  FileEntry e;
  e.name = get_text(at + kEntryName, kMaxFileNameLength);
  e.record_bytes = get32(at + kEntryRecordBytes);
  e.max_records = get32(at + kEntryMaxRecords);
  e.records = get32(at + kEntryRecords);
  e.first_block = get32(at + kEntryFirstBlock);
  return e;
}

void write_entry(std::uint8_t* at, const std::optional<FileEntry>& e) {
  std::memset(at, 0, kEntryBytes);
  if (!e) return;
  std::memcpy(at + kEntryName, e->name.data(), std::min<std::size_t>(e->name.size(), kMaxFileNameLength));
  put32(at + kEntryRecordBytes, e->record_bytes);
  put32(at + kEntryMaxRecords, e->max_records);
  put32(at + kEntryRecords, e->records);
  put32(at + kEntryFirstBlock, e->first_block);
}

bool entry_valid(const FileEntry& e, std::uint32_t volume_blocks, std::string& error) {
  if (!valid_file_name(e.name))
    error = "the name is not a file name (1 to 8 upper-case letters and digits, a letter first)";
  else if (e.record_bytes == 0 || e.record_bytes > kMaxRecordBytes)
    error = "records of " + std::to_string(e.record_bytes) + " bytes; a record holds 1 to " +
            std::to_string(kMaxRecordBytes);
  else if (e.max_records == 0)
    error = "an extent of no blocks";
  else if (e.first_block < kFirstDataBlock || static_cast<std::uint64_t>(e.first_block) + e.max_records > volume_blocks)
    error = extent_text(e) + " are not all inside the data blocks " + std::to_string(kFirstDataBlock) + ".." +
            std::to_string(volume_blocks - 1);
  else if (e.records > e.max_records)
    error = std::to_string(e.records) + " records in an extent of " + std::to_string(e.max_records);
  else
    return true;
  return false;
}

std::vector<std::optional<FileEntry>> parse_directory(const std::uint8_t* blocks) {
  std::vector<std::optional<FileEntry>> dir(kMaxFiles);
  for (std::uint32_t slot = 0; slot < kMaxFiles; ++slot)
    dir[slot] = parse_entry(blocks + (entry_block(slot) - 1) * kBlockBytes + entry_offset(slot));
  return dir;
}

std::vector<std::optional<FileEntry>> read_directory(const Drive& d) {
  std::vector<std::uint8_t> bytes(kDirectoryBlocks * kBlockBytes);
  for (std::uint32_t b = 0; b < kDirectoryBlocks && 1 + b < d.blocks(); ++b) d.read(1 + b, &bytes[b * kBlockBytes]);
  return parse_directory(bytes.data());
}

std::vector<std::string> directory_problems(const std::vector<std::optional<FileEntry>>& dir,
                                            std::uint32_t volume_blocks) {
  std::vector<std::string> problems;
  struct Extent {
    std::uint64_t first, end;
    std::size_t slot;
  };
  std::vector<Extent> extents;
  for (std::size_t slot = 0; slot < dir.size(); ++slot) {
    if (!dir[slot]) continue;
    const FileEntry& e = *dir[slot];
    const std::string which = "slot " + std::to_string(slot) + " (" + e.name + ")";
    std::string why;
    if (!entry_valid(e, volume_blocks, why)) {
      problems.push_back(which + ": " + why);
      continue;
    }
    for (std::size_t other = 0; other < slot; ++other)
      if (dir[other] && dir[other]->name == e.name) {
        problems.push_back(which + ": the name is also slot " + std::to_string(other) + "'s");
        break;
      }
    extents.push_back({e.first_block, static_cast<std::uint64_t>(e.first_block) + e.max_records, slot});
  }
  // Sorted by first block (then slot, for a stable order), an extent overlaps an earlier one exactly when it
  // starts before the furthest end seen so far.
  std::sort(extents.begin(), extents.end(),
            [](const Extent& a, const Extent& b) { return a.first != b.first ? a.first < b.first : a.slot < b.slot; });
  const Extent* furthest = nullptr;
  for (const Extent& x : extents) {
    if (furthest && x.first < furthest->end) {
      const FileEntry& a = *dir[furthest->slot];
      const FileEntry& b = *dir[x.slot];
      problems.push_back("slot " + std::to_string(x.slot) + " (" + b.name + ", " + extent_text(b) + ") overlaps slot " +
                         std::to_string(furthest->slot) + " (" + a.name + ", " + extent_text(a) + ")");
    }
    if (!furthest || x.end > furthest->end) furthest = &x;
  }
  return problems;
}

std::optional<std::uint32_t> free_slot(const std::vector<std::optional<FileEntry>>& dir) {
  for (std::uint32_t slot = 0; slot < kMaxFiles; ++slot)
    if (slot >= dir.size() || !dir[slot]) return slot;
  return std::nullopt;
}

std::optional<std::uint32_t> allocate(const std::vector<std::optional<FileEntry>>& dir, std::uint32_t max_records,
                                      std::uint32_t volume_blocks) {
  if (max_records == 0 || !free_slot(dir)) return std::nullopt;
  std::uint64_t first = kFirstDataBlock;
  for (const auto& e : dir)
    if (e) first = std::max(first, static_cast<std::uint64_t>(e->first_block) + e->max_records);
  if (first + max_records > volume_blocks) return std::nullopt;
  return static_cast<std::uint32_t>(first);
}

Volume new_volume(const std::string& name, bool mirrored, std::uint32_t blocks) {
  if (blocks < kMinVolumeBlocks)
    throw std::invalid_argument("a volume needs at least " + std::to_string(kMinVolumeBlocks) +
                                " blocks (label, directory and one record), not " + std::to_string(blocks));
  DiskTiming timing;
  timing.blocks = blocks;
  Volume v(name, mirrored, timing);
  const auto label = make_label(name, blocks);
  const std::vector<std::uint8_t> empty(kBlockBytes, 0);  // every slot free
  for (int i = 0; i < v.drive_count(); ++i) {
    v.drive(i).write(0, label.data());
    for (std::uint32_t b = 1; b < kFirstDataBlock; ++b) v.drive(i).write(b, empty.data());
  }
  return v;
}

}  // namespace pairsim::io
