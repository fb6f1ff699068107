#!/usr/bin/env python3
"""The timeline (`run --perfetto`, `export perfetto`): trace-event JSON that ui.perfetto.dev and chrome://tracing
load. Shipped scenarios give files that keep the format's rules; a takeover shows its fault, detection and
takeover; the export of a run's trace is the same file; the same seed gives the same bytes; bad input is
refused."""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, ROOT, check, done, run, scenario, tmpfile  # noqa: E402

REQUIRED = {"B": ("ts", "cat"), "E": ("ts",), "X": ("ts", "cat", "dur"), "i": ("ts", "cat", "s"),
            "I": ("ts", "cat", "s"), "s": ("ts", "cat", "id"), "t": ("ts", "cat", "id"), "f": ("ts", "cat", "id"),
            "M": ("args",)}


def problems(doc):
    """What breaks the trace-event format's rules ([] when nothing does)."""
    out = []
    events = doc.get("traceEvents") if isinstance(doc, dict) else None
    if not isinstance(events, list):
        return ["no traceEvents list"]
    stacks, last, flows, used, named, groups, spans = {}, {}, {}, set(), set(), set(), {}
    for e in events:
        ph = e.get("ph")
        if ph not in REQUIRED:
            out.append(f"unknown phase in {e}")
            continue
        missing = [k for k in ("name", "pid", "tid") + REQUIRED[ph] if k not in e]
        if missing:
            out.append(f"{ph} {e.get('name')}: no {missing}")
            continue
        track = (e["pid"], e["tid"])
        if ph == "M":
            if e["name"] == "thread_name":
                named.add(track)
            if e["name"] == "process_name":
                groups.add(e["pid"])
            continue
        used.add(track)
        if not isinstance(e["ts"], (int, float)) or e["ts"] < 0:
            out.append(f"{ph} {e['name']}: ts {e['ts']!r}")
            continue
        if ph in "BE":
            if e["ts"] < last.get(track, 0):
                out.append(f"{ph} {e['name']} at {e['ts']}: goes back in time on {track}")
            last[track] = e["ts"]
            stack = stacks.setdefault(track, [])
            if ph == "B":
                stack.append(e["name"])
            elif not stack:
                out.append(f"E {e['name']} at {e['ts']} on {track}: ends nothing")
            elif stack[-1] != e["name"]:
                out.append(f"E {e['name']} at {e['ts']} on {track}: ends {stack[-1]} (not nested)")
            else:
                stack.pop()
        elif ph == "X":
            if not e["dur"] >= 0:
                out.append(f"X {e['name']}: dur {e['dur']}")
            else:
                begin = round(e["ts"] * 1000)  # in ns, whole: a sum of floats would not meet the next span exactly
                spans.setdefault(track, []).append((begin, begin + round(e["dur"] * 1000), e["name"]))
        elif ph in ("i", "I") and e["s"] not in ("t", "p", "g"):
            out.append(f"i {e['name']}: scope {e['s']}")
        elif ph in "stf":
            flows.setdefault(e["id"], []).append((ph, e["ts"]))
    out += [f"B {name} on {track}: never ends" for track, stack in stacks.items() for name in stack]
    for track, spans_of in spans.items():
        # One X inside another or apart from it, never half over it: outer ones first among those that begin together.
        enclosing = []
        for begin, end, name in sorted(spans_of, key=lambda s: (s[0], -s[1])):
            while enclosing and enclosing[-1][0] <= begin:
                enclosing.pop()
            if enclosing and end > enclosing[-1][0]:
                out.append(f"X {name} at {begin} ns on {track}: overlaps {enclosing[-1][1]} without nesting")
            enclosing.append((end, name))
    for fid, points in flows.items():
        phases = "".join(p for p, _ in points)
        times = [t for _, t in points]
        if not re.fullmatch(r"st*f", phases) or times != sorted(times):
            out.append(f"flow {fid}: {phases} at {times}")
    out += [f"track {t} has no thread_name" for t in sorted(used - named)]
    out += [f"group {p} has no process_name" for p in sorted({t[0] for t in used} - groups)]
    return out


