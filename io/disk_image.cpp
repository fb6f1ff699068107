#include "io/disk_image.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "guest/little_endian.hpp"
#include "io/crc32.hpp"
#include "io/volume_layout.hpp"

namespace pairsim::io {

namespace {

constexpr char kMagic[8] = {'P', 'A', 'I', 'R', 'D', 'I', 'S', 'K'};
constexpr std::size_t kBufferBytes = 1 << 16;
constexpr std::uint64_t kBlockEntryBytes = 4 + kBlockBytes;  // block number, contents
constexpr std::uint8_t kStateUp = 0, kStateDown = 1;

std::string drive_text(int i) {
  return "drive " + std::to_string(i);
}


std::string hex32(std::uint32_t v) {
  char s[11];
  std::snprintf(s, sizeof s, "0x%08X", v);
  return s;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // The result of close(2): a write-back error can show only here.
  int close() {
    const int r = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return r;
  }

 private:
  int fd_;
};

// Writes through a buffer and keeps the CRC of everything it wrote. After the first failure it writes nothing
// more and remembers the errno.
class ImageWriter {
 public:
  explicit ImageWriter(int fd) : fd_(fd) { buf_.reserve(kBufferBytes); }
  void bytes(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    crc_.update(b, n);
    buf_.insert(buf_.end(), b, b + n);
    if (buf_.size() >= kBufferBytes) flush();
  }
  void u8(std::uint8_t v) { bytes(&v, 1); }
  void u32(std::uint32_t v) {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                               static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
    bytes(b, 4);
  }
  std::uint32_t crc() const { return crc_.value(); }
  bool flush() {
    std::size_t done = 0;
    while (error_ == 0 && done < buf_.size()) {
      const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        error_ = n < 0 ? errno : EIO;
      else
        done += static_cast<std::size_t>(n);
    }
    buf_.clear();
    return error_ == 0;
  }
  int error() const { return error_; }

 private:
  int fd_;
  int error_ = 0;
  Crc32 crc_;
  std::vector<std::uint8_t> buf_;
};

// Why a load failed. A truncated file is told apart from a damaged one: its last four bytes are not a
// checksum, so the checksum cannot say which it is.
struct LoadFailure {
  enum Kind { truncated, structure, io } kind;
  std::string text;
};

// Reads a file of known size through a buffer, keeping the CRC of everything read. Every read names what it
// reads, so running out of file says where.
class ImageReader {
 public:
  ImageReader(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  std::uint64_t left() const { return size_ - pos_; }
  const Crc32& crc() const { return crc_; }
  void take(void* out, std::size_t n, const std::string& what) {
    if (n > left())
      throw LoadFailure{LoadFailure::truncated,
                        "truncated: the file ends after " + std::to_string(size_) + " bytes, inside " + what};
    auto* o = static_cast<std::uint8_t*>(out);
    while (n > 0) {
      if (at_ == buf_.size()) fill(what);
      const std::size_t k = std::min(n, buf_.size() - at_);
      std::memcpy(o, buf_.data() + at_, k);
      crc_.update(o, k);
      at_ += k;
      pos_ += k;
      o += k;
      n -= k;
    }
  }
  std::uint8_t u8(const std::string& what) {
    std::uint8_t v;
    take(&v, 1, what);
    return v;
  }
  std::uint32_t u32(const std::string& what) {
    std::uint8_t b[4];
    take(b, 4, what);
    return guest::load_le32(b);
  }

 private:
  void fill(const std::string& what) {
    buf_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kBufferBytes, left())));
    std::size_t got = 0;
    while (got < buf_.size()) {
      const ssize_t n = ::read(fd_, buf_.data() + got, buf_.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw LoadFailure{LoadFailure::io, std::string("cannot read the file: ") + std::strerror(errno)};
      if (n == 0)  // the file shrank while it was read
        throw LoadFailure{LoadFailure::truncated, "truncated: the file ends early, inside " + what};
      got += static_cast<std::size_t>(n);
    }
    at_ = 0;
  }

