#!/usr/bin/env python3
"""Golden traces: a fixed set of scenarios and seeds whose event traces must not change. The simulator's speed
work (interpreter, synchronisation, bus) must leave every trace byte-identical; a change of behaviour that is
meant changes these files knowingly, in the same commit, with the reason in its message.

To write them again after a meant change:  PAIRSIM_UPDATE_GOLDEN=1 python3 tests/system/test_golden_traces.py
build/pairsim .   (then look at `git diff --stat tests/golden` and say why in the commit)."""
import gzip
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, scenario  # noqa: E402

# (scenario, seed): CPU failures and takeovers, bus and path faults, reloads, checkswitch, split brain, traps,
# disks under controller and drive faults, heavy message traffic, compute, and compiled ptal.
CASES = [
    ("takeover-demo.scn", 1),
    ("cpu-failure.scn", 1),
    ("bus-failure.scn", 1),
    ("pair-bank-faults.scn", 1),
    ("pair-bank-faults.scn", 7),
    ("pair-bank-faults-ptal.scn", 3),
    ("pair-switch.scn", 1),
    ("pair-reload-traffic.scn", 1),
    ("pair-double-failure.scn", 1),
    ("pair-table-8-1.scn", 1),
    ("split-brain.scn", 1),
    ("reload.scn", 1),
    ("guest-traps.scn", 1),
    ("guest-roundtrip.scn", 1),
    ("guest-compute.scn", 1),
    ("term-counter.scn", 1),
    ("bank-disk-faults.scn", 1),
]
GOLDEN = os.path.join(ROOT, "tests", "golden")
update = os.environ.get("PAIRSIM_UPDATE_GOLDEN") == "1"
tmp = tempfile.mkdtemp(prefix="pairsim-golden-")

for name, seed in CASES:
    trace = os.path.join(tmp, f"{name}.{seed}.jsonl")
    # From the project's folder, so that the scenario's path in run_start is "./scenarios/…" however the test
    # is called (ctest passes the folder as an absolute path).
    p = run("run", os.path.join(".", "scenarios", name), "--seed", str(seed), "--trace", trace, cwd=ROOT)
    check(p.returncode == 0, f"{name} seed {seed} holds its expectations (exit {p.returncode}) {p.stderr[-300:]}")
    with open(trace, "rb") as f:
        got = f.read()
    golden = os.path.join(GOLDEN, f"{name[:-4]}.seed{seed}.jsonl.gz")
    if update:
        with open(golden, "wb") as f:
            f.write(gzip.compress(got, compresslevel=9, mtime=0))
        print("wrote", golden)
        continue
    if not os.path.exists(golden):
        check(False, f"{golden} exists (write it with PAIRSIM_UPDATE_GOLDEN=1)")
        continue
    with open(golden, "rb") as f:
        want = gzip.decompress(f.read())
    if got == want:
        check(True, f"{name} seed {seed}: the trace is byte-identical to its golden file")
        continue
    a, b = want.decode().splitlines(), got.decode().splitlines()
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    check(False, f"{name} seed {seed}: the trace differs from its golden file at line {i + 1} "
                 f"({len(b)} lines, golden {len(a)}):\n  golden: {a[i] if i < len(a) else '(end)'}\n"
                 f"  now:    {b[i] if i < len(b) else '(end)'}")

done()
