#include "io/disk_image.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "io/crc32.hpp"
#include "io/volume_layout.hpp"

using namespace pairsim::io;
namespace fs = std::filesystem;

namespace {

// A folder of its own for each test, removed at the end.
struct Scratch {
  Scratch() {
    char tmpl[] = "/tmp/pairsim-io-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir, ec);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path dir;
};

std::vector<std::uint8_t> filled(std::uint8_t v) {
  return std::vector<std::uint8_t>(kBlockBytes, v);
}

std::vector<std::uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// A new file each time: truncating one that holds data costs a flush on ext4.
void spit(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::error_code ec;
  fs::remove(path, ec);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Puts the right checksum back after the test changed a byte: what is left wrong is only what it meant.
void reseal(std::vector<std::uint8_t>& b) {
  put32(b, b.size() - 4, crc32(b.data(), b.size() - 4));
}

// A small mirrored image: 8 blocks, one data block written, drive 1 down. 8+4+4+1+1+3 header bytes, then per
// drive 1+4 and for each of its written blocks (label, data) 4+4096, then the checksum.
Volume small_volume() {
  Volume v = new_volume("$SM", true, 8);
  v.write(6, filled(0x5A).data(), 0);
  v.fail_drive(1);
  return v;
}

std::string load_error(const std::string& path) {
  std::string error;
  auto v = load_image(path, error);
  CHECK_FALSE(v);
  CHECK_FALSE(error.empty());
  return error;
}

}  // namespace

TEST_CASE("image: CRC-32 is zlib's", "[io][image]") {
  const std::string s = "123456789";
  CHECK(crc32(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()) == 0xCBF43926u);
  CHECK(crc32(nullptr, 0) == 0u);
  Crc32 c;
  c.update(reinterpret_cast<const std::uint8_t*>(s.data()), 4);
  c.update(reinterpret_cast<const std::uint8_t*>(s.data()) + 4, 5);
  CHECK(c.value() == 0xCBF43926u);
}

TEST_CASE("image: a mirrored volume round trip", "[io][image]") {
  Scratch s;
  Volume v = new_volume("$DATA", true, 2000);
  v.write(100, filled(1).data(), 0);
  v.write(1999, filled(2).data(), 0);
  v.write(50, filled(0).data(), 0);  // zeros: left out of the file, reads the same
  v.fail_drive(1);
  v.write(100, filled(3).data(), 0);  // drive 1 is stale now
  std::string error;
  REQUIRE(save_image(s.path("a.img"), v, error));
  CHECK(error.empty());
  CHECK(s.files() == std::vector<std::string>{"a.img"});  // no temporary file left behind
  // header 8+4+4+1+1+5; drive 0: 1+4 + 3 blocks (label, 100, 1999); drive 1 the same; the checksum.
  CHECK(fs::file_size(s.path("a.img")) == 23 + 2 * (5 + 3 * (4 + kBlockBytes)) + 4);

  const auto back = load_image(s.path("a.img"), error);
  REQUIRE(back);
  CHECK(error.empty());
  CHECK(back->name() == "$DATA");
  CHECK(back->mirrored());
  CHECK(back->blocks() == 2000);
  CHECK(back->drive(0).state() == DriveState::up);
  CHECK(back->drive(1).state() == DriveState::down);
  for (int d = 0; d < 2; ++d) CHECK(same_contents(back->drive(d), v.drive(d)));
  CHECK_FALSE(back->mirrors_equal());
  std::vector<std::uint8_t> out(kBlockBytes);
  back->drive(1).read(100, out.data());
  CHECK(out == filled(1));
  CHECK(back->drive(0).head == 0);
  CHECK(back->drive(0).busy_until_ns == 0);
}

TEST_CASE("image: a single drive round trip, and a reviving drive saved as down", "[io][image]") {
  Scratch s;
  const Volume single = new_volume("$LOG", false, kMinVolumeBlocks);
  std::string error;
  REQUIRE(save_image(s.path("single.img"), single, error));
  auto back = load_image(s.path("single.img"), error);
  REQUIRE(back);
  CHECK_FALSE(back->mirrored());
  CHECK(same_contents(back->drive(0), single.drive(0)));

  Volume v = new_volume("$DATA", true, 100);
  v.fail_drive(0);
  REQUIRE(v.start_revive(0, 0));
  REQUIRE(save_image(s.path("revive.img"), v, error));
  back = load_image(s.path("revive.img"), error);
  REQUIRE(back);
  CHECK(back->drive(0).state() == DriveState::down);
  CHECK(back->start_revive(0, 0));  // starts over
}

TEST_CASE("image: truncated at every length, it is refused as truncated", "[io][image]") {
  Scratch s;
  std::string error;
  REQUIRE(save_image(s.path("whole.img"), small_volume(), error));
  const auto bytes = slurp(s.path("whole.img"));
  REQUIRE(bytes.size() == 21 + 2 * (5 + 2 * (4 + kBlockBytes)) + 4);
  spit(s.path("cut.img"), bytes);
  // Cut shorter and shorter in place (rewriting the file each time would cost a flush each on ext4).
  for (std::size_t n = bytes.size(); n-- > 0;) {
    REQUIRE(::truncate(s.path("cut.img").c_str(), static_cast<off_t>(n)) == 0);
    const std::string e = load_error(s.path("cut.img"));
    INFO("cut to " << n << " bytes: " << e);
    if (n == 0)
      REQUIRE(e == "not a pairsim disk image: the file is empty");
    else
      REQUIRE(e.rfind("truncated: ", 0) == 0);
  }
  // Its last drive's blocks and the checksum no longer fit.
  spit(s.path("cut.img"), std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 1));
  CHECK(load_error(s.path("cut.img")) ==
        "truncated: drive 1 lists 2 written blocks, which with the checksum take 8204 bytes, but only 8203 follow");
  std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + 23);
  spit(s.path("cut.img"), cut);
  CHECK(load_error(s.path("cut.img")) == "truncated: the file ends after 23 bytes, inside drive 0's header");
  cut.assign(bytes.begin(), bytes.begin() + 21 + 5 + 4 + 100);
  spit(s.path("cut.img"), cut);
  CHECK(load_error(s.path("cut.img")) ==
        "truncated: drive 0 lists 2 written blocks, which with the checksum take 8204 bytes, but only 104 follow");
}