  int fd_;
  std::uint64_t size_;
  std::uint64_t pos_ = 0;
  std::vector<std::uint8_t> buf_;
  std::size_t at_ = 0;
  Crc32 crc_;
};

// Whether the file's last four bytes are the CRC of the bytes before them: read again from the start.
bool checksum_holds(int fd, std::uint64_t size) {
  if (size < 4 || ::lseek(fd, 0, SEEK_SET) != 0) return false;
  ImageReader r(fd, size);
  std::vector<std::uint8_t> chunk(kBufferBytes);
  try {
    for (std::uint64_t n = size - 4; n > 0;) {
      const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, chunk.size()));
      r.take(chunk.data(), k, "");
      n -= k;
    }
    const std::uint32_t computed = r.crc().value();
    return r.u32("") == computed;
  } catch (const LoadFailure&) {
    return false;
  }
}

Volume parse_image(ImageReader& r) {
  auto fail = [](const std::string& text) { throw LoadFailure{LoadFailure::structure, text}; };
  char magic[sizeof kMagic];
  r.take(magic, sizeof magic, "the magic number");
  if (std::memcmp(magic, kMagic, sizeof kMagic) != 0)
    fail("not a pairsim disk image (it does not start with PAIRDISK)");
  const std::uint32_t version = r.u32("the header");
  if (version != kImageVersion)
    fail("image format version " + std::to_string(version) + " is not one this pairsim reads (it reads " +
         std::to_string(kImageVersion) + ")");
  const std::uint32_t blocks = r.u32("the header");
  if (blocks == 0 || blocks > kMaxBlocks)
    fail("the image gives the volume " + std::to_string(blocks) + " blocks; a volume has 1 to " +
         std::to_string(kMaxBlocks));
  const std::uint8_t mirrored = r.u8("the header");
  if (mirrored > 1) fail("the mirrored flag is " + std::to_string(mirrored) + ", not 0 or 1");
  const std::uint8_t name_length = r.u8("the header");
  if (name_length < 2 || name_length > kMaxVolumeNameLength)
    fail("the volume name is said to be " + std::to_string(name_length) + " bytes long; a volume name has 2 to " +
         std::to_string(kMaxVolumeNameLength));
  std::string name(name_length, '\0');
  r.take(name.data(), name.size(), "the volume name");
  if (!valid_volume_name(name))
    fail("'" + printable(name) + "' is not a volume name (a $, a letter, then letters, digits or _)");

  DiskTiming timing;
  timing.blocks = blocks;
  Volume v(name, mirrored == 1, timing);
  std::vector<std::uint8_t> contents(kBlockBytes);
  for (int i = 0; i < v.drive_count(); ++i) {
    const std::string drive = drive_text(i);
    const std::uint8_t state = r.u8(drive + "'s header");
    if (state != kStateUp && state != kStateDown)
      fail(drive + "'s state is " + std::to_string(state) + ", not 0 (up) or 1 (down)");
    v.drive(i).set_state(state == kStateUp ? DriveState::up : DriveState::down);
    const std::uint32_t count = r.u32(drive + "'s header");
    if (count > blocks)
      fail(drive + " lists " + std::to_string(count) + " written blocks, more than the volume's " +
           std::to_string(blocks));
    // Checked before reading any: a count the file cannot hold allocates nothing.
    const std::uint64_t need = count * kBlockEntryBytes + 4;
    if (need > r.left())
      throw LoadFailure{LoadFailure::truncated, "truncated: " + drive + " lists " + std::to_string(count) +
                                                    " written blocks, which with the checksum take " +
                                                    std::to_string(need) + " bytes, but only " +
                                                    std::to_string(r.left()) + " follow"};
    std::int64_t previous = -1;
    for (std::uint32_t k = 0; k < count; ++k) {
      const std::uint32_t block = r.u32(drive + "'s written block " + std::to_string(k));
      if (block >= blocks)
        fail(drive + "'s written block " + std::to_string(block) + " is past the volume's end (" +
             std::to_string(blocks) + " blocks)");
      if (static_cast<std::int64_t>(block) <= previous)
        fail(drive + "'s written blocks are not in increasing order (" + std::to_string(block) + " after " +
             std::to_string(previous) + ")");
      previous = block;
      r.take(contents.data(), kBlockBytes, drive + "'s block " + std::to_string(block));
      v.drive(i).write(block, contents.data());
    }
  }
  const std::uint32_t computed = r.crc().value();
  const std::uint32_t stored = r.u32("the checksum");
  if (r.left() > 0) fail(std::to_string(r.left()) + " bytes follow the end of the image");
  if (stored != computed)
    fail("checksum mismatch: the file says " + hex32(stored) + ", its contents give " + hex32(computed) +
         " (the file is damaged)");
  return v;
}

}  // namespace

