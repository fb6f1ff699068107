#pragma once
// Where the shipped library lives: the guest runtime library (guest/lib), the example programs (guest/),
// the scenarios and the docs, laid out as in the source folder. Looked for, in order:
//   1. the folder the environment variable PAIRSIM_HOME names;
//   2. ../share/pairsim beside the running binary (an installed pairsim: <prefix>/bin/pairsim);
//   3. the project's folder one level above the binary (build/pairsim in a checkout, moved or not);
//   4. the source folder the binary was built from, when the binary still lies in its build folder (a build
//      folder elsewhere); an installed or copied binary never falls back to it.
#include <optional>
#include <string>

namespace pairsim::sim {

// The library's folder, or "" when there is none. When PAIRSIM_HOME names a folder without a guest/lib, it
// is still returned (library_home_error says why it is unusable).
std::string library_home();
// A sentence for the user when PAIRSIM_HOME is set but names no library, or when no library was found at
// all; else nothing.
std::optional<std::string> library_home_error();
// The runtime library's folder: library_home()/guest/lib.
std::string library_guest_lib();
// Whether a path lies inside the library's folder.
bool inside_library(const std::string& path);

}  // namespace pairsim::sim
