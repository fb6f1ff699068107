#pragma once
// `pairsim grade LAB SUBMISSION`: runs a lab's checks on a student's program and prints the score
// (docs/labs.md). The manifest, the scenarios' rewriting and the report are sim/campaign/grade.hpp.

namespace pairsim::sim {

// argv[1] is "grade". Exit 0 every check passed, 1 some failed, 2 bad input (no such lab, no such
// submission, a submission that does not compile, a manifest or scenario of the lab with an error).
int run_grade(int argc, char* argv[]);

}  // namespace pairsim::sim