bool save_image(const std::string& path, const Volume& v, std::string& error) {
  namespace fs = std::filesystem;
  error.clear();
  const fs::path target(path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string base = target.filename().string();
  if (base.empty() || base == "." || base == "..") {
    error = "'" + path + "' names a folder, not an image file";
    return false;
  }
  // A hidden name of our own beside the target: the rename that publishes it stays inside one file system.
  std::string temp;
  int fd = -1;
  for (int n = 0; n < 100 && fd < 0; ++n) {
    temp = (folder / ("." + base + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(n))).string();
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    error = "cannot create a temporary file in '" + folder.string() + "': " + std::strerror(errno);
    return false;
  }
  Fd file(fd);
  auto give_up = [&](const std::string& what, int err) {
    file.close();
    ::unlink(temp.c_str());
    error = "cannot save '" + path + "': " + what + ": " + std::strerror(err);
    return false;
  };

  ImageWriter w(fd);
  w.bytes(kMagic, sizeof kMagic);
  w.u32(kImageVersion);
  w.u32(v.blocks());
  w.u8(v.mirrored() ? 1 : 0);
  w.u8(static_cast<std::uint8_t>(v.name().size()));
  w.bytes(v.name().data(), v.name().size());
  for (int i = 0; i < v.drive_count(); ++i) {
    const Drive& d = v.drive(i);
    std::uint32_t count = 0;
    for (const auto& [block, bytes] : d.written()) count += all_zero(bytes.data(), kBlockBytes) ? 0 : 1;
    w.u8(d.state() == DriveState::up ? kStateUp : kStateDown);
    w.u32(count);
    for (const auto& [block, bytes] : d.written()) {
      if (all_zero(bytes.data(), kBlockBytes)) continue;
      w.u32(block);
      w.bytes(bytes.data(), kBlockBytes);
    }
    if (w.error()) break;
  }
  w.u32(w.crc());
  if (!w.flush()) return give_up("writing", w.error());
  if (::fsync(fd) != 0) return give_up("flushing to the disk", errno);
  if (file.close() != 0) return give_up("closing", errno);
  if (::rename(temp.c_str(), path.c_str()) != 0) return give_up("renaming the temporary file over it", errno);
  // The rename is durable once the folder is flushed too; a file system that cannot flush a folder has already
  // made it as durable as it can, so a failure here does not undo a save that took place.
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

std::optional<Volume> load_image(const std::string& path, std::string& error) {
  error.clear();
  Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) {
    error = std::string("cannot open the file: ") + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st;
  if (::fstat(file.get(), &st) != 0) {
    error = std::string("cannot read the file: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    error = S_ISDIR(st.st_mode) ? "a folder, not a disk image" : "not a regular file, so not a disk image";
    return std::nullopt;
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size == 0) {
    error = "not a pairsim disk image: the file is empty";
    return std::nullopt;
  }
  ImageReader r(file.get(), size);
  try {
    if (size < sizeof kMagic) {
      // A short file is a truncated image only if what it holds is the start of the magic number.
      std::vector<char> head(static_cast<std::size_t>(size));
      r.take(head.data(), head.size(), "the magic number");
      if (std::memcmp(head.data(), kMagic, head.size()) != 0)
        throw LoadFailure{LoadFailure::structure, "not a pairsim disk image (it does not start with PAIRDISK)"};
      throw LoadFailure{LoadFailure::truncated,
                        "truncated: the file ends after " + std::to_string(size) + " bytes, inside the magic number"};
    }
    return parse_image(r);
  } catch (const LoadFailure& f) {
    error = f.text;
    // A structure that makes no sense in a file whose checksum does not hold is damage: say so first. (Not for a
    // file that is not an image at all, nor one that ends early: its last four bytes are no checksum.)
    if (f.kind == LoadFailure::structure && error.rfind("not a pairsim", 0) != 0 && error.rfind("checksum", 0) != 0 &&
        !checksum_holds(file.get(), size))
      error = "checksum mismatch: the file is damaged (" + error + ")";
  } catch (const std::invalid_argument& e) {  // the Volume refused what passed every check above
    error = e.what();
  }
  return std::nullopt;
}

std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace pairsim::io
