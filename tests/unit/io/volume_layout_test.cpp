#include "io/volume_layout.hpp"

#include <catch2/catch.hpp>
#include <cstring>
#include <stdexcept>
#include <vector>

using namespace pairsim::io;

namespace {
FileEntry file(const std::string& name, std::uint32_t first, std::uint32_t max, std::uint32_t records = 0,
               std::uint32_t record_bytes = 64) {
  FileEntry e;
  e.name = name;
  e.record_bytes = record_bytes;
  e.max_records = max;
  e.records = records;
  e.first_block = first;
  return e;
}
}  // namespace

TEST_CASE("layout: a label round trip", "[io][layout]") {
  const auto label = make_label("$DATA", 16384);
  REQUIRE(label.size() == kBlockBytes);
  std::string name, error;
  std::uint32_t blocks = 0;
  REQUIRE(parse_label(label.data(), name, blocks, error));
  CHECK(name == "$DATA");
  CHECK(blocks == 16384);
  const auto longest = make_label("$ABCDEFGHIJKLMNO", kMinVolumeBlocks);
  REQUIRE(parse_label(longest.data(), name, blocks, error));
  CHECK(name == "$ABCDEFGHIJKLMNO");
  CHECK(blocks == kMinVolumeBlocks);
}

TEST_CASE("layout: a block that is not a label says why", "[io][layout]") {
  std::string name, error;
  std::uint32_t blocks = 0;
  std::vector<std::uint8_t> zeros(kBlockBytes, 0);
  CHECK_FALSE(parse_label(zeros.data(), name, blocks, error));
  CHECK(error == "not a pairsim volume label (it does not start with PAIRSIMV)");
  auto label = make_label("$DATA", 100);
  label[8] = 9;  // the layout version
  CHECK_FALSE(parse_label(label.data(), name, blocks, error));
  CHECK(error == "layout version 9 is not one this pairsim reads (it reads 1)");
  label = make_label("$DATA", 100);
  label[16] = 'x';  // the name no longer starts with $
  CHECK_FALSE(parse_label(label.data(), name, blocks, error));
  CHECK(error == "the label's volume name 'xDATA' is not a volume name");
  label = make_label("$DATA", 3);
  CHECK_FALSE(parse_label(label.data(), name, blocks, error));
  label = make_label("$DATA", 100);
  label[36] = 5;  // directory blocks
  CHECK_FALSE(parse_label(label.data(), name, blocks, error));
  CHECK(blocks == 0);  // untouched on failure
}

TEST_CASE("layout: where each directory slot lives", "[io][layout]") {
  CHECK(kMaxFiles == 256);
  CHECK(entry_block(0) == 1);
  CHECK(entry_offset(0) == 0);
  CHECK(entry_block(63) == 1);
  CHECK(entry_offset(63) == 63 * 64);
  CHECK(entry_block(64) == 2);
  CHECK(entry_offset(64) == 0);
  CHECK(entry_block(255) == 4);
  CHECK(entry_offset(255) == 4032);
}

TEST_CASE("layout: entries round trip, and a free slot is all zeros", "[io][layout]") {
  std::vector<std::uint8_t> bytes(kEntryBytes, 0xAB);
  const FileEntry e = file("ACCTS", 5, 100, 7, 4096);
  write_entry(bytes.data(), e);
  const auto back = parse_entry(bytes.data());
  REQUIRE(back);
  CHECK(*back == e);
  write_entry(bytes.data(), file("ABCDEFGH", 105, 1));
  CHECK(parse_entry(bytes.data())->name == "ABCDEFGH");
  write_entry(bytes.data(), std::nullopt);
  CHECK_FALSE(parse_entry(bytes.data()));
  CHECK(std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; }));
}

TEST_CASE("layout: the whole directory from its blocks", "[io][layout]") {
  std::vector<std::uint8_t> blocks(kDirectoryBlocks * kBlockBytes, 0);
  auto at = [&](std::uint32_t slot) { return &blocks[(entry_block(slot) - 1) * kBlockBytes + entry_offset(slot)]; };
  write_entry(at(0), file("A", 5, 10));
  write_entry(at(64), file("B", 15, 10));
  write_entry(at(255), file("C", 25, 10));
  const auto dir = parse_directory(blocks.data());
  REQUIRE(dir.size() == kMaxFiles);
  CHECK(dir[0]->name == "A");
  CHECK(dir[64]->name == "B");
  CHECK(dir[255]->name == "C");
  int used = 0;
  for (const auto& e : dir) used += e ? 1 : 0;
  CHECK(used == 3);
  CHECK(free_slot(dir) == 1u);
}

