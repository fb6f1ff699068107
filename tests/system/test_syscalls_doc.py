#!/usr/bin/env python3
"""docs/syscalls.md's worked examples run as printed: each listing saved under the name its first line gives,
each scenario beside them under the name its first line gives, from a folder of their own (so a program the
page forgot to list would be taken from guest/ and fail the checks below)."""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run  # noqa: E402

doc = open(os.path.join(ROOT, "docs", "syscalls.md"), encoding="utf-8").read()
programs = {m.group(2): m.group(1) for m in re.finditer(r"```asm\n(; ([a-z_]+\.pasm)[^\n]*\n.*?)```", doc, re.S)}
scenarios = {m.group(2): m.group(1) for m in re.finditer(r"```\n(# ([a-z_-]+\.scn)[^\n]*\n.*?)```", doc, re.S)}
check({"echo_server.pasm", "echo_client.pasm", "counter_pair.pasm", "counter_client.pasm"} <= set(programs),
      f"the page lists the four programs (found {sorted(programs)})")
check({"echo.scn", "counter.scn"} <= set(scenarios), f"the page has both scenarios (found {sorted(scenarios)})")

with tempfile.TemporaryDirectory() as d:
    for name, text in {**programs, **scenarios}.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    for scn in scenarios:
        for word in re.findall(r"\bprogram (\S+)", scenarios[scn]):
            check(word in programs, f"{scn} names {word}, a program the page lists")

    def lines_of(events, process):
        return [e["text"] for e in events if e["kind"] == "output" and e.get("process") == process]

    def run_doc(scn):
        p = run("run", scn, "--json", "--trace", "trace.jsonl", cwd=d)
        with open(os.path.join(d, "trace.jsonl")) as f:
            events = [json.loads(line) for line in f]
        summary = json.loads(p.stdout) if p.stdout.startswith("{") else None
        return p, summary, events

    if "echo.scn" in scenarios:
        p, s, events = run_doc("echo.scn")
        check(p.returncode == 0, f"echo.scn passes (exit {p.returncode}) {p.stderr.strip()}")
        check(lines_of(events, "$CLI") == ["reply bytes: 13", "hello, server"], "the client prints what the page says")
    if "counter.scn" in scenarios:
        p, s, events = run_doc("counter.scn")
        check(p.returncode == 0, f"counter.scn passes (exit {p.returncode}) {p.stderr.strip()}")
        check(lines_of(events, "$CLI") == [str(i) for i in range(1, 11)], "the client prints 1 to 10, each once")
        check(lines_of(events, "$COUNTER") == ["took over, status 514"], "the backup prints its takeover status")
        before = [e for e in events if e["kind"] == "output" and e.get("process") == "$CLI" and e["t_ns"] < 250_000_000]
        check(len(before) == 5, f"1 to 5 come before the failure, as the page says ({len(before)})")
        takeover = [e for e in events if e["kind"] == "takeover"]
        check(len(takeover) == 1 and takeover[0]["t_ns"] == 475_000_000, "the takeover comes 0.225 s after the failure")
done()
