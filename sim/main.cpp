// The pairsim command line: run, campaign, asm, disasm, table.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <systemc>

#include "sim/cli.hpp"
#include "sim/run/run_command.hpp"

// libsystemc's own main() prints SystemC's banner before sc_main runs; pairsim's output is the report,
// so this main keeps the banner away (unless SYSTEMC_DISABLE_COPYRIGHT_MESSAGE is already set) and hands
// over to SystemC as its main would.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  try {
    const int code = pairsim::sim::cli_main(argc, argv);
    // Output that could not be written (standard output on a full disk) is an error, not a silent success.
    if (!std::cout.flush() && code != pairsim::sim::exit_internal) {
      std::cerr << "pairsim: error: cannot write to standard output\n";
      return pairsim::sim::exit_internal;
    }
    return code;
  } catch (const std::exception& e) {
    std::cerr << "pairsim: internal error: " << e.what() << "\n";
    return pairsim::sim::exit_internal;
  } catch (...) {
    std::cerr << "pairsim: internal error\n";
    return pairsim::sim::exit_internal;
  }
}
