#!/usr/bin/env python3
"""The fault space: menus, picks, sets of CPUs and durations draw as documented; `pairsim pin` gives a scenario
that runs the very same run; `pairsim shrink` reduces a failing seed to fewer faults that still fail, and each
fault it keeps is needed."""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, scenario  # noqa: E402

LOTTERY = """# a lottery: a client dies with its CPU when the draw hits CPU 0 or 3
machine cpus 4 heartbeat 50ms
start $BANK program bank.pasm cpu 1 args 2
at 1ms start $C1 program bank-client.pasm cpu 0 args 0 40 0
at 1ms start $C2 program bank-client.pasm cpu 3 args 1 40 0
menu net fail bus random for random 1ms..30ms
menu net fail path random cpu random for random 1ms..30ms
at random 2ms..20ms fail cpu random
at random 1ms..40ms pick 3 from net
run for 500ms
expect $C1 exit 0
expect $C2 exit 0
"""


def trace_lines(path):
    """The trace without run_start, whose scenario field names the file, and without the scenario lines that
    fault events give (the pinned file has its own)."""
    with open(path) as f:
        return [re.sub(r',"line":\d+', "", line) for line in f if '"kind":"run_start"' not in line]


def fault_lines(text):
    return [line for line in text.splitlines() if re.match(r"at \S+ (fail|repair|reload) ", line)]


with tempfile.TemporaryDirectory() as d:
    # 1. The examples in docs/scenarios.md's fault-space sections parse and run as printed.
    doc = open(os.path.join(ROOT, "docs", "scenarios.md"), encoding="utf-8").read()
    part = doc[doc.index("#### The fault space"):doc.index("#### Random draws")]
    blocks = re.findall(r"```\n(.*?)```\n", part, re.S)
    check(len(blocks) >= 2, "the fault-space sections have examples")
    for i, block in enumerate(blocks):
        if "NAME" in block:
            continue  # the syntax summary, not an example
        path = os.path.join(d, f"doc{i}.scn")
        with open(path, "w") as f:
            f.write("machine cpus 4 heartbeat 50ms\n" + block + "run for 100ms\n")
        p = run("run", path, "--seed", "3")
        check(p.returncode == 0, f"doc example {i} runs ({p.returncode}: {p.stderr.strip()[:200]})")

    # 2. pin: the pinned scenario runs the same run, event for event.
    bank = scenario("pair-bank-faults.scn")
    pinned = os.path.join(d, "pinned.scn")
    p = run("pin", bank, "--seed", "7", "--out", pinned)
    check(p.returncode == 0, f"pin exits 0 ({p.stderr.strip()})")
    text = open(pinned).read()
    check(all("random" not in line.split("#")[0] for line in text.splitlines()), "nothing is left to draw")
    check(len(fault_lines(text)) >= 3, "a CPU failure and two outages (and their repairs) are pinned")
    t1, t2 = os.path.join(d, "a.jsonl"), os.path.join(d, "b.jsonl")
    p1 = run("run", bank, "--seed", "7", "--trace", t1)
    p2 = run("run", pinned, "--seed", "12345", "--trace", t2)
    check(p1.returncode == 0 and p2.returncode == 0, "both runs hold")
    check(trace_lines(t1) == trace_lines(t2), "the pinned scenario's trace is the seed's trace, event for event")

    # 3. shrink: a failing seed of the lottery, reduced.
    lottery = os.path.join(d, "lottery.scn")
    with open(lottery, "w") as f:
        f.write(LOTTERY)
    p = run("campaign", lottery, "--seeds", "1..24", "--jobs", "2", "--out", os.path.join(d, "camp"))
    check(p.returncode == 1, f"some seeds of the lottery fail (exit {p.returncode})")
    failing = []
    with open(os.path.join(d, "camp", "results.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["verdict"] == "failed":
                failing.append(r["seed"])
    check(failing, "the campaign lists failing seeds")
    if failing:
        seed = str(failing[0])
        small = os.path.join(d, "small.scn")
        p = run("shrink", lottery, "--seed", seed, "--out", small, timeout=600)
        check(p.returncode == 0, f"shrink exits 0 ({p.stderr.strip().splitlines()[-1:]})")
        m = re.search(r"shrunk 4 fault\(s\) to (\d+) in", p.stderr)
        check(m and int(m.group(1)) < 4, f"four faults shrink to fewer: {p.stderr.strip()[-120:]}")
        shrunk = open(small).read()
        faults = fault_lines(shrunk)
        check(any(re.match(r"at \S+ fail cpu [03]\b", f) for f in faults),
              f"what is left includes the failure of a client's CPU: {faults}")
        q = run("run", small)
        check(q.returncode == 1, "the shrunk scenario fails")
        # Each fault it kept is needed: without it the run holds.
        for line in faults:
            without = os.path.join(d, "without.scn")
            with open(without, "w") as f:
                f.write(shrunk.replace(line + "\n", ""))
            check(run("run", without).returncode == 0, f"without '{line.split('#')[0].strip()}' it holds")
        p = run("shrink", lottery, "--seed", str(max(s for s in range(1, 25) if s not in failing)))
        check(p.returncode == 2 and "holds: there is nothing to shrink" in p.stderr,
              f"a seed that holds is not shrunk (exit {p.returncode})")

    # 4. Outages of one component overlap: a scheduled repair ends its own fault only.
    overlap = os.path.join(d, "overlap.scn")
    with open(overlap, "w") as f:
        f.write("machine cpus 2 heartbeat 50ms\nat 1ms fail bus X for 10ms\nat 5ms fail bus X for 2ms\n"
                "at 2ms fail path Y cpu 1\nat 3ms fail path Y cpu 1 for 1ms\nrun for 20ms\n")
    p = run("run", overlap, "--json")
    problems = json.loads(p.stdout).get("problems", []) if p.returncode == 0 else []
    check(any("line 3: repair bus X has no effect: another fault of bus X still lasts" in x for x in problems),
          f"the short outage inside the long one does not end it: {problems}")
    check(any("line 5: repair path Y cpu 1 has no effect: another fault of path Y cpu 1 still lasts" in x
              for x in problems), "a repair does not end a fault that never ends")
    check(len(problems) == 2, "the long outage's own repair does end it")

    # 5. Bad input: where and what.
    bad = os.path.join(d, "bad.scn")
    with open(bad, "w") as f:
        f.write("run for 1s\nat 1ms pick 2 from nope\nat 2ms fail cpu random of 1 9\n")
    p = run("pin", bad)
    check(p.returncode == 2, "a bad scenario is exit 2 for pin")
    check(f"{bad}:2:20: error: no menu statement defines menu 'nope'" in p.stderr, "an undefined menu: where")
    check(f"{bad}:3:29: error: CPU 9 does not exist" in p.stderr, "a CPU outside the machine in a set: where")
    p = run("shrink", bad, "--seed", "1")
    check(p.returncode == 2, "and for shrink")

done()
