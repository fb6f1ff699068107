#include "sim/disk_command.hpp"

#include <boost/program_options.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "guest/little_endian.hpp"
#include "io/disk_image.hpp"
#include "io/volume.hpp"
#include "io/volume_layout.hpp"
#include "sim/run/run_command.hpp"

namespace po = boost::program_options;

namespace pairsim::sim {

namespace {

const char* const disk_usage =
    "usage: pairsim disk create IMAGE --volume $NAME [--blocks N] [--single] [--force]\n"
    "       pairsim disk ls IMAGE\n"
    "       pairsim disk dump IMAGE [FILE] [--drive N] [--records A..B] [--words]\n"
    "       pairsim disk check IMAGE\n"
    "       pairsim disk SUBCOMMAND --help\n";

int usage_error(const std::string& msg) {
  std::cerr << "pairsim: error: " << msg << "\n" << disk_usage;
  return exit_bad_input;
}

int image_error(const std::string& image, const std::string& msg) {
  std::cerr << image << ": error: " << msg << "\n";
  return exit_bad_input;
}

// Parses what follows `pairsim disk SUBCOMMAND`. The exit code to stop with (a usage error, or help printed),
// or nullopt to go on.
std::optional<int> parse(int argc, char* argv[], const po::options_description& desc,
                         const std::vector<const char*>& positionals, po::variables_map& vm) {
  po::positional_options_description pos;
  for (const char* p : positionals) pos.add(p, 1);
  try {
    po::store(po::command_line_parser(argc - 2, argv + 2).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return exit_ok;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> whole(const std::string& text) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end) return std::nullopt;
  return v;
}

std::string size_text(std::uint32_t blocks) {
  const std::uint64_t kib = static_cast<std::uint64_t>(blocks) * io::kBlockBytes / 1024;
  return kib % 1024 == 0 ? std::to_string(kib / 1024) + " MiB" : std::to_string(kib) + " KiB";
}

std::string volume_line(const io::Volume& v) {
  return "volume " + v.name() + ", " + std::to_string(v.blocks()) + " blocks of " + std::to_string(io::kBlockBytes) +
         " bytes (" + size_text(v.blocks()) + "), " + (v.mirrored() ? "mirrored" : "a single drive");
}

using io::printable;

std::string extent_text(const io::FileEntry& e) {
  return "blocks " + std::to_string(e.first_block) + ".." +
         std::to_string(static_cast<std::uint64_t>(e.first_block) + e.max_records - 1);
}

// The drive a read would use: the first one up, else drive 0 (an image of a volume that is down can still be
// looked at).
int reading_drive(const io::Volume& v) {
  for (int i = 0; i < v.drive_count(); ++i)
    if (v.drive(i).state() == io::DriveState::up) return i;
  return 0;
}

// The label of drive d, or a sentence saying why it is none.
bool read_label(const io::Volume& v, int d, std::string& error) {
  std::vector<std::uint8_t> block(io::kBlockBytes);
  v.drive(d).read(0, block.data());
  std::string name;
  std::uint32_t blocks = 0;
  if (!io::parse_label(block.data(), name, blocks, error)) return false;
  if (name != v.name()) {
    error = "the label names volume " + name + ", the image " + v.name();
    return false;
  }
  if (blocks != v.blocks()) {
    error = "the label gives " + std::to_string(blocks) + " blocks, the image " + std::to_string(v.blocks());
    return false;
  }
  return true;
}

std::optional<io::Volume> load(const std::string& image, int& code) {
  std::string error;
  auto v = io::load_image(image, error);
  if (!v) code = image_error(image, error);
  return v;
}

int cmd_create(int argc, char* argv[]) {
  std::string image, volume, blocks_text;
  bool single = false, force = false;
  po::options_description desc(
      "pairsim disk create IMAGE --volume $NAME [--blocks N] [--single] [--force]\n"
      "\n"
      "Writes IMAGE: a formatted, empty volume (its label and an empty directory on every drive).\n"
      "\n"
      "options");
  desc.add_options()("help,h", "this help")("image", po::value(&image), "the image file to write")(
      "volume", po::value(&volume), "the volume's name, such as $DATA (quote the $ from the shell)")(
      "blocks", po::value(&blocks_text), "the volume's size in 4096-byte blocks (default 16384, 64 MiB)")(
      "single", po::bool_switch(&single), "one drive, not a mirrored pair")("force", po::bool_switch(&force),
                                                                            "replace IMAGE if it exists");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, {"image"}, vm)) return *stop;
  if (image.empty()) return usage_error("disk create needs the image file to write");
  if (volume.empty()) return usage_error("disk create needs --volume $NAME, such as --volume '$DATA'");
  if (!io::valid_volume_name(volume))
    return usage_error(
        "--volume takes a volume name: a $, a letter, then up to 14 letters, digits or _ ($DATA), "
        "not '" +
        volume + "'");
  std::uint32_t blocks = io::DiskTiming{}.blocks;
  if (vm.count("blocks")) {
    const auto n = whole(blocks_text);
    if (!n || *n < io::kMinVolumeBlocks || *n > io::kMaxBlocks)
      return usage_error("--blocks takes a whole number from " + std::to_string(io::kMinVolumeBlocks) + " to " +
                         std::to_string(io::kMaxBlocks) + ", not '" + blocks_text + "'");
    blocks = static_cast<std::uint32_t>(*n);
  }
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(image, ec)) && !force)
    return image_error(image, "the file exists; `--force` replaces it");
  const io::Volume v = io::new_volume(volume, !single, blocks);
  std::string error;
  if (!io::save_image(image, v, error)) return image_error(image, error);
  std::cout << image << ": " << volume_line(v) << "\n";
  return exit_ok;
}

