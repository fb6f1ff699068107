#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz) in a build folder of their own and runs each for SECONDS
# (default 20), then prints what each did: inputs run, coverage (libFuzzer's cov = edges reached, ft =
# features), and the corpus it has gathered. Fails when a harness finds a crash, a sanitizer error, an
# escaped exception or a broken property; the input that did it is saved in BUILD/fuzz/crashes/ and can be
# run again with `BUILD/fuzz/fuzz_NAME FILE`. docs/fuzzing.md has more.
#
#   tools/fuzz.sh [SECONDS]
# Environment: FUZZ_BUILD (build folder, default build-fuzz), FUZZ_HARNESSES (default: all five),
# FUZZ_RSS_MB (memory limit of a harness, default 2048), FUZZ_JOBS (build jobs, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
build=${FUZZ_BUILD:-build-fuzz}
harnesses=${FUZZ_HARNESSES:-scenario assembler object interpreter ptal}
rss_mb=${FUZZ_RSS_MB:-2048}
jobs=${FUZZ_JOBS:-2}
case "$seconds" in "" | *[!0-9]* | 0) echo "usage: tools/fuzz.sh [SECONDS]  (SECONDS >= 1)" >&2; exit 2 ;; esac

if ! command -v clang++ >/dev/null; then
  echo "tools/fuzz.sh: clang++ not found (tools/install-deps.sh installs it)" >&2
  exit 2
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DPAIRSIM_FUZZ=ON -DPAIRSIM_WERROR=ON "${launcher[@]}" >/dev/null
elif ! grep -q '^PAIRSIM_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "tools/fuzz.sh: $build is a build folder without PAIRSIM_FUZZ=ON; give FUZZ_BUILD a folder of its own" >&2
  exit 2
fi
targets=()
for h in $harnesses; do targets+=("fuzz_$h"); done
start=$(date +%s)
cmake --build "$build" -j"$jobs" --target "${targets[@]}"
echo "fuzz: built in $(($(date +%s) - start)) s"

export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$build/fuzz/crashes" "$build/fuzz/logs"
failed=()
rows=()
for h in $harnesses; do
  corpus="$build/fuzz/corpus/$h"  # what this harness has found so far; kept between runs
  mkdir -p "$corpus"
  seeds=()
  for d in "tests/fuzz/corpus/$h" "$build/fuzz/seeds/$h"; do [ -d "$d" ] && seeds+=("$d"); done
  dict=()
  [ -f "tests/fuzz/$h.dict" ] && dict=(-dict="tests/fuzz/$h.dict")
  log="$build/fuzz/logs/$h.log"
  rc=0
  "$build/fuzz/fuzz_$h" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout=10 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$build/fuzz/crashes/$h-" "$corpus" "${seeds[@]}" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -a -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$last")
  status=ok
  if [ "$rc" -ne 0 ]; then
    status="FAILED (exit $rc)"
    failed+=("$h")
  fi
  rows+=("$(printf '%-12s %12s %8s %8s %14s  %s' "$h" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status")")
  if [ "$rc" -ne 0 ]; then
    echo "---- fuzz_$h failed; the end of $log:" >&2
    tail -40 "$log" >&2
  fi
done
printf '%-12s %12s %8s %8s %14s  %s\n' harness runs cov ft corpus status
printf '%s\n' "${rows[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: ${failed[*]} failed; the inputs are in $build/fuzz/crashes/" >&2
  exit 1
fi
