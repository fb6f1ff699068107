#!/usr/bin/env python3
"""The report and the summary tell what held at the end of the run, in time order: a pair never names a CPU
that is down or halted, a pair with no CPU left is lost, and an interrupted checkswitch leaves the primary
where it really is."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, run_json, scenario, tmpfile  # noqa: E402

WHOLE_MACHINE_DOWN = os.path.join(ROOT, "tests", "scenarios", "whole-machine-down.scn")


def pair(summary, name):
    return next((p for p in summary["pairs"] if p["name"] == name), None)


def pairs_name_live_cpus(summary):
    """Why the summary's pairs are wrong ([] when right): a pair's CPUs must be up and hold a running process
    of its name; a pair without a primary names no CPU."""
    up = {c["id"] for c in summary["cpus"] if c["state"] == "up"}
    running = {(p["name"], p["cpu"]) for p in summary["processes"] if p["state"] == "running"}
    wrong = []
    for p in summary["pairs"]:
        for role in ("primary_cpu", "backup_cpu"):
            cpu = p[role]
            if cpu is not None and (cpu not in up or (p["name"], cpu) not in running):
                wrong.append(f"{p['name']} {role} {cpu} ({p['state']})")
        if p["state"] in ("lost", "stopped") and (p["primary_cpu"], p["backup_cpu"]) != (None, None):
            wrong.append(f"{p['name']} is {p['state']} but names {p['primary_cpu']}, {p['backup_cpu']}")
    return wrong


def report_times(text):
    """The times of the readable report's event list, in the order printed."""
    return [float(m.group(1)) for m in re.finditer(r"^ +(\d+\.\d+) s  ", text, flags=re.M)]


# ---- 1. The whole machine goes down: nothing reports the pair lost, the summary still says so. ----
p, s = run_json(WHOLE_MACHINE_DOWN)
check(p.returncode == 0 and s is not None and s["expectations"]["failed"] == 0,
      f"whole-machine-down.scn: every expectation holds (exit {p.returncode})")
if s:
    check({c["state"] for c in s["cpus"]} == {"down", "halted"}, "no CPU is up at the end")
    for name in ("$BANK", "$C1"):
        pr = pair(s, name)
        check(pr is not None and (pr["primary_cpu"], pr["backup_cpu"], pr["state"]) == (None, None, "lost"),
              f"{name} is lost and names no CPU (got {pr})")
text = run("run", WHOLE_MACHINE_DOWN).stdout
check("  $BANK lost: primary none, backup none," in text, "the readable report says $BANK is lost")

# Every CPU failed by the scenario, none halting: the same verdict.
ALL_FAIL = """machine cpus 4 heartbeat 50ms
start $BANK program bank.pasm cpu 1 args 2
at 100ms fail cpu 0
at 100ms fail cpu 1
at 100ms fail cpu 2
at 100ms fail cpu 3
run for 400ms
expect pair $BANK lost
"""
scn = tmpfile(".scn", ALL_FAIL)
p, s = run_json(scn)
os.unlink(scn)
check(p.returncode == 0 and s and (pair(s, "$BANK")["primary_cpu"], pair(s, "$BANK")["state"]) == (None, "lost"),
      "every CPU failed: $BANK lost, no primary named")

# Only the backup's CPU down, the run ending before anyone notices: primary kept, no backup.
BACKUP_DOWN = """machine cpus 4 heartbeat 50ms
start $BANK program bank.pasm cpu 1 args 2
at 100ms fail cpu 2
run for 110ms
expect $BANK primary cpu 1
expect $BANK no backup
"""
scn = tmpfile(".scn", BACKUP_DOWN)
p, s = run_json(scn)
os.unlink(scn)
check(p.returncode == 0 and s and (pair(s, "$BANK")["primary_cpu"], pair(s, "$BANK")["backup_cpu"],
                                   pair(s, "$BANK")["state"]) == (1, None, "no backup"),
      "the backup's CPU down at the end: primary 1, no backup")

