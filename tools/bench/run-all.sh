#!/bin/sh
# Runs every mode of bench_guest, one process each (SystemC elaborates once per process), prints the
# figures, and the ratio of the interpreter's speed inside the platform (one busy CPU) to its speed bare.
# Usage: tools/bench/run-all.sh [BUILD_DIR]   (default: build; only a Release build gives real figures)
# The figures, and how they compare with the targets, are in docs/benchmarks.md.
set -e
build=${1:-build}
bench="$build/bench/bench_guest"
if [ ! -x "$bench" ]; then
  echo "no $bench: cmake --build $build --target bench_guest" >&2
  exit 2
fi
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "host: $(nproc) CPUs, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in "bare" "compute 1" "compute 16" "roundtrip" "memory"; do
  # shellcheck disable=SC2086  # the mode is two words on purpose
  "$bench" $mode | tee -a "$out"
done
# "... 123.4 M guest instructions per host s (wall; 150.2 per CPU-second ...)": fields 1 (wall) and 9 (CPU).
awk '/^bare:/ { m = "bare" } /^compute: 2 CPUs, 1 running/ { m = "one" } /^compute: 16/ { m = "" }
     /M guest instructions per host s/ { if (m != "") { wall[m] = $1; cpu[m] = $9 } }
     END { if (wall["bare"] > 0 && cpu["bare"] > 0)
             printf "in-platform / bare (one busy CPU): %.2f by wall time, %.2f by CPU time (target >= 0.6)\n",
                    wall["one"] / wall["bare"], cpu["one"] / cpu["bare"] }' "$out"
