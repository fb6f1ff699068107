#!/usr/bin/env python3
"""The machine's invariants, checked in every run: the shipped scenarios hold them under their faults; a
pair that replies before it checkpoints breaks "no stale takeover" exactly when a takeover falls in that
window — exactly when its client sees a transfer lost —; a server that never answers breaks "no hung
request"; `expect invariants` fails on a violation; a campaign reports violations per seed and by rule."""
import glob
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, run_json, run_text, tmpfile  # noqa: E402

BROKEN = os.path.join(ROOT, "tests", "programs", "bank-reply-first.pasm")
MUTE = os.path.join(ROOT, "tests", "programs", "mute-server.pasm")
ALL_HELD = "invariants: all held (one primary, no stale takeover, no hung request, membership agreement)"


def bank(program, fail_at, extra=""):
    """$BANK (primary in CPU 1, backup in CPU 2) and one client doing 30 transfers back to back; the
    primary's CPU fails at fail_at (None: no failure). The broken bank pauses 1 ms between reply and
    checkpoint."""
    args = "2 1000" if program == BROKEN else "2"
    return (f"machine cpus 4 heartbeat 20ms\n"
            f"start $BANK program {program} cpu 1 args {args}\n"
            f"at 1ms start $C1 program bank-client.pasm cpu 0 args 0 30 0\n"
            + (f"at {fail_at} fail cpu 1\n" if fail_at else "")
            + f"run for 500ms\n{extra}")


def run_scn(text, *args):
    """Runs scenario text from a temporary file: (process, summary or None) with --json, else (process, None)."""
    scn = tmpfile(".scn", text)
    try:
        if "--json" in args:
            return run_json(scn, *[a for a in args if a != "--json"])
        return run("run", scn, *args), None
    finally:
        os.unlink(scn)


def rules(summary):
    return [v["rule"] for v in summary["invariants"]] if summary else None


def client_exit(summary):
    return next((p["exit"] for p in summary["processes"] if p["name"] == "$C1"), None)


# ---- 1. Every shipped scenario holds every invariant ----
for scn in sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.scn"))):
    p, s = run_json(scn)
    check(s is not None and s["invariants"] == [],
          f"{os.path.basename(scn)}: no invariant broken ({s and [v['text'] for v in s['invariants']]})")
p = run("run", os.path.join(ROOT, "scenarios", "pair-bank.scn"))
check(ALL_HELD in p.stdout, "the readable report says every invariant held")

# ---- 2. Reply, then checkpoint: a takeover in between is stale ----
p, s, ev = run_text(bank(BROKEN, "20ms", "expect invariants\n"))
check(p.returncode == 1 and rules(s) == ["no stale takeover"],
      f"the broken bank failed at 20 ms: 'no stale takeover', expect invariants fails (exit {p.returncode}, {rules(s)})")
if s and s["invariants"]:
    v = s["invariants"][0]
    take = [e for e in ev if e["kind"] == "takeover"]
    check(v["pair"] == "$BANK" and v["cpus"] == [1, 2] and take and v["t_ns"] == take[0]["t_ns"],
          f"the violation names $BANK, cpus 1 and 2, at the takeover: {v}")
    ahead = [e for e in ev if e["kind"] == "reply_ahead" and e["t_ns"] < 20_000_000]
    check(ahead and take and take[0]["checkpoints"] == ahead[-1]["checkpoints"],
          "the backup took over with the checkpoints the primary had sent at its last reply, one short of it")
    seqs = [e["seq"] for e in ev if e["kind"] == "checkpoint"]
    check(seqs == list(range(1, len(seqs) + 1)), f"checkpoints are numbered 1, 2, … on their link: {seqs[:5]}…")
    exp = [r for r in s["expectations"]["results"] if r["text"] == "expect invariants"]
    check(exp and not exp[0]["ok"] and exp[0]["detail"].startswith("1 violated: no stale takeover at "),
          f"expect invariants says what was broken: {exp and exp[0]['detail']}")
check(s is not None and client_exit(s) == 1, "... and the client saw the transfer lost (exit 1, a bad reply)")
text = run_scn(bank(BROKEN, "20ms"))[0].stdout
check("invariants: 1 violated\n  ✗ no stale takeover at 0.055000 s: $BANK: cpu 2 took over from cpu 1" in text,
      "the readable report lists the violation")
check("reply ahead $BANK cpu 1 replied to 0,2 sync" in text, "... and every reply that left ahead of its checkpoint")

# The same program without a failure: the replies are ahead, but no backup ever takes over from them.
p, s, ev = run_text(bank(BROKEN, None, "expect invariants\n"))
ahead = [e["sync_id"] for e in ev if e["kind"] == "reply_ahead"]
check(p.returncode == 0 and rules(s) == [] and ahead == list(range(1, 31)),
      f"without a failure the broken bank breaks nothing; its 30 transfer replies are traced as reply_ahead, "
      f"its reply to the total (a read) is not (exit {p.returncode}, {ahead[-3:]})")

# The right order (guest/bank.pasm) at the same moment: nothing ahead, nothing broken.
p, s, ev = run_text(bank("bank.pasm", "20ms", "expect invariants\n"))
check(p.returncode == 0 and rules(s) == [] and client_exit(s) == 0 and
      not any(e["kind"] == "reply_ahead" for e in ev),
      f"bank.pasm failed at 20 ms: no reply ahead, no invariant broken, the client exits 0 (exit {p.returncode})")

