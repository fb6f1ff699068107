#pragma once
// What a sweep changes in one run (docs/campaigns.md, "Runs that share a beginning"): the schedule it plays
// instead of the seed's, the sync points at which every CPU stops and a call at each of them, and where the
// report goes. `pairsim run` has none; sim/campaign/sweep_prefix.cpp makes them.
#include <cstdint>
#include <ostream>
#include <vector>

#include "sim/scenario/schedule.hpp"

namespace pairsim::sim {

class ScenarioDriver;
class TraceBus;

class RunShape {
 public:
  virtual ~RunShape() = default;
  // The actions to play, their random parts drawn.
  virtual std::vector<ResolvedAction> schedule(const Scenario& s, std::uint64_t seed) = 0;
  // Once the model is built, before the simulation starts: sync points and their call, trace sinks.
  virtual void attach(ScenarioDriver& driver, TraceBus& trace) = 0;
  // Where the report (or the --json summary) goes once the run is over.
  virtual std::ostream& report() = 0;
};

}  // namespace pairsim::sim