TEST_CASE("image: any changed byte is refused, in a block by the checksum", "[io][image]") {
  Scratch s;
  std::string error;
  REQUIRE(save_image(s.path("whole.img"), small_volume(), error));
  const auto bytes = slurp(s.path("whole.img"));
  spit(s.path("bad.img"), bytes);
  const int fd = ::open(s.path("bad.img").c_str(), O_WRONLY);
  REQUIRE(fd >= 0);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::uint8_t flipped = bytes[i] ^ 0x01;
    REQUIRE(::pwrite(fd, &flipped, 1, static_cast<off_t>(i)) == 1);
    const std::string e = load_error(s.path("bad.img"));
    INFO("byte " << i << ": " << e);
    if (i >= 8) REQUIRE((e.find("checksum") != std::string::npos || e.rfind("truncated: ", 0) == 0));
    REQUIRE(::pwrite(fd, &bytes[i], 1, static_cast<off_t>(i)) == 1);
  }
  ::close(fd);
  auto bad = bytes;
  bad[21 + 5 + 4 + 4 + 100] ^= 0xFF;  // inside drive 0's label block
  spit(s.path("bad.img"), bad);
  CHECK(load_error(s.path("bad.img")).rfind("checksum mismatch: the file says 0x", 0) == 0);
  bad = bytes;
  bad[8] = 2;  // the format version, with the checksum left as it was
  spit(s.path("bad.img"), bad);
  CHECK(load_error(s.path("bad.img")) ==
        "checksum mismatch: the file is damaged (image format version 2 is not one this pairsim reads (it reads 1))");
}

