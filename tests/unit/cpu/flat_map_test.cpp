#include "cpu/kernel/flat_map.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>

using pairsim::cpu::FlatMap;

TEST_CASE("flat map: behaves as std::map under random inserts, finds and erases, in the same order",
          "[kernel][flat_map]") {
  std::mt19937 rng(7);
  FlatMap<std::uint32_t, std::string> flat;
  std::map<std::uint32_t, std::string> ref;
  for (int step = 0; step < 5000; ++step) {
    const std::uint32_t k = rng() % 64;
    switch (rng() % 4) {
      case 0:
      case 1:
        flat[k] = std::to_string(step);
        ref[k] = std::to_string(step);
        break;
      case 2:
        CHECK(flat.erase(k) == ref.erase(k));
        break;
      case 3: {
        auto f = flat.find(k);
        auto r = ref.find(k);
        REQUIRE((f == flat.end()) == (r == ref.end()));
        if (r != ref.end()) {
          CHECK(f->second == r->second);
          flat.erase(f);
          ref.erase(r);
        }
        break;
      }
    }
    REQUIRE(flat.size() == ref.size());
  }
  auto r = ref.begin();
  for (const auto& [k, v] : flat) {
    CHECK(k == r->first);
    CHECK(v == r->second);
    ++r;
  }
  flat.clear();
  CHECK(flat.empty());
  CHECK(flat.find(3) == flat.end());
}
