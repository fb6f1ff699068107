#pragma once
// An image file holds a whole volume: its name, each drive's state and its written blocks, and a checksum.
// save_image writes a temporary file beside `path`, flushes it to the disk, and renames it over `path`: an
// interrupted save leaves the old image whole. load_image refuses anything that is not exactly one whole, valid
// image, with a sentence that says what is wrong ("truncated: …", "not a pairsim disk image", "checksum …").
// docs/io.md gives the format byte by byte.
#include <cstdint>
#include <optional>
#include <string>

#include "io/volume.hpp"

namespace pairsim::io {

constexpr std::uint32_t kImageVersion = 1;

// A revive in progress is not saved: the copy is unfinished, so a reviving drive is saved as down (and a revive
// after loading starts over). All-zero blocks are left out: they read as zeros anyway.
bool save_image(const std::string& path, const Volume& v, std::string& error);
// The volume has the default timing (disk_timing.hpp) with the image's block count; every arm on cylinder 0,
// every queue empty.
std::optional<Volume> load_image(const std::string& path, std::string& error);

// Text that came from an image (a volume or file name), fit to print: printable ASCII as it is, anything else
// as \xNN, so that a damaged name shows what it holds.
std::string printable(const std::string& s);

}  // namespace pairsim::io