TEST_CASE("image: a file that is not an image", "[io][image]") {
  Scratch s;
  spit(s.path("text.img"), std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'});
  CHECK(load_error(s.path("text.img")) == "not a pairsim disk image (it does not start with PAIRDISK)");
  spit(s.path("short.img"), std::vector<std::uint8_t>{'x'});
  CHECK(load_error(s.path("short.img")) == "not a pairsim disk image (it does not start with PAIRDISK)");
  CHECK(load_error(s.path("missing.img")) == "cannot open the file: No such file or directory");
  CHECK(load_error(s.dir.string()) == "a folder, not a disk image");
  CHECK(load_error("/dev/zero") == "not a regular file, so not a disk image");
}

TEST_CASE("image: absurd lengths are refused before anything is allocated", "[io][image]") {
  Scratch s;
  std::string error;
  REQUIRE(save_image(s.path("whole.img"), small_volume(), error));
  const auto bytes = slurp(s.path("whole.img"));
  auto try_it = [&](std::vector<std::uint8_t> b) {
    reseal(b);
    spit(s.path("bad.img"), b);
    return load_error(s.path("bad.img"));
  };
  auto b = bytes;
  put32(b, 12, 0xFFFFFFFFu);  // blocks
  CHECK(try_it(b) == "the image gives the volume 4294967295 blocks; a volume has 1 to 16777216");
  b = bytes;
  b[16] = 7;  // mirrored flag
  CHECK(try_it(b) == "the mirrored flag is 7, not 0 or 1");
  b = bytes;
  b[17] = 200;  // name length
  CHECK(try_it(b) == "the volume name is said to be 200 bytes long; a volume name has 2 to 16");
  b = bytes;
  b[18] = '#';
  CHECK(try_it(b) == "'#SM' is not a volume name (a $, a letter, then letters, digits or _)");
  b = bytes;
  b[21] = 9;  // drive 0's state
  CHECK(try_it(b) == "drive 0's state is 9, not 0 (up) or 1 (down)");
  b = bytes;
  put32(b, 22, 0xFFFFFFFFu);  // drive 0's count
  CHECK(try_it(b) == "drive 0 lists 4294967295 written blocks, more than the volume's 8");
  b = bytes;
  put32(b, 22, 8);
  CHECK(try_it(b).rfind("truncated: drive 0 lists 8 written blocks", 0) == 0);
  b = bytes;
  put32(b, 26, 8);  // drive 0's first block number
  CHECK(try_it(b) == "drive 0's written block 8 is past the volume's end (8 blocks)");
  b = bytes;
  put32(b, 26 + 4 + kBlockBytes, 0);  // drive 0's second block number, equal to the first
  CHECK(try_it(b) == "drive 0's written blocks are not in increasing order (0 after 0)");
  b = bytes;
  b.insert(b.end() - 4, {1, 2, 3});
  CHECK(try_it(b) == "3 bytes follow the end of the image");
}

TEST_CASE("image: a save that fails leaves the old image whole", "[io][image]") {
  Scratch s;
  const std::string path = s.path("data.img");
  std::string error;
  REQUIRE(save_image(path, new_volume("$OLD", true, 100), error));
  const auto old_bytes = slurp(path);

  Volume big = new_volume("$NEW", true, 1000);
  for (std::uint32_t b = kFirstDataBlock; b < 200; ++b) big.write(b, filled(static_cast<std::uint8_t>(b)).data(), 0);

  SECTION("the disk fills up mid-write") {
    // A file-size limit makes write() fail part way, as a full disk would (and works for root too).
    struct rlimit old_limit;
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old_limit;
    small.rlim_cur = 100'000;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    const bool saved = save_image(path, big, error);
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    ::signal(SIGXFSZ, old_handler);
    CHECK_FALSE(saved);
    CHECK(error == "cannot save '" + path + "': writing: File too large");
  }
  SECTION("the folder cannot be written") {
    if (::geteuid() == 0) {
      WARN("root writes any folder: this section tests nothing as root");
    } else {
      fs::permissions(s.dir, fs::perms::owner_read | fs::perms::owner_exec);
      CHECK_FALSE(save_image(path, big, error));
      CHECK(error.rfind("cannot create a temporary file in '" + s.dir.string() + "': ", 0) == 0);
      fs::permissions(s.dir, fs::perms::owner_all);
    }
  }
  CHECK(slurp(path) == old_bytes);
  CHECK(s.files() == std::vector<std::string>{"data.img"});
  auto v = load_image(path, error);
  REQUIRE(v);
  CHECK(v->name() == "$OLD");

  // And a save that works replaces it whole.
  REQUIRE(save_image(path, big, error));
  v = load_image(path, error);
  REQUIRE(v);
  CHECK(v->name() == "$NEW");
  CHECK(same_contents(v->drive(1), big.drive(1)));
  CHECK(s.files() == std::vector<std::string>{"data.img"});
}

TEST_CASE("image: a save onto a folder fails and leaves nothing behind", "[io][image]") {
  Scratch s;
  fs::create_directory(s.dir / "taken");
  fs::create_directory(s.dir / "taken" / "inside");
  std::string error;
  CHECK_FALSE(save_image(s.path("taken"), new_volume("$DATA", false, 100), error));
  CHECK(error.rfind("cannot save '" + s.path("taken") + "': renaming the temporary file over it: ", 0) == 0);
  CHECK(s.files() == std::vector<std::string>{"taken"});
  CHECK_FALSE(save_image(s.path("no-such-folder/x.img"), new_volume("$DATA", false, 100), error));
  CHECK(error.rfind("cannot create a temporary file in '", 0) == 0);
}