TEST_CASE("layout: file names", "[io][layout]") {
  CHECK(valid_file_name("ACCTS"));
  CHECK(valid_file_name("A1234567"));
  CHECK_FALSE(valid_file_name(""));
  CHECK_FALSE(valid_file_name("A12345678"));
  CHECK_FALSE(valid_file_name("1ABC"));
  CHECK_FALSE(valid_file_name("accts"));
  CHECK_FALSE(valid_file_name("AC_CT"));
}

TEST_CASE("layout: allocate puts a new file after every extent", "[io][layout]") {
  std::vector<std::optional<FileEntry>> dir(kMaxFiles);
  CHECK(allocate(dir, 10, 100) == kFirstDataBlock);
  dir[3] = file("B", 40, 10);
  dir[0] = file("A", 5, 10);
  CHECK(allocate(dir, 10, 100) == 50u);  // after the furthest extent, not in the gap
  CHECK(allocate(dir, 50, 100) == 50u);  // exactly fills the volume
  CHECK_FALSE(allocate(dir, 51, 100));   // one block too many
  CHECK_FALSE(allocate(dir, 0, 100));    // an empty extent is no file
  CHECK(allocate({}, 1, kMinVolumeBlocks) == kFirstDataBlock);
  CHECK_FALSE(allocate({}, 2, kMinVolumeBlocks));
}

TEST_CASE("layout: a full directory takes no more files", "[io][layout]") {
  std::vector<std::optional<FileEntry>> dir(kMaxFiles);
  for (std::uint32_t i = 0; i < kMaxFiles; ++i) dir[i] = file("F" + std::to_string(i), kFirstDataBlock + i, 1);
  CHECK_FALSE(free_slot(dir));
  CHECK_FALSE(allocate(dir, 1, 100000));
  CHECK(directory_problems(dir, 100000).empty());
  dir[200].reset();
  CHECK(free_slot(dir) == 200u);
  CHECK(allocate(dir, 1, 100000) == kFirstDataBlock + kMaxFiles);
}

TEST_CASE("layout: what can be wrong with a directory", "[io][layout]") {
  std::vector<std::optional<FileEntry>> dir(kMaxFiles);
  dir[0] = file("A", 5, 10);
  dir[1] = file("B", 15, 10, 11);   // more records than its extent holds
  dir[2] = file("C", 12, 5);        // overlaps A
  dir[3] = file("D", 90, 20);       // past the end of a 100-block volume
  dir[4] = file("A", 40, 1);        // A again
  dir[5] = file("E", 2, 1);         // in the directory's blocks
  dir[6] = file("F", 50, 1, 0, 0);  // records of no bytes
  dir[7] = file("bad", 60, 1);      // not a file name
  const auto p = directory_problems(dir, 100);
  REQUIRE(p.size() == 7);
  CHECK(p[0] == "slot 1 (B): 11 records in an extent of 10");
  CHECK(p[1] == "slot 3 (D): blocks 90..109 are not all inside the data blocks 5..99");
  CHECK(p[2] == "slot 4 (A): the name is also slot 0's");
  CHECK(p[3] == "slot 5 (E): blocks 2..2 are not all inside the data blocks 5..99");
  CHECK(p[4] == "slot 6 (F): records of 0 bytes; a record holds 1 to 4096");
  CHECK(p[5].rfind("slot 7 (bad): the name is not a file name", 0) == 0);
  CHECK(p[6] == "slot 2 (C, blocks 12..16) overlaps slot 0 (A, blocks 5..14)");
  std::string why;
  CHECK(entry_valid(*dir[0], 100, why));
}

TEST_CASE("layout: a new volume is formatted on every drive", "[io][layout]") {
  const Volume v = new_volume("$DATA", true, 1000);
  CHECK(v.blocks() == 1000);
  CHECK(v.mirrored());
  CHECK(v.mirrors_equal());
  for (int d = 0; d < 2; ++d) {
    std::vector<std::uint8_t> label(kBlockBytes);
    v.drive(d).read(0, label.data());
    std::string name, error;
    std::uint32_t blocks = 0;
    REQUIRE(parse_label(label.data(), name, blocks, error));
    CHECK(name == "$DATA");
    CHECK(blocks == 1000);
    const auto dir = read_directory(v.drive(d));
    CHECK(std::none_of(dir.begin(), dir.end(), [](const auto& e) { return e.has_value(); }));
  }
  CHECK(new_volume("$LOG", false).blocks() == DiskTiming{}.blocks);
  CHECK_FALSE(new_volume("$LOG", false).mirrored());
  CHECK_THROWS_AS(new_volume("$DATA", true, kMinVolumeBlocks - 1), std::invalid_argument);
  CHECK_THROWS_AS(new_volume("DATA", true), std::invalid_argument);
}
