#include "sim/report/volume_facts.hpp"

namespace pairsim::sim {

const VolumeFacts* find_volume(const std::vector<VolumeFacts>& volumes, const std::string& name) {
  for (const auto& v : volumes)
    if (v.name == name) return &v;
  return nullptr;
}

}  // namespace pairsim::sim
