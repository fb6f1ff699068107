#!/usr/bin/env python3
"""The ptal bank pair with its primary's CPU failing very early (scenarios/pair-bank-early-ptal.scn): the window
covers the backup's creation, the first checkpoint and the first replies; a sweep over it holds at every moment;
moments before the first checkpoint arrives start the pair afresh (checkmonitor returns 514 in pair_start) and
later ones resume from a checkpoint, both without losing, repeating or hanging a transfer; before the backup
exists the pair is lost (docs/language.md, "Unprotected until the first checkpoint")."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import check, done, run, run_text, scenario  # noqa: E402

with open(scenario("pair-bank-early-ptal.scn")) as f:
    text = f.read()
m = re.search(r"^at random (\d+)us\.\.(\d+)us fail cpu 1.*$", text, re.M)
check(m is not None, "the scenario moves one failure of CPU 1 over a window given in µs")
lo, hi = int(m.group(1)) * 1000, int(m.group(2)) * 1000


def at(t_ns):
    return text.replace(m.group(0), f"at {t_ns}ns fail cpu 1" if t_ns is not None else "")


# The fault-free run: where the backup's creation, the first checkpoint and the first reply fall.
_, _, ev = run_text(at(None))
born = next(e["t_ns"] for e in ev if e["kind"] == "process_start" and e["cpu"] == 2 and e["process"] == "$BANK")
first_ckpt = next(e["t_ns"] for e in ev if e["kind"] == "checkpoint" and e["pair"] == "$BANK")
announced = next(e["t_ns"] for e in ev if e["kind"] == "output" and e.get("process") == "$BANK"
                 and e["text"] == "backup created in cpu 2")
check(born < lo < first_ckpt < announced < hi - 300_000,
      f"the window {lo}..{hi} ns starts after the backup exists ({born}) and before the first checkpoint "
      f"({first_ckpt}), which 'backup created in cpu 2' follows ({announced}), and runs on well past them")

# A sweep: every moment holds (clients exit 0 with every count right, total 100000, invariants held).
out = tempfile.mkdtemp(prefix="pairsim-early-")
p = run("sweep", scenario("pair-bank-early-ptal.scn"), "--moments", "120", "--jobs", "2", "--out", out)
check(p.returncode == 0 and "held 120, failed 0" in p.stdout + p.stderr,
      f"a sweep of 120 moments over the window: all hold (exit {p.returncode}) {(p.stdout + p.stderr)[-300:]}")

# Both regimes occur, and each behaves as the page says.
afresh, resumed, wrong = 0, 0, []
for t in range(lo, hi, 37_123):
    _, s, ev = run_text(at(t))
    bank = [e["text"] for e in ev if e["kind"] == "output" and e.get("process") == "$BANK"]
    took = [e for e in ev if e["kind"] == "takeover" and e["pair"] == "$BANK"]
    exits = sorted(x["exit"] for x in (s or {}).get("processes", []) if x["name"].startswith("$C"))
    fresh = "no checkpoint yet: starting afresh" in bank
    if s is None or exits != [0, 0, 0] or len(took) != 1 or "took over, status 514" not in bank:
        wrong.append((t, exits, bank[-3:]))
    elif fresh != (took[0]["checkpoints"] == 0):
        wrong.append((t, "afresh" if fresh else "resumed", took[0]["checkpoints"]))
    afresh += fresh
    resumed += not fresh
check(not wrong and afresh >= 2 and resumed >= 10,
      f"failures at {afresh + resumed} moments: {afresh} before the first checkpoint arrived start afresh, "
      f"{resumed} after it resume from it; every client exit 0 each time" + (f"; wrong: {wrong[:3]}" if wrong else ""))

# Before the backup exists the named process is alone: the pair is lost and the clients get the path error.
_, s, ev = run_text(at(born - 100_000))
state = next((x["state"] for x in (s or {}).get("pairs", []) if x["name"] == "$BANK"), "gone")
check(state == "lost" and any(e["kind"] == "pair_lost" for e in ev),
      f"CPU 1 failing before the backup exists loses the pair (state {state})")
done()
