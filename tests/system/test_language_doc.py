#!/usr/bin/env python3
"""docs/language.md's examples run as printed: every ```ptal block compiles without a warning (its first
line names its file), every ```scn block runs beside them and passes; a bad program is refused with exit 2
and FILE:LINE:COL."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, run_json  # noqa: E402

doc = open(os.path.join(ROOT, "docs", "language.md"), encoding="utf-8").read()
blocks = re.findall(r"```(ptal|scn)\n(.*?)```\n", doc, re.S)
programs = [b for kind, b in blocks if kind == "ptal"]
scenarios = [b for kind, b in blocks if kind == "scn"]
check(len(programs) >= 4 and len(scenarios) >= 3, f"the page has examples ({len(programs)} ptal, {len(scenarios)} scn)")
with tempfile.TemporaryDirectory() as d:
    for text in programs:
        m = re.match(r"// (\S+\.ptal)", text)
        check(m is not None, "a ptal example starts with '// NAME.ptal'")
        if not m:
            continue
        path = os.path.join(d, m.group(1))
        with open(path, "w") as f:
            f.write(text)
        p = run("asm", path)
        check(p.returncode == 0 and p.stderr.strip() == "", f"{m.group(1)} compiles cleanly: {p.stderr.strip()}")
    for i, text in enumerate(scenarios):
        path = os.path.join(d, f"example{i}.scn")
        with open(path, "w") as f:
            f.write(text)
        p, s = run_json(path)
        check(p.returncode == 0, f"scenario example {i} passes (exit {p.returncode}) {p.stderr.strip()}")
    # The sweep example holds at every moment of its window, and fails as the page says when the window
    # runs past the client's last request.
    sweeps = [text for text in scenarios if text.startswith("# counter_sweep.scn")]
    check(len(sweeps) == 1, "the page has the sweep example")
    for text in sweeps:
        path = os.path.join(d, "counter_sweep.scn")
        with open(path, "w") as f:
            f.write(text)
        p = run("sweep", path, "--moments", "200", "--out", os.path.join(d, "sweep"))
        check(p.returncode == 0 and "verdicts: held 200, failed 0, timeout 0, crash 0" in p.stdout,
              f"the sweep holds at all 200 moments, as printed (exit {p.returncode}): {p.stdout[-300:]}")
        with open(path, "w") as f:
            f.write(text.replace("200ms..285ms", "200ms..300ms"))
        p = run("sweep", path, "--moments", "200", "--out", os.path.join(d, "sweep-late"))
        failed = re.search(r"verdicts: held (\d+), failed (\d+)", p.stdout)
        check(p.returncode == 1 and failed is not None and int(failed.group(2)) > 0
              and "line 9: expect takeover $COUNTER" in p.stdout and "line 7:" not in p.stdout
              and "line 8:" not in p.stdout,
              f"a window past the last request fails only 'expect takeover' (exit {p.returncode}): {p.stdout[-300:]}")
    bad = os.path.join(d, "bad.ptal")
    with open(bad, "w") as f:
        f.write("proc main() {\n  x = 1;\n  open(\"$X\");\n}\n")
    p = run("asm", bad)
    check(p.returncode == 2, f"a bad program exits 2 (got {p.returncode})")
    check(f"{bad}:2:3: error: 'x' is not defined" in p.stderr, "the error names file:line:col")
    check(f"{bad}:3:3: error: open takes 2 arguments" in p.stderr, "and the next error too")
done()
