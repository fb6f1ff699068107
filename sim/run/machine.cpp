#include "sim/run/machine.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>

#include <systemc>

#include "io/disk_image.hpp"
#include "io/volume_layout.hpp"

#include <tlm_utils/tlm_quantumkeeper.h>  // needs <systemc> first

namespace pairsim::sim {

bus::BusConfig bus_config(const MachineConfig& m) {
  bus::BusConfig b;
  b.cpus = m.cpus;
  b.bytes_per_second = static_cast<double>(m.bus_bytes_per_second);
  b.ack_timeout_ns = m.ack_timeout_ns;
  b.path_down_after = m.path_errors;
  return b;
}

cpu::CpuConfig cpu_config(const MachineConfig& m, int id) {
  cpu::CpuConfig c;
  c.id = id;
  c.cpus = m.cpus;
  c.mips = m.mips;
  c.memory_bytes = m.memory_bytes;
  c.heartbeat_ns = m.heartbeat_ns;
  c.quantum_ns = m.quantum_ns;
  c.slice_ns = m.slice_ns;
  c.reload_ns = m.reload_ns;
  return c;
}

Machine::Machine(sc_core::sc_module_name name, const MachineConfig& cfg, const TraceBus& trace,
                 cpu::ProgramSource& programs)
    : sc_core::sc_module(name), cfg_(cfg), trace_(trace) {
  tlm_utils::tlm_quantumkeeper::set_global_quantum(
      sc_core::sc_time(static_cast<double>(cfg.quantum_ns), sc_core::SC_NS));
  bus_ = std::make_unique<bus::BusSystem>("bus", bus_config(cfg), trace);
  for (int i = 0; i < cfg.cpus; ++i) {
    const std::string n = "cpu" + std::to_string(i);
    cpus_.push_back(std::make_unique<cpu::Cpu>(n.c_str(), cpu_config(cfg, i), *bus_, trace, programs, horizon_));
    cpus_.back()->add_native(io::DiskProcess::kProgramName, disk_process_);
    cpus_.back()->add_native(io::TerminalProcess::kProgramName, terminal_process_);
  }
}

void Machine::add_volume(const VolumeSpec& v) {
  std::optional<io::Volume> volume;
  if (!v.image.empty() && std::filesystem::exists(v.image)) {
    std::string error;
    volume = io::load_image(v.image, error);
    if (!volume) throw std::runtime_error(error);
    if (volume->name() != v.name)
      throw std::runtime_error(v.image + ": the image holds volume " + volume->name() + ", not " + v.name);
    // Whole as a file is not enough: the disk process trusts the label and the directory of every drive up.
    for (int d = 0; d < volume->drive_count(); ++d) {
      const io::Drive& drive = volume->drive(d);
      if (drive.state() != io::DriveState::up) continue;
      std::vector<std::uint8_t> label(io::kBlockBytes);
      drive.read(0, label.data());
      std::string name, error;
      std::uint32_t blocks = 0;
      if (!io::parse_label(label.data(), name, blocks, error) || blocks != volume->blocks())
        throw std::runtime_error(v.image + ": drive " + std::to_string(d) + "'s label is damaged" +
                                 (error.empty() ? std::string() : ": " + error) + " (pairsim disk check)");
      const auto problems = io::directory_problems(io::read_directory(drive), volume->blocks());
      if (!problems.empty())
        throw std::runtime_error(v.image + ": drive " + std::to_string(d) + "'s directory is damaged: " +
                                 problems.front() + " (pairsim disk check)");
    }
  } else {
    volume = io::new_volume(v.name, v.mirrored, v.blocks);
  }
  // "$DATA" is no module name: the unit is top.volume_DATA.
  const std::string unit_name = "volume_" + v.name.substr(1);
  volumes_.push_back(std::make_unique<io::VolumeUnit>(unit_name.c_str(), std::move(*volume), trace_));
  images_.push_back(v.image);
  for (int c : v.controllers) {
    const std::string n = "controller" + std::to_string(c);
    controllers_.push_back(
        std::make_unique<io::Controller>(n.c_str(), c, *volumes_.back(), v.cpus[0], v.cpus[1], trace_));
    cpu(v.cpus[0]).attach(*controllers_.back());
    cpu(v.cpus[1]).attach(*controllers_.back());
  }
}

void Machine::add_terminal(const TerminalSpec& t) {
  const std::string module = "terminal_" + t.name.substr(1);
  terminals_.push_back(std::make_unique<io::Terminal>(module.c_str(), t.name, static_cast<int>(terminals_.size()),
                                                      t.cpus[0], t.cpus[1], trace_));
  cpu(t.cpus[0]).attach(*terminals_.back());
  cpu(t.cpus[1]).attach(*terminals_.back());
}

io::VolumeUnit* Machine::volume(const std::string& name) {
  for (auto& v : volumes_)
    if (v->volume_name() == name) return v.get();
  return nullptr;
}

io::Controller* Machine::controller(int id) {
  for (auto& c : controllers_)
    if (c->controller_id() == id) return c.get();
  return nullptr;
}

bool Machine::save_images(std::string& error) const {
  for (std::size_t i = 0; i < volumes_.size(); ++i)
    if (!images_[i].empty() && !io::save_image(images_[i], volumes_[i]->volume(), error)) return false;
  return true;
}

std::uint64_t Machine::guest_instructions() const {
  std::uint64_t n = 0;
  for (const auto& c : cpus_) n += c->instructions();
  return n;
}

std::uint64_t hung_after_ns(const MachineConfig& m) {
  return 5 * m.heartbeat_ns + 2 * m.ack_timeout_ns;
}

void Machine::report_open_requests(std::uint64_t t_ns) const {
  for (const auto& c : cpus_) {
    for (const auto& r : c->open_requests()) {
      trace_.emit(TraceEvent(t_ns, "request_open")
                      .with("cpu", c->id())
                      .with("pin", r.pin)
                      .with("process", r.process)
                      .with("target", r.target)
                      .with("sync_id", r.sync_id)
                      .with("since_ns", r.since_ns)
                      .with("hung_after_ns", hung_after_ns(cfg_)));
    }
  }
}

void Machine::trace(VcdWriter& vcd) {
  for (auto& c : cpus_) c->trace(vcd);
  bus_->trace(vcd);
  for (auto& v : volumes_) v->trace(vcd);
  for (auto& c : controllers_) c->trace(vcd);
}

}  // namespace pairsim::sim
