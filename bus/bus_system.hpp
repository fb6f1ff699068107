#pragma once
// The interprocessor bus as a SystemC module: a thin shell that gives the kernel-free Dynabus its timing.
// One method and one event drive both buses lazily: the method runs when Dynabus::next_activation() says
// something can be delivered, failed or traced, and catches up with the transfers in between. Faults first
// bring the Dynabus up to the current time. With a waveform open, the Dynabus reports each transfer as it
// starts (LaneObserver), so .busy and .sender change at their true times without an activation of their
// own: a run with a waveform is the same run as one without.
#include <array>
#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "bus/bus_types.hpp"
#include "bus/dynabus.hpp"
#include "sim/trace/trace_bus.hpp"
#include "sim/trace/vcd_writer.hpp"

namespace pairsim::bus {

class BusListener {  // implemented by the CPU module
 public:
  virtual ~BusListener() = default;
  // A whole message arrived (called from SystemC process context; sc_time_stamp() is the arrival time).
  virtual void on_message(int src_cpu, std::uint64_t msg_id, std::vector<std::uint8_t>&& payload) = 0;
  // A reliable message could not be delivered on either bus.
  virtual void on_send_failed(int dst_cpu, std::uint64_t msg_id) = 0;
};

class BusSystem : public sc_core::sc_module, private DynabusClient, private LaneObserver {
 public:
  SC_HAS_PROCESS(BusSystem);
  // Throws std::invalid_argument when the configuration is unusable (see check_bus_config).
  BusSystem(sc_core::sc_module_name name, const BusConfig& config, const sim::TraceBus& trace);
  ~BusSystem() override;

  void attach(int cpu, BusListener* l);
  // Call from a SystemC process. Returns the message id (from 1, unique per source CPU), or 0 when nothing
  // was sent: dst == src (the CPU delivers locally), a CPU number out of range, or a dead source CPU.
  // Delivery and failure are reported later, never from inside send().
  std::uint64_t send(int src, int dst, std::vector<std::uint8_t> payload, SendMode mode) {
    return send_at(now_ns(), src, dst, std::move(payload), mode);
  }
  // The same, taking effect at `at_ns` (not before the current time): a CPU running ahead of the simulation
  // kernel sends at its own clock without waiting for the kernel. If the source fails before then, the
  // message is never sent.
  std::uint64_t send_at(std::uint64_t at_ns, int src, int dst, std::vector<std::uint8_t> payload, SendMode mode);
  // The same with a short message's n bytes at `bytes`, copied into a buffer the bus reuses.
  std::uint64_t send_at(std::uint64_t at_ns, int src, int dst, const std::uint8_t* bytes, std::size_t n, SendMode mode);

  // Faults, at the current simulated time. A fault hits packets whose transfer ends after it.
  void fail_bus(BusId b);
  void repair_bus(BusId b);
  void fail_path(BusId b, int cpu);  // that CPU's attachment to one bus, both directions
  void repair_path(BusId b, int cpu);
  void set_cpu_alive(int cpu, bool alive);

  bool path_up(int src, int dst, BusId b) const { return bus_.path_up(src, dst, b); }  // sender's view
  bool bus_up(BusId b) const { return bus_.bus_up(b); }

  // VCD: top.bus.x.up, .busy, .sender (CPU id, -1 idle) and .path_cpuN (attachment up), same for y.
  void trace(sim::VcdWriter& vcd);
  // At the end of a run: the transfers since the last activation, which nothing needed to see yet, go to the
  // waveform. Hands nothing over (deliveries wait for an activation that does not come) and traces nothing:
  // whatever would have been traced by now had its activation already.
  void finish_waveform();
  // Packets delivered up to the current time (the Dynabus catches up first).
  std::uint64_t packets_delivered(BusId b);
  // Results the lazy driving found late: zero unless the Dynabus's activation bound is wrong (tests).
  std::uint64_t late_results() const { return bus_.late_results(); }

 private:
  void deliver(int dst, int src, std::uint64_t msg_id, std::vector<std::uint8_t>&& payload) override;
  void send_failed(int src, int dst, std::uint64_t msg_id) override;

  std::uint64_t now_ns() const;
  sc_core::sc_time from_ns(std::uint64_t ns) const;
  void activate();
  void schedule();  // (re)arms the event for Dynabus::next_activation()
  void schedule_at(std::uint64_t t);
  void advance();  // the Dynabus catches up with the current time
  // Writes what a fault or repair changed (the bus up, its paths) to the waveform.
  void show_faults();
  void transfer(BusId b, std::uint64_t start, std::uint64_t end, int sender) override;

  Dynabus bus_;
  std::uint64_t ticks_per_ns_;
  std::array<std::string, kBusCount> lane_names_;
  std::vector<BusListener*> listeners_;
  sc_core::sc_event event_;
  std::uint64_t scheduled_for_ = Dynabus::kNever;

  struct LaneWave {  // a lane's signals in the waveform, and what it last showed of faults
    sim::VcdWriter::Signal up, busy, sender;
    std::vector<sim::VcdWriter::Signal> attached;
    Dynabus::LaneView shown;
  };
  sim::VcdWriter* vcd_ = nullptr;
  std::vector<LaneWave> waves_;
};

}  // namespace pairsim::bus