# The invariant is broken exactly when the failure falls between a reply and its checkpoint's arrival —
# exactly when the client, checking every reply, finds a transfer lost.
agree, broke, kept = [], 0, 0
for i in range(24):
    at = 3_000_000 + i * 1_037_113                 # spread over the traffic, at odd offsets
    p, s = run_scn(bank(BROKEN, f"{at}ns"), "--json")
    stale = rules(s) == ["no stale takeover"]
    lost = s is not None and client_exit(s) != 0
    broke += stale
    kept += not stale
    agree.append(stale == lost and rules(s) in ([], ["no stale takeover"]))
check(all(agree) and broke > 0 and kept > 0,
      f"over 24 failure moments the invariant and the client agree every time ({broke} stale, {kept} not)")

# Deterministic, with the new events in it.
scn = tmpfile(".scn", bank(BROKEN, "20ms"))
traces = []
for _ in range(2):
    t = tmpfile(".jsonl")
    run("run", scn, "--trace", t)
    with open(t, "rb") as f:
        traces.append(f.read())
    os.unlink(t)
os.unlink(scn)
check(traces[0] == traces[1] and b'"reply_ahead"' in traces[0], "the same run twice gives the same trace")

# The example of docs/scenarios.md does what the page shows, line for line.
with open(os.path.join(ROOT, "docs", "scenarios.md"), encoding="utf-8") as f:
    page = f.read()
blocks = re.findall(r"```\n(.*?)```", page[page.index("as `stale.scn`."):], flags=re.S)
p, _ = run_scn(blocks[0])
shown = [line for line in blocks[1].splitlines() if line.strip() not in ("", "…")]
missing = [line for line in shown if line not in p.stdout.splitlines()]
check(p.returncode == 1 and not missing, f"docs/scenarios.md: stale.scn prints what the page shows (not {missing})")

# ---- 3. A request its live server never answers ----
MUTE_SCN = f"""machine cpus 3 heartbeat 10ms ack-timeout 10ms
start $SERV program {MUTE} cpu 1
start $CLI program client.pasm cpu 2 args 3 64
run for RUN
expect invariants
"""
p, s, ev = run_text(MUTE_SCN.replace("RUN", "200ms"))
check(p.returncode == 1 and rules(s) == ["no hung request"],
      f"a mute server: 'no hung request' (exit {p.returncode}, {rules(s)})")
if s and s["invariants"]:
    v = s["invariants"][0]
    opened = [e for e in ev if e["kind"] == "request_open"]
    check(v["pair"] == "$SERV" and v["cpus"] == [2] and len(opened) == 1 and v["t_ns"] == opened[0]["since_ns"] and
          opened[0]["hung_after_ns"] == 5 * 10_000_000 + 2 * 10_000_000,
          f"it names the server, the requester's CPU and when the request was made: {v}")
# Over before 5 heartbeats and 2 acknowledgement timeouts (70 ms): a request in progress, not hung.
p, s, ev = run_text(MUTE_SCN.replace("RUN", "60ms"))
check(p.returncode == 0 and rules(s) == [] and any(e["kind"] == "request_open" for e in ev),
      f"the same request 59 ms old at the end is still in progress (exit {p.returncode})")
# The server's CPU fails: nobody is left to answer, and the requester is told (error 201), not left hanging.
p, s, ev = run_text(MUTE_SCN.replace("RUN", "300ms").replace("expect invariants", "at 20ms fail cpu 1\nexpect invariants"))
check(p.returncode == 0 and rules(s) == [], f"a server whose CPU failed leaves no hung request (exit {p.returncode})")

# ---- 4. A campaign reports them, held or not ----
LOTTERY = bank(BROKEN, None).replace("run for 500ms", "at random 2ms..30ms fail cpu 1\nrun for 500ms")
with tempfile.TemporaryDirectory() as d:
    scn = os.path.join(d, "lottery.scn")
    with open(scn, "w") as f:
        f.write(LOTTERY)
    out = os.path.join(d, "out")
    p = run("campaign", scn, "--seeds", "1..12", "--jobs", "2", "--out", out)
    with open(os.path.join(out, "results.jsonl")) as f:
        res = [json.loads(line) for line in f]
    with open(os.path.join(out, "summary.json")) as f:
        summ = json.load(f)
    broken = [r["seed"] for r in res if r["invariants"] == ["no stale takeover"]]
    check(p.returncode == 0 and all(r["verdict"] == "held" for r in res) and 0 < len(broken) < 12 and
          all(r["invariants"] in ([], ["no stale takeover"]) for r in res),
          f"without `expect invariants` every seed holds, and its result line names what it broke ({broken})")
    check(summ["invariants"] == {"one primary": 0, "no stale takeover": len(broken), "no hung request": 0,
                                 "membership agreement": 0} and summ["held_with_violations"] == len(broken) and
          [v["seed"] for v in summ["violating_seeds"]] == broken,
          "summary.json counts them by rule and lists the seeds")
    check("invariants broken (in how many seeds):\n" in p.stdout and
          "seeds that held but broke an invariant (the scenario has no `expect invariants`):" in p.stdout,
          "the closing text says so")
    with open(scn, "a") as f:
        f.write("expect invariants\n")
    p = run("campaign", scn, "--seeds", "1..12", "--jobs", "2", "--out", out)
    with open(os.path.join(out, "results.jsonl")) as f:
        again = [json.loads(line) for line in f]
    check(p.returncode == 1 and [r["seed"] for r in again if r["verdict"] == "failed"] == broken and
          all(os.path.exists(os.path.join(out, f"seed-{b}", "trace.jsonl")) for b in broken),
          "with `expect invariants` the same seeds fail, each kept with its trace")

done()
