// The pairsim command line: run, asm, disasm, table.
#include <exception>
#include <iostream>

#include <systemc>

#include "sim/cli.hpp"

int sc_main(int argc, char* argv[]) {
  try {
    return pairsim::sim::cli_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "pairsim: internal error: " << e.what() << "\n";
    return 3;
  } catch (...) {
    std::cerr << "pairsim: internal error\n";
    return 3;
  }
}
