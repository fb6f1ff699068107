#!/usr/bin/env python3
"""A process pair at the edges of its protocol: a CPU failure during a checkswitch, a backup promoted before
its first checkpoint, and a checkpoint during an outage of both of the backup's paths. Each case is run at
many moments and checked by its outcome (who is primary, what was printed), not by its trace."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import check, done, run_text, scenario  # noqa: E402


def traced(text):
    """Runs scenario text with a trace; returns (summary, events)."""
    _, summary, events = run_text(text)
    return summary, events


def outputs(events, process):
    return [e["text"] for e in events if e["kind"] == "output" and e.get("process") == process]


# ---- 1. CPU 2 fails while $PAIR in CPU 1 is inside CHECKSWITCH ----
# pair-table-8-1 switches to CPU 2 after step 3. Fail CPU 2 at moments from just before the switch to after
# its acknowledgement: whatever the moment, the original process ends up the primary in CPU 1, says so with a
# takeover status (514 = 0x202, processor failed) — never "no backup" (457) — the summary names CPU 1 and
# records the takeover back, and $LOG prints every step once.
_, base = traced(open(scenario("pair-table-8-1.scn")).read())
switch_at = next(e["t_ns"] for e in base if e["kind"] == "checkswitch")
back_at = next(e["t_ns"] for e in base if e["kind"] == "checkmonitor" and e["cpu"] == 1)
check(back_at > switch_at, f"the switch at {switch_at} ns is acknowledged at {back_at} ns")
moments = list(range(switch_at - 3_000, back_at + 6_000, 731))
bad = []
for t in moments:
    text = open(scenario("pair-table-8-1.scn")).read().replace("at 150ms fail cpu 2", f"at {t}ns fail cpu 2")
    s, ev = traced(text)
    out = outputs(ev, "$PAIR")
    pair = next((p for p in (s or {}).get("pairs", []) if p["name"] == "$PAIR"), None)
    logged = outputs(ev, "$LOG")
    last = (s or {}).get("takeovers", [])[-1:] or [None]
    ok = (s is not None and pair is not None and pair["primary_cpu"] == 1 and pair["state"] != "lost"
          and "took over, status 457" not in out and "took over, status 514" in out and "done" in out
          and logged == [str(i) for i in range(1, 13)]
          and last[0] is not None and (last[0]["to_cpu"], last[0]["reason"]) == (1, "processor failed"))
    if not ok:
        bad.append((t, pair, [o for o in out if o.startswith("took over")], logged[-3:]))
check(not bad, f"checkswitch: CPU 2 failed at {len(moments)} moments around the switch; each time the original "
               f"took over in CPU 1 with status 514 and the summary says so; failures: {bad[:4]}")

# ---- 2. A backup created after a takeover is promoted before its first checkpoint ----
# pair-backup-lost: CPU 2 (the backup's) fails at 100 ms and $COUNT makes a new backup in CPU 3, then
# checkpoints to it. Fail CPU 1 (the primary's) at moments around that new backup's creation: the new backup
# either has the pair's state and takes over, counting on, or the pair is reported lost. It never restarts
# the count from 1 as if the pair were new.
_, base = traced(open(scenario("pair-backup-lost.scn")).read())
born = [e["t_ns"] for e in base if e["kind"] == "backup_created" and e["cpu"] == 3][0]
first_ckpt = next(e["t_ns"] for e in base if e["kind"] == "checkpoint" and e["t_ns"] > born)
check(first_ckpt > born, f"the new backup in CPU 3 is created at {born} ns, first checkpointed at {first_ckpt} ns")
moments = list(range(born - 40_000, first_ckpt + 20_000, 1_237))
bad, lost, took = [], 0, 0
for t in moments:
    text = open(scenario("pair-backup-lost.scn")).read().replace("at 300ms fail cpu 1", f"at {t}ns fail cpu 1")
    s, ev = traced(text)
    nums = [int(x) for x in outputs(ev, "$COUNT") if re.fullmatch(r"\d+", x)]
    restarted = any(b <= a for a, b in zip(nums, nums[1:]) if b == 1) or nums.count(1) > 1
    pair_lost = [e for e in ev if e["kind"] == "pair_lost" and e.get("pair") == "$COUNT"]
    takeovers = [t_ for t_ in (s or {}).get("takeovers", []) if t_["to_cpu"] == 3]
    if restarted or s is None:
        bad.append((t, nums[:3], nums[-3:]))
    elif pair_lost:
        state = next((p["state"] for p in s["pairs"] if p["name"] == "$COUNT"), "gone")
        if state not in ("lost", "gone"):
            bad.append((t, "pair_lost, but the summary says " + state))
        # Lost because the new backup had no checkpoint yet (not because it did not exist yet).
        lost += any("checkpoint" in e.get("reason", "") for e in pair_lost)
    elif takeovers:
        took += 1
        if not nums or nums != list(range(1, len(nums) + 1)):
            bad.append((t, "took over but counted", nums))
check(not bad, f"re-created backup: CPU 1 failed at {len(moments)} moments around the new backup's creation; "
               f"no run restarted the count; failures: {bad[:4]}")
check(lost > 0 and took > 0, f"both outcomes were seen: pair lost {lost} times (no checkpoint yet), "
                             f"taken over {took} times")

# ---- 3. A checkpoint during an outage of both of the backup's paths ----
# The bank's backup is in CPU 2. Cut both of CPU 2's paths for a time shorter than failure detection while
# the bank checkpoints, then fail the primary's CPU after the repair. Checkpoints wait for the paths (no
# "backup down" status while CPU 2 is up), so the backup that takes over has every reply the primary sent.
# A short acknowledgement timeout makes the bus resend many times within the outage.
# 400 transfers per client keep the traffic going through the outage and the failure.
bank = open(scenario("pair-bank.scn")).read().replace("heartbeat 50ms", "heartbeat 50ms ack-timeout 2ms")
bank = bank.replace(" 40 0", " 400 0").replace('"applied 40"', '"applied 400"')
check("ack-timeout 2ms" in bank and bank.count("400 0") == 3, "pair-bank.scn, 400 transfers a client, 2 ms "
      "acknowledgement timeout")
bad = []
starts = [2_000_000 + i * 1_713_000 for i in range(6)]
for start in starts:
    for fail_after in (1_000_000, 10_000_000):
        repair = start + 40_000_000  # 40 ms at a 50 ms heartbeat: it silences CPU 2 at one send at most
        text = bank.replace("at 12ms fail cpu 1", (
            f"at {start}ns fail path X cpu 2\nat {start}ns fail path Y cpu 2\n"
            f"at {repair}ns repair path X cpu 2\nat {repair}ns repair path Y cpu 2\n"
            f"at {repair + fail_after}ns fail cpu 1"))
        s, ev = traced(text)
        downs = [e for e in ev if e["kind"] == "declared_down" and e["cpu"] == 2]
        ok = s is not None and s["expectations"]["failed"] == 0 and not downs
        if not ok:
            failed = [r["text"] for r in (s or {"expectations": {"results": []}})["expectations"]["results"]
                      if not r["ok"]]
            bad.append((start, fail_after, "CPU 2 declared down" if downs else failed[:3]))
check(not bad, f"bank: both of the backup's paths out for 40 ms at {len(starts)} moments, then the primary's CPU "
               f"fails: every transfer once, money conserved, no client hung; failures: {bad[:4]}")

done()