int cmd_ls(int argc, char* argv[]) {
  std::string image;
  po::options_description desc(
      "pairsim disk ls IMAGE\n"
      "\n"
      "Lists the volume in IMAGE: its name and drives, then each file with its record size, its records\n"
      "and how many records its extent holds. The directory is read from the first drive that is up.\n"
      "\n"
      "options");
  desc.add_options()("help,h", "this help")("image", po::value(&image), "the image file");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, {"image"}, vm)) return *stop;
  if (image.empty()) return usage_error("disk ls needs an image file");
  int code = exit_ok;
  auto v = load(image, code);
  if (!v) return code;
  const int d = reading_drive(*v);
  std::string error;
  if (!read_label(*v, d, error))
    return image_error(image, "drive " + std::to_string(d) + " holds no volume label: " + error);
  std::cout << volume_line(*v) << "\n";
  for (int i = 0; i < v->drive_count(); ++i)
    std::cout << "drive " << i << ": " << io::to_string(v->drive(i).state()) << "\n";
  const auto dir = io::read_directory(v->drive(d));
  std::ostringstream files;
  int count = 0;
  for (std::size_t slot = 0; slot < dir.size(); ++slot) {
    if (!dir[slot]) continue;
    ++count;
    const io::FileEntry& e = *dir[slot];
    std::string why;
    if (!io::entry_valid(e, v->blocks(), why)) {
      files << "(slot " << slot << ": a damaged entry: " << why << ")\n";
      continue;
    }
    char line[80];
    std::snprintf(line, sizeof line, "%-8s  %12u  %7u  %11u\n", e.name.c_str(), e.record_bytes, e.records,
                  e.max_records);
    files << line;
  }
  if (count == 0) {
    std::cout << "no files\n";
  } else {
    std::cout << "file      record bytes  records  max records\n" << files.str();
  }
  return exit_ok;
}

// One record's bytes: text in quotes when every byte before the trailing zeros is printable, else hex, 16 bytes
// a line; trailing zeros are counted rather than shown.
void print_record(std::ostream& out, std::uint32_t number, const std::uint8_t* bytes, std::uint32_t n,
                  const char* note) {
  std::uint32_t used = n;
  while (used > 0 && bytes[used - 1] == 0) --used;
  const std::string zeros = std::to_string(n - used) + " zero bytes";
  out << "record " << number << note << ": ";
  if (used == 0) {
    out << zeros << "\n";
    return;
  }
  bool text = true;
  for (std::uint32_t i = 0; i < used; ++i) text = text && bytes[i] >= 0x20 && bytes[i] < 0x7F;
  if (text) {
    out << '"';
    for (std::uint32_t i = 0; i < used; ++i) {
      if (bytes[i] == '"' || bytes[i] == '\\') out << '\\';
      out << static_cast<char>(bytes[i]);
    }
    out << '"';
    if (used < n) out << " + " << zeros;
    out << "\n";
    return;
  }
  out << used << " bytes in hex" << (used < n ? ", then " + zeros : std::string()) << "\n";
  for (std::uint32_t row = 0; row < used; row += 16) {
    char line[16];
    std::snprintf(line, sizeof line, "  %04x:", static_cast<unsigned>(row));
    out << line;
    for (std::uint32_t i = row; i < used && i < row + 16; ++i) {
      char hex[4];
      std::snprintf(hex, sizeof hex, " %02x", bytes[i]);
      out << hex;
    }
    out << "\n";
  }
}