def perfetto(scn, *args):
    """Runs a scenario with --perfetto (and any other options): (process, file bytes, parsed file or None)."""
    out = tmpfile(".json")
    p = run("run", scn, "--perfetto", out, *args)
    data = open(out, "rb").read()
    os.unlink(out)
    try:
        return p, data, json.loads(data)
    except ValueError:
        return p, data, None


def names(doc, ph, cat=None):
    return [e["name"] for e in doc["traceEvents"] if e["ph"] == ph and (cat is None or e.get("cat") == cat)]


# ---- 1. Shipped scenarios give valid files. ----
for name in ("takeover-demo", "cpu-failure", "reload", "split-brain", "bus-failure", "pair-bank", "pair-switch",
             "pair-table-8-1", "pair-double-failure", "bank-disk", "bank-disk-faults", "term-counter",
             "guest-echo", "guest-monitor", "guest-path-error"):
    p, data, doc = perfetto(scenario(name + ".scn"))
    if doc is None:
        check(False, f"{name}: the file is JSON (exit {p.returncode}, {p.stderr.strip()[:200]})")
        continue
    wrong = problems(doc)
    check(p.returncode in (0, 1) and not wrong, f"{name}: a valid trace-event file" + (f": {wrong[:5]}" if wrong else ""))
    timed = [e["ts"] for e in doc["traceEvents"] if e["ph"] != "M"]
    check(timed == sorted(timed), f"{name}: its lines in time order")
    check(re.search(rb'"ts":(?!\d+\.\d{3}[,}])', data) is None, f"{name}: every ts is microseconds with three decimals")

