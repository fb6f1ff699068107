#pragma once

namespace pairsim::sim {

// Parses the command line and runs the subcommand; returns the process exit code.
int cli_main(int argc, char* argv[]);

}  // namespace pairsim::sim
