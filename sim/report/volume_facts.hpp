#pragma once
// What a run's volumes hold at its end, as plain data: the run gathers it from the machine after the
// simulation (sim/run/run_command.cpp), and the expectations and the report read it without any I/O model.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pairsim::sim {

struct ControllerFacts {
  int id = 0;
  int owner = 0;  // the CPU that owns it
  bool up = true;
};

struct FileFacts {
  std::string name;  // "ACCOUNTS"
  std::uint32_t records = 0;
};

struct VolumeFacts {
  std::string name;                               // "$DATA"
  std::vector<std::string> drives;                // each drive's state: "up", "down" or "reviving"
  bool mirrors_equal = true;                      // true for a single drive
  std::optional<std::uint32_t> first_difference;  // the lowest block the mirrors differ in
  std::vector<ControllerFacts> controllers;       // in the order the volume statement names them
  // The directory as the first drive that is up holds it (slot order); none when no drive is up.
  std::optional<std::vector<FileFacts>> files;
  int directory_drive = -1;  // the drive it was read from
};

// The facts of one volume by name, or nullptr.
const VolumeFacts* find_volume(const std::vector<VolumeFacts>& volumes, const std::string& name);

}  // namespace pairsim::sim
