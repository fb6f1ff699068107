#include "sim/view/vcd_waveform.hpp"

#include <filesystem>
#include <fstream>
#include <vector>

namespace pairsim::sim {

Waveform::Waveform(std::string vcd_path, std::string title, int cpus)
    : vcd_path_(std::move(vcd_path)),
      title_(std::move(title)),
      cpus_(cpus),
      vcd_(PAIRSIM_VERSION, title_),
      pairs_(cpus) {}

void Waveform::attach(TraceBus& trace) {
  membership_ = std::make_unique<MembershipSignals>(vcd_, cpus_);
  trace.add_sink(membership_.get());
  trace.add_sink(&pairs_);
  trace.add_sink(&markers_);
}

std::string Waveform::gtkw_path(const std::string& vcd_path) {
  return std::filesystem::path(vcd_path).replace_extension(".gtkw").string();
}

bool Waveform::write(std::uint64_t end_ns, std::string& error) {
  pairs_.write(vcd_, end_ns);
  {
    std::ofstream out(vcd_path_, std::ios::binary | std::ios::trunc);
    if (out) vcd_.write(out, end_ns);
    if (!out.flush()) {
      error = "cannot write VCD file '" + vcd_path_ + "'";
      return false;
    }
  }
  // The save file and its filters go beside the VCD and name it and each other by file name only, so the
  // files can be moved together.
  const std::filesystem::path gtkw = gtkw_path(vcd_path_);
  GtkwLayout layout;
  layout.vcd_name = std::filesystem::path(vcd_path_).filename().string();
  layout.gtkw_name = gtkw.filename().string();
  layout.title = title_;
  layout.end_ns = end_ns;
  for (const auto& f : gtkw_files(vcd_, layout, markers_.markers())) {
    const std::filesystem::path p = gtkw.parent_path() / f.name;
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << f.text;
    if (!out.flush()) {
      error = "cannot write GTKWave save file '" + p.string() + "'";
      return false;
    }
  }
  return true;
}

}  // namespace pairsim::sim