// One record as the guest's words: 32-bit little-endian signed integers, as a program's `.word`s lie in it.
void print_words(std::ostream& out, std::uint32_t number, const std::uint8_t* bytes, std::uint32_t n,
                 const char* note) {
  out << "record " << number << note << ":";
  for (std::uint32_t i = 0; i + 4 <= n; i += 4) {
    const std::uint32_t w = guest::load_le32(&bytes[i]);
    out << " " << static_cast<std::int32_t>(w);
  }
  out << "\n";
}

int cmd_dump(int argc, char* argv[]) {
  std::string image, file, drive_text, records_text;
  po::options_description desc(
      "pairsim disk dump IMAGE [FILE] [--drive N] [--records A..B] [--words]\n"
      "\n"
      "Prints FILE's records, each with its number and its bytes (as text where they are printable, else in\n"
      "hex); without FILE, the volume's label and directory. Reads the first drive that is up, or drive N.\n"
      "\n"
      "options");
  desc.add_options()("help,h", "this help")("image", po::value(&image), "the image file")(
      "file", po::value(&file), "the file to dump, such as ACCTS")(
      "drive", po::value(&drive_text), "read drive N (0, or 1 on a mirrored volume), even one that is down")(
      "records", po::value(&records_text), "only records A to B (both included; a single A for one)")(
      "words", "each record as 32-bit signed words (as a program's .word), not as text or bytes");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, {"image", "file"}, vm)) return *stop;
  if (image.empty()) return usage_error("disk dump needs an image file");
  if (vm.count("records") && file.empty()) return usage_error("--records goes with a FILE to dump");
  int code = exit_ok;
  auto v = load(image, code);
  if (!v) return code;
  int d = reading_drive(*v);
  if (vm.count("drive")) {
    const auto n = whole(drive_text);
    if (!n || *n >= static_cast<std::uint64_t>(v->drive_count()))
      return usage_error("--drive takes " + std::string(v->mirrored() ? "0 or 1" : "0 (the volume has one drive)") +
                         ", not '" + drive_text + "'");
    d = static_cast<int>(*n);
  }
  const io::Drive& drive = v->drive(d);
  std::string error;
  const bool label_ok = read_label(*v, d, error);
  const auto dir = io::read_directory(drive);

  if (file.empty()) {
    std::cout << "drive " << d << " (" << io::to_string(drive.state()) << ") of " << image << "\n";
    if (label_ok)
      std::cout << "label (block 0): volume " << v->name() << ", " << v->blocks() << " blocks, layout version "
                << io::kLayoutVersion << "\n";
    else
      std::cout << "label (block 0): damaged: " << error << "\n";
    int used = 0;
    for (const auto& e : dir) used += e ? 1 : 0;
    std::cout << "directory (blocks 1.." << io::kDirectoryBlocks << "): " << used << " of " << io::kMaxFiles
              << " slots in use\n";
    for (std::size_t slot = 0; slot < dir.size(); ++slot) {
      if (!dir[slot]) continue;
      const io::FileEntry& e = *dir[slot];
      std::string why;
      std::cout << "slot " << slot << ": " << printable(e.name) << ", records of " << e.record_bytes << " bytes, "
                << e.records << " of " << e.max_records << ", " << extent_text(e);
      if (!io::entry_valid(e, v->blocks(), why)) std::cout << " (damaged: " << why << ")";
      std::cout << "\n";
    }
    return exit_ok;
  }

  if (!label_ok) return image_error(image, "drive " + std::to_string(d) + " holds no volume label: " + error);
  const io::FileEntry* entry = nullptr;
  for (const auto& e : dir)
    if (e && e->name == file) {
      entry = &*e;
      break;
    }
  if (!entry)
    return image_error(image, "no file " + file + " on volume " + v->name() + " (`pairsim disk ls` lists them)");
  std::string why;
  if (!io::entry_valid(*entry, v->blocks(), why))
    return image_error(image, "the directory entry of " + file + " is damaged: " + why);
  std::uint32_t first = 0, last = 0;
  bool any = entry->records > 0;
  if (any) last = entry->records - 1;
  if (vm.count("records")) {
    const auto dots = records_text.find("..");
    const auto a = whole(records_text.substr(0, dots));
    const auto b = dots == std::string::npos ? a : whole(records_text.substr(dots + 2));
    if (!a || !b || *a > *b || *b >= entry->max_records)
      return usage_error("--records takes A..B with A <= B <= " + std::to_string(entry->max_records - 1) +
                         " (the last record " + file + "'s extent holds), not '" + records_text + "'");
    first = static_cast<std::uint32_t>(*a);
    last = static_cast<std::uint32_t>(*b);
    any = true;
  }
  std::cout << file << " on " << v->name() << ", drive " << d << " (" << io::to_string(drive.state())
            << "): records of " << entry->record_bytes << " bytes, " << entry->records << " of " << entry->max_records
            << ", " << extent_text(*entry) << "\n";
  if (!any) {
    std::cout << "no records\n";
    return exit_ok;
  }
  std::vector<std::uint8_t> block(io::kBlockBytes);
  for (std::uint32_t r = first; r <= last; ++r) {
    drive.read(entry->first_block + r, block.data());
    (vm.count("words") ? print_words : print_record)(std::cout, r, block.data(), entry->record_bytes,
                                                     r >= entry->records ? " (past the end)" : "");
  }
  return exit_ok;
}

