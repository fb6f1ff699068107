#pragma once
// The times at which the scenario acts on the machine from outside — a fault, a reload, a timed start —
// all known before the run (random ones are drawn first), and whether the actions of each have been
// carried out yet (the scenario driver adds the end of the run, which is never carried out). A CPU runs
// ahead of the simulation kernel (temporal decoupling), but never past the next of these times: its
// quantum ends there, and a CPU whose clock has come to it waits until the actions of that instant are
// done. So a failed CPU has done nothing stamped after its failure, and an action on a busy CPU happens at
// its time, not at the end of that CPU's quantum.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <systemc>

namespace pairsim::cpu {

class ActionHorizon {
 public:
  static constexpr std::uint64_t kNever = ~0ull;

  // The action times, in any order; set before the simulation starts.
  void schedule(std::vector<std::uint64_t> times_ns);
  // The earliest time whose actions are not all carried out yet; kNever when none is left. The same in
  // ticks of SystemC's time resolution (~0 when none): CPUs compare their clock with it at every turn.
  std::uint64_t next_ns() const { return next_ns_; }
  std::uint64_t next_ticks() const { return next_ticks_; }
  // Notified each time the actions of an instant have been carried out, in that instant. A CPU waits on
  // it rather than on the time itself, so what it does then never depends on the order SystemC runs the
  // processes of one instant in.
  const sc_core::sc_event& done_event() const { return done_; }
  // Every action at or before t_ns has been carried out.
  void done_through(std::uint64_t t_ns);
  // One more time, during the run (a sweep's next moment, a moved fault's repair). The caller makes sure no
  // CPU's clock is past it: it is after the instant whose actions are being carried out, or before the run.
  void add(std::uint64_t t_ns);

 private:
  void update();

  std::vector<std::uint64_t> times_;  // sorted, each once
  std::size_t next_ = 0;
  std::uint64_t next_ns_ = kNever;
  std::uint64_t next_ticks_ = ~0ull;
  sc_core::sc_event done_;
};

}  // namespace pairsim::cpu