# ---- 2. A takeover: the fault, its detection, the takeover, roles, and arrows. ----
p, data, doc = perfetto(scenario("takeover-demo.scn"))
check(doc is not None, "takeover-demo: a file")
if doc:
    ev = doc["traceEvents"]
    check("fault: fail cpu 1" in names(doc, "I", "fault"), "takeover-demo: an instant for the fault")
    check("declared cpu 1 down" in names(doc, "I", "detection"), "takeover-demo: an instant for the detection")
    check("takeover from cpu 1 (processor failed)" in names(doc, "I", "takeover"),
          "takeover-demo: an instant for the takeover")
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
    groups = {e["pid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
    check({"scenario", "cpu 0", "cpu 1", "cpu 2", "cpu 3"} <= set(groups.values()), "a group per CPU and the scenario")
    check(sum(1 for n in threads.values() if n.startswith("$COUNT") and not n.endswith("role")) == 3,
          "a track per process: $COUNT in CPUs 1, 2 and 3")
    cpu1 = next(k for k, v in threads.items() if v == "cpu 1")
    states = [(e["name"], e["ts"], e["ts"] + e["dur"]) for e in ev if (e["pid"], e["tid"]) == cpu1 and e["ph"] == "X"]
    check(states == [("up", 0.0, 420000.0), ("down", 420000.0, 1500000.0)],
          f"CPU 1 is up until 420 ms and down until the run ends ({states})")
    roles = [(threads[(e["pid"], e["tid"])], e["ph"], e["name"]) for e in ev if e.get("cat") == "role"]
    check(("$COUNT pin 2 role", "X", "backup") in roles and ("$COUNT pin 2 role", "X", "primary") in roles,
          "the backup's role track shows it a backup, then the primary")
    check(any(e["ph"] == "X" and e["name"] == "checkmonitor" and e["dur"] > 0 for e in ev),
          "the backup waits in checkmonitor")
    check(not any(e["ph"] in "BE" for e in ev), "every span a complete (X) event, none a B and an E")
    flows = {}
    for e in ev:
        if e["ph"] in "stf":
            flows.setdefault(e["id"], []).append(e)
    cps = [f for f in flows.values() if f[0]["name"] == "checkpoint"]
    check(len(cps) > 30 and all(f[0]["pid"] != f[-1]["pid"] for f in cps),
          f"checkpoint arrows from the primary's CPU to the backup's ({len(cps)})")

# Messages: each request's arrow goes send → receive → reply → receive.
p, data, doc = perfetto(scenario("pair-bank.scn"))
if doc:
    flows = {}
    for e in doc["traceEvents"]:
        if e["ph"] in "stf":
            flows.setdefault(e["id"], []).append(e["ph"])
    msgs = [e for e in doc["traceEvents"] if e["ph"] in "stf" and e["name"] == "message"]
    check(len(msgs) > 100 and "".join(flows[msgs[0]["id"]]) == "sttf",
          f"pair-bank: message arrows, the first send → receive → reply → receive ({len(msgs)} points)")
    resent = [f for f in flows.values() if len(f) > 4]
    check(resent, "pair-bank: a request resent after the takeover has a longer arrow")

# ---- 3. The export of a run's trace is the same file, and the same seed gives the same bytes. ----
for name, seed in (("takeover-demo", "1"), ("bank-disk-faults", "7"), ("pair-switch", "3")):
    trace = tmpfile(".jsonl")
    out = tmpfile(".json")
    first = run("run", scenario(name + ".scn"), "--seed", seed, "--trace", trace, "--perfetto", out)
    a = open(out, "rb").read()
    second = run("run", scenario(name + ".scn"), "--seed", seed, "--perfetto", out)
    b = open(out, "rb").read()
    exported = run("export", "perfetto", trace, "-o", out)
    c = open(out, "rb").read()
    check(first.returncode == second.returncode and len(a) > 1000 and a == b,
          f"{name} seed {seed}: two runs give byte-identical files")
    check(exported.returncode == 0 and c == a, f"{name} seed {seed}: export perfetto of its trace gives the same bytes")
    os.unlink(trace)
    os.unlink(out)

# ---- 4. Bad input: exit 2 with FILE: error, or FILE:LINE:1: error. ----
out = tmpfile(".json")
p = run("export", "perfetto", "missing.jsonl", "-o", out)
check(p.returncode == 2 and p.stderr.startswith("missing.jsonl: error: "),
      f"a missing trace: exit 2 and 'missing.jsonl: error:' ({p.returncode}, {p.stderr.strip()})")
bad = tmpfile(".jsonl", '{"t_ns":0,"kind":"run_start","scenario":"x","seed":1,"cpus":2}\nnot a trace line\n')
p = run("export", "perfetto", bad, "-o", out)
check(p.returncode == 2 and p.stderr.startswith(f"{bad}:2:1: error: "),
      f"a file that is not a trace: exit 2 and FILE:2:1: error ({p.returncode}, {p.stderr.strip()})")
os.unlink(bad)
os.unlink(out)

# ---- 5. docs/inspect.md's example runs as printed, from a folder of its own. ----
doc = open(os.path.join(ROOT, "docs", "inspect.md"), encoding="utf-8").read()
section = doc[doc.index("## The timeline"):]
section = section[:section.find("\n## ", 1)]
m = re.search(r"```sh\n(.*?)```\n", section, re.S)
check(m is not None, "inspect.md: the timeline has an example")
if m:
    with tempfile.TemporaryDirectory() as d:
        os.symlink(os.path.join(ROOT, "scenarios"), os.path.join(d, "scenarios"))
        os.mkdir(os.path.join(d, "build"))
        os.symlink(os.path.abspath(PAIRSIM), os.path.join(d, "build", "pairsim"))
        p = subprocess.run(["bash", "-e", "-c", m.group(1)], cwd=d, capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
        same = p.returncode == 0 and open(os.path.join(d, "takeover.json"), "rb").read() == \
            open(os.path.join(d, "again.json"), "rb").read()
        check(same, "inspect.md: the example runs, and its two files are the same" +
              ("" if same else f": exit {p.returncode}, {p.stderr[-300:]}"))
        last = p.stdout.strip().splitlines()[-1:] or [""]
        check("'fault: fail cpu 1'" in last[0] and "'takeover from cpu 1 (processor failed)'" in last[0] and
              last[0].count("'declared cpu 1 down'") == 3, f"inspect.md: the example prints what it says ({last[0]})")

done()
