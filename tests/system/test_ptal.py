#!/usr/bin/env python3
"""ptal programs through the pairsim binary: asm, listing and disasm with ptal lines, a guest fault traced to
its ptal line, an index outside its array stopping the process with the ptal file and line, and compiled compute within 1.5x the hand-written assembly's guest instructions."""
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

# An index outside its array: the write does not happen, the abend's reason names the file and line, its
# P is on that line, and a buffer parameter's index is checked against the length passed with it.
src = ("var a: int[4];\nvar guard: int;\nproc main() {\n  for i in 0..arg(0, 5) {\n    a[i] = 7;\n"
       "    print(\"set \", i);\n  }\n}\n")
src_buf = ("proc poke(b: buffer, i: int) {\n  b[i] = 1;\n}\nvar t: bytes[6];\n"
           "proc main() {\n  poke(t, 5);\n  print(\"ok\");\n  poke(first(t, 2), 2);\n}\n")
with tempfile.TemporaryDirectory() as d:
    prog = os.path.join(d, "bounds.ptal")
    with open(prog, "w") as f:
        f.write(src)
    p, summary, events = run_text(f"machine cpus 2\nstart $B program {prog} cpu 0\nrun until $B stops or 1s\n"
                                  f"expect output $B \"set 3\"\n")
    abends = [e for e in events if e.get("kind") == "abend"]
    outputs = [e for e in events if e.get("kind") == "output"]
    check(len(outputs) == 4, f"a[0..3] are written, a[4] is not ({len(outputs)} lines)")
    check(len(abends) == 1 and abends[0].get("reason") == "index out of bounds: int[4] at bounds.ptal:5",
          f"the write to a[4] stops the process with the line: {abends}")
    if abends:
        dis = run("disasm", prog).stdout
        at = [line for line in dis.splitlines() if f"C {abends[0]['p'] - 1:06X}" in line]  # P is past the sys
        check(len(at) == 1 and "line 5" in at[0] and "sys" in at[0], f"its abend is on ptal line 5: {at}")
    prog = os.path.join(d, "bufbounds.ptal")
    with open(prog, "w") as f:
        f.write(src_buf)
    p, summary, events = run_text(f"machine cpus 2\nstart $B program {prog} cpu 0\nrun until $B stops or 1s\n")
    abends = [e for e in events if e.get("kind") == "abend"]
    check(len(abends) == 1 and abends[0].get("reason") == "index out of bounds: buffer at bufbounds.ptal:2",
          f"a buffer parameter's index past its length stops the process: {abends}")

# A for loop over a constant range whose variable is passed whole to a procedure's buffer parameter: the
# procedure writes into it, so its index is checked when running (and the write out of bounds never happens).
# A local declared in a loop body starts each pass at zero, as on the first.
src_passed = ("var a: int[4];\nproc set(b: buffer) {\n  b[0] = 9;\n}\nproc main() {\n  for i in 0..4 {\n"
              "    set(i);\n    a[i] = 7;\n    print(\"set \", i);\n  }\n}\n")
src_zero = ("record R { a: int; b: int[10]; }\nproc main() {\n  for k in 0..3 {\n    var x: int;\n    var r: R;\n"
            "    print(\"x \", x, \" r \", r.a + r.b[9]);\n    x = 7;\n    r.a = 1;\n    r.b[9] = 2;\n  }\n}\n")
with tempfile.TemporaryDirectory() as d:
    prog = os.path.join(d, "passed.ptal")
    with open(prog, "w") as f:
        f.write(src_passed)
    p, summary, events = run_text(f"machine cpus 2\nstart $B program {prog} cpu 0\nrun until $B stops or 1s\n")
    abends = [e for e in events if e.get("kind") == "abend"]
    outputs = [e for e in events if e.get("kind") == "output"]
    check(not outputs and len(abends) == 1 and abends[0].get("reason") == "index out of bounds: int[4] at passed.ptal:8",
          f"a loop variable a call wrote into is checked: {abends} {outputs}")
    prog = os.path.join(d, "zero.ptal")
    with open(prog, "w") as f:
        f.write(src_zero)
    p, summary, events = run_text(f"machine cpus 2\nstart $Z program {prog} cpu 0\nrun until $Z stops or 1s\n")
    outputs = [e.get("text") for e in events if e.get("kind") == "output"]
    check(outputs == ["x 0 r 0"] * 3, f"a local in a loop body is zero on every pass: {outputs}")

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
