#!/usr/bin/env python3
"""ptal programs through the pairsim binary: asm, listing and disasm with ptal lines, a guest fault traced to
its ptal line, and compiled compute within 1.5x the hand-written assembly's guest instructions."""
import os
import tempfile
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, run_json, run_text  # noqa: E402

hello = os.path.join(ROOT, "guest", "hello.ptal")
p = run("asm", hello, "--listing")
check(p.returncode == 0, f"asm hello.ptal --listing exits 0 ({p.stderr.strip()})")
check("; 10:   print(\"hello, world\");" in p.stdout, "the listing shows the ptal line")
p = run("disasm", hello)
check(p.returncode == 0 and "line 10, print" in p.stdout, "disasm names ptal lines")

# A division by zero in compiled code: the abend's P leads to the ptal line.
src = "proc main() {\n  var z: int = arg(0, 0);\n  print(\"before\");\n  print(7 / z);\n}\n"

with tempfile.TemporaryDirectory() as d:
    prog = os.path.join(d, "divzero.ptal")
    with open(prog, "w") as f:
        f.write(src)
    p, summary, events = run_text(f"machine cpus 2\nstart $Z program {prog} cpu 0\nrun until $Z stops or 1s\n")
    abends = [e for e in events if e.get("kind") == "abend"]
    check(len(abends) == 1 and abends[0].get("reason") == "division by zero", "the fault stops the process")
    if abends:
        dis = run("disasm", prog).stdout
        at = [line for line in dis.splitlines() if f"C {abends[0]['p']:06X}" in line]
        check(len(at) == 1 and "line 4" in at[0], f"its P is on ptal line 4: {at}")

counts = {}
for name in ("guest-compute.scn", "guest-compute-ptal.scn"):
    p, s = run_json(os.path.join(ROOT, "scenarios", name))
    check(p.returncode == 0 and s is not None, f"{name} passes")
    if s:
        counts[name] = s["guest_instructions"]
if len(counts) == 2:
    ratio = counts["guest-compute-ptal.scn"] / counts["guest-compute.scn"]
    print(f"compute: pasm {counts['guest-compute.scn']}, ptal {counts['guest-compute-ptal.scn']}, ratio {ratio:.5f}")
    check(ratio <= 1.5, f"compiled compute within 1.5x of the assembly ({ratio:.5f})")
done()