# ---- 2. Every shipped scenario: pairs name only live CPUs; events and lists in time order. ----
shipped = sorted(f for f in os.listdir(os.path.join(ROOT, "scenarios")) if f.endswith(".scn"))
for name in shipped + [WHOLE_MACHINE_DOWN]:
    path = name if os.path.isabs(name) else scenario(name)
    label = os.path.basename(path)
    p, s = run_json(path)
    if s is None:
        check(False, f"{label}: a JSON summary (exit {p.returncode})")
        continue
    wrong = pairs_name_live_cpus(s)
    check(not wrong, f"{label}: every pair names only CPUs that are up and hold it" + (f": {wrong}" if wrong else ""))
    for key, field in (("faults", "t_ns"), ("detections", "declared_ns"), ("halts", "t_ns"),
                       ("takeovers", "takeover_ns")):
        times = [x[field] for x in s[key]]
        check(times == sorted(times), f"{label}: '{key}' in time order")
    times = report_times(run("run", path).stdout)
    late = [(a, b) for a, b in zip(times, times[1:]) if b < a]
    check(times and not late, f"{label}: the report's events are in time order" + (f" ({late[:2]})" if late else ""))

# ---- 3. A checkswitch interrupted by the failure of the new primary's CPU. ----
# pair-table-8-1.scn switches $PAIR from CPU 1 to CPU 2 at about 41.7 ms. CPU 2 fails at moments around it:
# before the switch reaches CPU 2, between its takeover there and the acknowledgement, and after. Ended at
# 100 ms, before the survivors declare CPU 2 down, no summary may name CPU 2; ended at 600 ms, the process
# in CPU 1 holds the primary again.
base = open(scenario("pair-table-8-1.scn")).read()
trace = tmpfile(".jsonl")
run("run", scenario("pair-table-8-1.scn"), "--trace", trace)
ev = [json.loads(line) for line in open(trace)]
os.unlink(trace)
switch = next(e["t_ns"] for e in ev if e["kind"] == "checkswitch")
took = next(e["t_ns"] for e in ev if e["kind"] == "takeover" and e["reason"] == "checkswitch")
acked = next(e["t_ns"] for e in ev if e["kind"] == "checkmonitor" and e["cpu"] == 1 and e["t_ns"] > took)
moments = list(range(switch - 5_000, acked + 5_000, 1_000)) + [took + 1, (took + acked) // 2]
bad_short, bad_long = [], []
for t in moments:
    for end, bad in (("100ms", bad_short), ("600ms", bad_long)):
        text = re.sub(r"^at 150ms fail cpu 2$", f"at {t}ns fail cpu 2", base, flags=re.M)
        text = re.sub(r"^run for 600ms$", f"run for {end}", text, flags=re.M)
        text = "\n".join(l for l in text.splitlines() if not l.startswith("expect"))
        scn = tmpfile(".scn", text + "\n")
        p, s = run_json(scn)
        os.unlink(scn)
        if s is None:
            bad.append((t, f"exit {p.returncode}"))
            continue
        pr = pair(s, "$PAIR")
        wrong = pairs_name_live_cpus(s)
        if wrong or pr is None:
            bad.append((t, wrong or "no $PAIR"))
        elif end == "600ms" and (pr["primary_cpu"], pr["backup_cpu"], pr["state"]) != (1, None, "no backup"):
            bad.append((t, pr))
        elif end == "100ms" and t < took and (pr["primary_cpu"], pr["state"]) != (1, "no backup"):
            bad.append((t, pr))  # the switch never reached CPU 2: CPU 1 is still the primary
check(not bad_short, f"checkswitch at {switch} ns, CPU 2 failing at {len(moments)} moments around it, run ended "
      f"before the detection: no pair names CPU 2" + (f"; wrong: {bad_short[:3]}" if bad_short else ""))
check(not bad_long, f"the same, run to the end: $PAIR ends with its primary in CPU 1 and no backup"
      + (f"; wrong: {bad_long[:3]}" if bad_long else ""))

done()
