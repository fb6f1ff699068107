#!/usr/bin/env python3
"""docs/scenarios.md's complete example runs as printed, from a folder of its own, and passes."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run_json  # noqa: E402

doc = open(os.path.join(ROOT, "docs", "scenarios.md"), encoding="utf-8").read()
section = doc[doc.index("## A complete example"):]
m = re.search(r"```\n(.*?)```\n", section, re.S)
check(m is not None, "the complete example has a code block")
if m:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "takeover.scn")
        with open(path, "w") as f:
            f.write(m.group(1))
        p, s = run_json(path)
        check(p.returncode == 0, f"the example passes (exit {p.returncode}) {p.stderr.strip()}")
        if s:
            check(s["expectations"]["failed"] == 0 and s["expectations"]["passed"] >= 10, "every expectation held")
            check(len(s["takeovers"]) == 2, "a takeover and a checkswitch back")
done()
