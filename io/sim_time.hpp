#pragma once
// Simulated time in whole nanoseconds for the I/O shells: SystemC's current time, and a wait's length.
#include <cstdint>

#include <systemc>

namespace pairsim::io {

inline std::uint64_t now_ns() {
  return sc_core::sc_time_stamp().value() / sc_core::sc_time(1, sc_core::SC_NS).value();
}

inline sc_core::sc_time ns(std::uint64_t v) {
  return sc_core::sc_time(static_cast<double>(v), sc_core::SC_NS);
}

}  // namespace pairsim::io