int cmd_check(int argc, char* argv[]) {
  std::string image;
  po::options_description desc(
      "pairsim disk check IMAGE\n"
      "\n"
      "Checks that IMAGE is a whole, valid image, that its label and directory are sane (every extent inside\n"
      "the volume's data blocks, no two overlapping, no file with more records than its extent holds, no name\n"
      "twice) and, on a mirrored volume whose drives are both up, that the two drives hold the same blocks.\n"
      "exit codes: 0 all is well; 1 the image is valid but a check failed (the FAILED lines say which);\n"
      "2 the file is not a valid image (IMAGE: error: …).\n"
      "\n"
      "options");
  desc.add_options()("help,h", "this help")("image", po::value(&image), "the image file");
  po::variables_map vm;
  if (auto stop = parse(argc, argv, desc, {"image"}, vm)) return *stop;
  if (image.empty()) return usage_error("disk check needs an image file");
  int code = exit_ok;
  auto v = load(image, code);
  if (!v) return code;

  int failed = 0;
  auto ok = [](const std::string& what) { std::cout << "ok: " << what << "\n"; };
  auto fail = [&failed](const std::string& what) {
    std::cout << "FAILED: " << what << "\n";
    ++failed;
  };
  std::cout << image << ": " << volume_line(*v);
  for (int i = 0; i < v->drive_count(); ++i)
    std::cout << (i == 0 ? "; " : ", ") << "drive " << i << " " << io::to_string(v->drive(i).state());
  std::cout << "\n";
  ok("the image is whole and its checksum holds");

  std::vector<int> up;
  for (int i = 0; i < v->drive_count(); ++i)
    if (v->drive(i).state() == io::DriveState::up)
      up.push_back(i);
    else
      std::cout << "note: drive " << i << " is " << io::to_string(v->drive(i).state())
                << ": its contents are stale, so it is neither checked nor compared\n";
  if (up.empty()) fail("no drive is up: the volume cannot be read");

  // When the mirrors are equal, one drive's label and directory stand for both.
  const auto diff = up.size() == 2 ? io::first_difference(v->drive(0), v->drive(1)) : std::nullopt;
  const bool equal = !diff;
  for (std::size_t k = 0; k < up.size(); ++k) {
    if (k > 0 && equal) break;
    const int d = up[k];
    const std::string which = up.size() > 1 && !equal ? "drive " + std::to_string(d) + "'s " : "";
    std::string error;
    if (!read_label(*v, d, error)) {
      fail(which + "label: " + error);
      continue;
    }
    ok(which + "label: volume " + v->name() + ", " + std::to_string(v->blocks()) + " blocks");
    const auto dir = io::read_directory(v->drive(d));
    const auto problems = io::directory_problems(dir, v->blocks());
    int files = 0;
    for (const auto& e : dir) files += e ? 1 : 0;
    if (problems.empty())
      ok(which + "directory: " + std::to_string(files) + (files == 1 ? " file" : " files") +
         ", each inside the volume, none overlapping");
    for (const auto& p : problems) fail(which + "directory: " + p);
  }
  if (up.size() == 2) {
    if (equal)
      ok("mirrors: drives 0 and 1 hold the same blocks");
    else
      fail("mirrors: drives 0 and 1 differ, first at block " + std::to_string(*diff));
  }
  if (failed == 0) {
    std::cout << image << ": all checks passed\n";
    return exit_ok;
  }
  std::cout << image << ": " << failed << (failed == 1 ? " check" : " checks") << " failed\n";
  return exit_expectation_failed;
}

}  // namespace

int run_disk(int argc, char* argv[]) {
  if (argc < 3) return usage_error("disk needs a subcommand: create, ls, dump or check");
  const std::string sub = argv[2];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    std::cout << "pairsim disk: make, list, dump and check disk image files (docs/io.md)\n\n" << disk_usage;
    return exit_ok;
  }
  if (sub == "create") return cmd_create(argc, argv);
  if (sub == "ls") return cmd_ls(argc, argv);
  if (sub == "dump") return cmd_dump(argc, argv);
  if (sub == "check") return cmd_check(argc, argv);
  return usage_error("unknown disk subcommand '" + sub + "' (create, ls, dump, check)");
}

}  // namespace pairsim::sim
