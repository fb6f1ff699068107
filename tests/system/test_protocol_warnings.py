#!/usr/bin/env python3
"""Protocol warnings and --explain, on the binary: each student's mistake in tests/programs/ (run by the
scenarios in tests/scenarios/warnings/) passes its expectations yet gets its warning, with the pair, the
process, the time and what to read, in the JSON summary and the report; no shipped scenario gets one (the
good programs); `run --explain` on takeover-demo.scn tells the chain from the failure to the takeover in
the sentences docs/process-pairs.md shows (its examples are what the runs print), and `table --explain`
tells it again from the trace."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, run_json, scenario, tmpfile  # noqa: E402

KERNEL = "docs/process-pairs.md#checkpoint-and-takeover-as-the-kernel-does-them"
WARNINGS = os.path.join(ROOT, "tests", "scenarios", "warnings")

# scenario: [(rule, pair, process, t_ns, read)] expected, in time order
EXPECTED = {
    "no-isbackup.scn": [("backup never in checkmonitor", "$COUNT", "2,2", 237272, KERNEL)],
    "no-stack.scn": [("no stack checkpoint", "$COUNT", "1,2", 309772, KERNEL)],
    "late-monitor.scn": [("checkpoint blocked", "$COUNT", "1,2", 309772, KERNEL)],
    "alone.scn": [("reply before checkpoint", "$BANK", "1,2", 1347424,
                   "docs/process-pairs.md#requests-sync-ids-and-saved-replies"),
                  ("no backup most of the run", "$BANK", "2,2", 110000000, "docs/process-pairs.md#keeping-a-backup")],
    "checkpoint-no-reply.scn": [("request done again", "$BANK", "1,2", 55000000,
                                 "docs/process-pairs.md#requests-sync-ids-and-saved-replies")],
}

# 1. Each bad program: expectations pass (exit 0), and the warning says what went wrong.
for name, want in EXPECTED.items():
    path = os.path.join(WARNINGS, name)
    p, s = run_json(path)
    got = [(w["rule"], w["pair"], w["process"], w["t_ns"], w["read"]) for w in s["warnings"]] if s else None
    check(p.returncode == 0 and got == want, f"{name}: exit 0 and warnings {want} (got exit {p.returncode}, {got})")
    text = run("run", path).stdout
    for rule, pair, process, _, read in want:
        check(f"! {rule} at " in text and f": {pair} ({process})\n" in text and f"    read {read}\n" in text,
              f"{name}: the report shows '{rule}' for {pair} ({process}) and what to read")

blocked = run_json(os.path.join(WARNINGS, "late-monitor.scn"))[1]
check(blocked and "waited 0.300 s (3.0 heartbeats) for its backup (2,2) to call checkmonitor" in blocked["warnings"][0]["text"],
      "late-monitor.scn: the blocked checkpoint's wait is measured, in seconds and heartbeats")

# The same bank without the failure: its checkpoints carry transfers without their replies (the trace says
# so), but nothing is done again, and there is nothing to warn of.
with open(os.path.join(WARNINGS, "checkpoint-no-reply.scn")) as f:
    calm = f.read().replace("at 2711351ns fail cpu 1\n", "").replace("expect takeover $BANK\n", "")
calm = calm.replace("expect $C1 exit 1", "expect $C1 exit 0")
calm = calm.replace("../../programs/", os.path.join(ROOT, "tests", "programs") + "/")
calm_path = tmpfile(".scn", calm)
trace = tmpfile(".jsonl")
p = run("run", calm_path, "--json", "--trace", trace)
os.unlink(calm_path)
unsaved = [line for line in open(trace, encoding="utf-8") if '"kind":"checkpoint_unsaved"' in line]
os.unlink(trace)
summary = json.loads(p.stdout) if p.returncode == 0 else None
check(summary is not None and summary["warnings"] == [] and len(unsaved) == 30,
      f"without a failure: exit 0, 30 checkpoint_unsaved in the trace, no warning (exit {p.returncode}, {len(unsaved)})")

# Over 40 failure moments the warning comes exactly when the client, checking every reply, finds a transfer
# applied twice.
agree, warned = [], 0
for i in range(40):
    text = calm.replace("run for 500ms", f"at {2_000_000 + i * 337_117}ns fail cpu 1\nrun for 500ms")
    path = tmpfile(".scn", text)
    p, s = run_json(path)
    os.unlink(path)
    again = s is not None and [w["rule"] for w in s["warnings"]] == ["request done again"]
    doubled = s is not None and next((q["exit"] for q in s["processes"] if q["name"] == "$C1"), None) == 1
    warned += again
    agree.append(s is not None and again == doubled and (again or s["warnings"] == []))
check(all(agree) and 0 < warned < 40,
      f"over 40 failure moments the warning and the client agree every time ({warned} warned)")

page = tmpfile(".html")
run("run", os.path.join(WARNINGS, "no-stack.scn"), "--html", page)
html = open(page, encoding="utf-8").read()
os.unlink(page)
check('<section id="warnings">' in html and "no stack checkpoint at 0.000310 s: $COUNT (1,2)" in html,
      "the report page (--html) has a section of protocol warnings")

# 2. The good programs: no shipped scenario gets a warning.
for path in sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.scn"))):
    p, s = run_json(path)
    check(s is not None and s["warnings"] == [],
          f"{os.path.basename(path)}: no protocol warning (got {s and [w['rule'] for w in s['warnings']]})")

# 3. --explain on takeover-demo.scn: the chain, in sentences with times.
p = run("run", scenario("takeover-demo.scn"), "--explain")
out = p.stdout
SENTENCES = [
    "cpu 1 failed at 0.420000 s (fail cpu 1, scenario line 23). How the other CPUs found out:",
    "      0.400000 s  cpu 1 sent its last I'm-alive; the others' check at 0.450000 s counted it",
    "      0.550000 s  cpus 0, 2 and 3 heard no I'm-alive from cpu 1 at their check: a first miss is only noted",
    "      0.650000 s  a second check in a row without one: cpus 0, 2 and 3 suspect cpu 1",
    "      0.650000 s  cpus 0, 2 and 3 enter regroup round 1 (suspect 1)",
    "      0.675000 s  regroup round 1 ends for cpus 0, 2 and 3 with the members 0,2,3: cpu 1 is not among them",
    "      0.675000 s  cpus 0, 2 and 3 declare cpu 1 down",
    "  Detection took 0.255000 s (2.55 heartbeats) after the failure: 0.130000 s to the first check that missed it; "
    "0.100000 s more to the second check, the suspicion; 0.025000 s of regroup.",
    "$COUNT: the backup (2,2) in cpu 2 took over from cpu 1 at 0.675000 s (processor failed).",
    "it had applied 18 checkpoints of the old primary, the last sent at 0.401241 s; it resumed just after the stack "
    "checkpoint of 0.401241 s, whose checkpoint call returns 0x202 (takeover, its processor failed)",
    "  The gap of 0.255000 s (2.55 heartbeats) from the failure to the takeover is the detection above; the takeover "
    "itself takes no time.",
]
missing = [s for s in SENTENCES if s not in out]
check(p.returncode == 0 and not missing, f"takeover-demo --explain says each step (missing: {missing})")
check(out.index("explanation:") > out.index("passed,"), "the explanation follows the report")
check("legend: $NAME (c,p) is process p in cpu c (cpu,pin)" in out, "the report's legend explains (cpu,pin)")
check("takeover    $COUNT cpu 1 → cpu 2 (processor failed, status 0x202)" in out
      and "took over, status 514 [0x202: takeover, its processor failed]" in out,
      "the report writes the takeover's status in hex with its meaning")

# The pair bank: requesters' resends and the duplicate answered from the saved reply are told.
out = run("run", scenario("pair-bank.scn"), "--explain").stdout
check("requesters resent" in out and "to the new primary, each with its sync ID" in out,
      "pair-bank --explain counts the requesters' resends")

# 4. The same chain from a trace file; --explain and --json do not go together.
trace = tmpfile(".jsonl")
run("run", scenario("takeover-demo.scn"), "--trace", trace)
t = run("table", trace, "--explain")
check(t.returncode == 0 and "Life of process pair $COUNT" in t.stdout and
      "      0.675000 s  cpus 0, 2 and 3 declare cpu 1 down" in t.stdout and "(2.55 heartbeats)" not in t.stdout,
      "table --explain tells the chain from the trace (without heartbeat counts: a trace does not say the period)")
os.unlink(trace)
# 5. docs/process-pairs.md prints what the runs print, to the character (trailing blanks aside).
doc = open(os.path.join(ROOT, "docs", "process-pairs.md"), encoding="utf-8").read()


def doc_block(first_line):
    start = doc.index("```\n" + first_line) + 4
    return doc[start:doc.index("```", start)]


def strip(text):
    return [line.rstrip() for line in text.strip("\n").splitlines()]


run_explain = run("run", scenario("takeover-demo.scn"), "--explain").stdout
check(strip(doc_block("explanation:")) == strip(run_explain[run_explain.index("explanation:"):]),
      "docs/process-pairs.md prints takeover-demo's explanation as the run prints it")
late = run("run", os.path.join(WARNINGS, "late-monitor.scn")).stdout
late = late[late.index("protocol warnings:"):late.index("\nexpectations:")]
check(strip(doc_block("protocol warnings:")) == strip(late),
      "docs/process-pairs.md prints late-monitor's warning as the run prints it")

bad = run("run", scenario("takeover-demo.scn"), "--explain", "--json")
check(bad.returncode == 2 and "--explain prints text" in bad.stderr, "--explain with --json is a usage error")

done()
