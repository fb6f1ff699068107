#!/usr/bin/env python3
"""pairsim sweep and pairsim explore: one fault moved over its window, each moment's run forked from one
simulation of the beginning they share; the same results as each moment run on its own; failing moments kept
with a replay that repeats them; an exploration's moments at and between the state changes; bad input."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, check, done, run, scenario  # noqa: E402

work = tempfile.mkdtemp(prefix="pairsim-sweep-")


def path(name):
    return os.path.join(work, name)


def write(name, text):
    with open(path(name), "w") as f:
        f.write(text)
    return path(name)


def lines(p):
    with open(p) as f:
        return [json.loads(line) for line in f]


def load(p):
    with open(p) as f:
        return json.load(f)


def without_host_time(text):
    """A --json summary without host_seconds, the one key that differs between identical runs."""
    return re.sub(r'\n *"host_seconds": [^\n]*', "", text)


with open(scenario("pair-bank-sweep.scn")) as f:
    bank = f.read()
LINE = next(i for i, line in enumerate(bank.splitlines(), 1) if line.startswith("at random"))
# A takeover within 125 ms of the failure holds only when the failure comes late enough before a heartbeat
# check: some moments of 2 ms … 20 ms fail, the others hold.
tight = write("tight.scn", bank.replace("expect takeover $BANK within 150ms", "expect takeover $BANK within 125ms"))

# ---- 1. A sweep: the moments' formula, results in moment order, and the same results run on their own. ----
N = 8
forked = run("sweep", tight, "--moments", str(N), "--jobs", "2", "--out", path("forked"))
apart = run("sweep", tight, "--moments", str(N), "--jobs", "2", "--out", path("apart"), "--separate")
check(forked.returncode == 1 and apart.returncode == 1,
      f"a sweep with failing moments exits 1, forked or not ({forked.returncode}, {apart.returncode}): {forked.stderr}")
res = lines(path("forked/results.jsonl"))
want = [2_000_000 + k * 18_000_000 // (N - 1) for k in range(N)]
check([r["moment"] for r in res] == list(range(N)) and [r["t_ns"] for r in res] == want,
      f"moment k at 2ms + k·18ms/{N - 1}, rounded down, one line each in moment order: {[r['t_ns'] for r in res]}")
verdicts = [r["verdict"] for r in res]
check("held" in verdicts and "failed" in verdicts, f"some moments hold and some fail: {verdicts}")
check(all(list(r)[:3] == ["moment", "t_ns", "seed"] and r["seed"] == 1 for r in res),
      "each line starts with moment, t_ns, then the campaign's keys")
with open(path("forked/results.jsonl"), "rb") as a, open(path("apart/results.jsonl"), "rb") as b:
    check(a.read() == b.read(), "results.jsonl of the forked sweep and of each moment run on its own: byte-identical")
with open(path("forked/summary.json"), "rb") as a, open(path("apart/summary.json"), "rb") as b:
    check(a.read() == b.read(), "summary.json too")
summary = load(path("forked/summary.json"))
check(summary["command"] == "sweep" and summary["line"] == LINE and summary["moments"] == N
      and summary["window"] == {"from_ns": 2_000_000, "to_ns": 20_000_000}
      and summary["verdicts"]["failed"] == verdicts.count("failed"),
      f"summary.json says what was swept and how it ended: {summary['verdicts']}")
check("warning" not in forked.stderr, f"each failing moment, run again on its own for its trace, ended the same "
      f"way: {forked.stderr.strip()}")

# ---- 2. A failing moment is kept: its forked run's summary, its trace, a replay that repeats it. ----
bad = next(r for r in res if r["verdict"] == "failed")
k = bad["moment"]
folder = path(f"forked/moment-{k}")
check(all(os.path.exists(os.path.join(folder, f)) for f in ("replay.sh", "run.json", "trace.jsonl")),
      f"moment-{k}/ has replay.sh, run.json and trace.jsonl")
failing = summary["failing_moments"][0]
check(failing["moment"] == k and failing["t_ns"] == bad["t_ns"] and failing["folder"] == f"moment-{k}"
      and failing["replay"] == f"pairsim sweep {tight} --moments {N} --line {LINE} --seed 1 --moment {k}",
      f"summary.json lists it with its replay command: {failing}")
replay = subprocess.run([os.path.join(folder, "replay.sh"), "--json"], capture_output=True, text=True, timeout=120)
with open(os.path.join(folder, "run.json")) as f:
    forked_summary = f.read()
check(replay.returncode == 1 and without_host_time(replay.stdout) == without_host_time(forked_summary),
      "replay.sh --json prints what the forked run printed, but for host_seconds")
alone = run("sweep", tight, "--moments", str(N), "--line", str(LINE), "--seed", "1", "--moment", str(k))
check(alone.returncode == 1 and "expect takeover $BANK within 125ms" in alone.stdout and "1 failed" in alone.stdout,
      "--moment K prints the readable report of that moment's run, exit 1")
faults = [e for e in lines(os.path.join(folder, "trace.jsonl")) if e["kind"] == "fault"]
check([(e["t_ns"], e["what"]) for e in faults] == [(bad["t_ns"], "fail cpu 1")],
      f"its trace has the fault at the moment: {faults}")

# Moment 0 has no sync point before its fault: it is the plain run with `at 2ms`.
plain = write("plain.scn", open(tight).read().replace("at random 2ms..20ms fail cpu 1", "at 2ms fail cpu 1"))
p0 = run("run", plain, "--json")
m0 = run("sweep", tight, "--moments", str(N), "--moment", "0", "--json")
strip = lambda t: re.sub(r'\n *"scenario": [^\n]*', "", without_host_time(t))  # noqa: E731
check(p0.returncode == m0.returncode and strip(p0.stdout) == strip(m0.stdout),
      "moment 0 of a sweep is the plain run with the fault at the window's start")

# ---- 3. A run that ends (`run until`) before a moment: that moment's fault never comes. ----
until = write("until.scn", "machine cpus 3\nstart $SERV program echo.pasm cpu 1\n"
              "start $CLI program client.pasm cpu 2 args 20 64\nat random 1ms..2s fail cpu 1\n"
              "run until $CLI stops or 60s\nexpect $CLI exit 0\n")
u1 = run("sweep", until, "--moments", "5", "--out", path("until"))
u2 = run("sweep", until, "--moments", "5", "--out", path("until-apart"), "--separate")
ures = lines(path("until/results.jsonl"))
check(u1.returncode == 1 and u2.returncode == 1 and ures == lines(path("until-apart/results.jsonl")),
      "a `run until` sweep: the same results forked or not")
check(ures[0]["verdict"] == "failed" and ures[-1]["verdict"] == "held"
      and ures[-1]["sim_time_ns"] < 2_000_000_000, f"early moments fail the server, late ones come after the end: "
      f"{[(r['t_ns'], r['verdict'], r['sim_time_ns']) for r in ures]}")

# ---- 4. Exploring: a moment at each state change of the window, one between each two, both ends. ----
narrow = write("narrow.scn", open(tight).read().replace("at random 2ms..20ms", "at random 2ms..2200us"))
ex = run("explore", narrow, "--jobs", "2", "--out", path("explore"))
exres = lines(path("explore/results.jsonl"))
exsum = load(path("explore/summary.json"))
kinds = [r["where"] for r in exres]
times = [r["t_ns"] for r in exres]
check(ex.returncode == 1 and exsum["moments"] == len(exres) >= 5 and times == sorted(set(times))
      and times[0] == 2_000_000 and times[-1] == 2_200_000,
      f"explore: {len(exres)} distinct moments from the window's start to its end, in time order")
check(kinds[0] == "window" and all(kinds[i] == "between" for i in range(1, len(kinds), 2))
      and all(kinds[i] in ("event", "window") for i in range(2, len(kinds), 2)),
      f"moments alternate: an edge (state change or window end), then a point between: {kinds}")
check(exsum["where"]["event"] == kinds.count("event") >= 2 and exsum["check"]["state_changes"] == kinds.count("event")
      and exsum["check"]["changes_not_moments"] == [] and exsum["check"]["intervals_without_moment"] == [],
      f"the fault-free run with the moments as sync points has a moment at each change and between each two: "
      f"{exsum['check']}")
check("state changes" in ex.stdout and "each is a moment" in ex.stdout, "the closing text says so")
ex2 = run("explore", narrow, "--jobs", "2", "--out", path("explore-apart"), "--separate")
with open(path("explore/results.jsonl"), "rb") as a, open(path("explore-apart/results.jsonl"), "rb") as b:
    check(ex2.returncode == 1 and a.read() == b.read(),
          "explore: the same results.jsonl with each moment run on its own (its replay command)")
with open(path("explore/summary.json"), "rb") as a, open(path("explore-apart/summary.json"), "rb") as b:
    check(a.read() == b.read(), "and the same summary.json, its check included")
# The shared run of an exploration traces messages (they are state changes); its moments' runs do not, and
# their whole summaries are those of the runs on their own.
same = [k for k in range(len(exres)) if os.path.exists(path(f"explore/moment-{k}/run.json"))
        and without_host_time(open(path(f"explore/moment-{k}/run.json")).read())
        == without_host_time(open(path(f"explore-apart/moment-{k}/run.json")).read())]
check(len(same) == len(exres), f"explore: each moment's --json summary, forked and on its own, is the same "
      f"({len(same)} of {len(exres)})")
# The run of the last moment (the window's end), on its own with a trace, is the run without the fault up to
# there, with every other moment a sync point: its state changes in the window are the event moments.
STATE = {"process_start", "process_stop", "abend", "output", "send", "receive", "system_message", "path_error",
         "start_failed", "backup_created", "checkmonitor", "checkpoint", "checkopen", "checkclose", "checkswitch",
         "takeover", "fs_resend", "duplicate", "pair_lost", "cpu_state", "declared_down", "declared_up", "halt"}
trace = path("last.jsonl")
run("explore", narrow, "--moment", str(len(exres) - 1), "--trace", trace)
changes = sorted({e["t_ns"] for e in lines(trace) if e["kind"] in STATE and 2_000_000 <= e["t_ns"] < 2_200_000})
events = [r["t_ns"] for r in exres if r["where"] == "event"]
check(changes == [t for t in events if t < 2_200_000],
      f"the state changes of the window, in the trace of the last moment's run on its own, are the event moments: "
      f"{changes}")
edges = [2_000_000] + changes + [2_200_000]
between = [r["t_ns"] for r in exres if r["where"] == "between"]
check(all(any(a < t < b for t in between) for a, b in zip(edges, edges[1:]) if b - a >= 2),
      "and each interval between them holds a moment")

# A fixed `at T` is explored over the whole run; --max-moments stops it, and says where.
fixed = scenario("pair-bank.scn")
fixed_line = next(i for i, line in enumerate(open(fixed).read().splitlines(), 1) if line.startswith("at 12ms"))
lim = run("explore", fixed, "--line", str(fixed_line), "--max-moments", "4", "--out", path("limited"))
limsum = load(path("limited/summary.json"))
limres = lines(path("limited/results.jsonl"))
check(limsum["window"] == {"from_ns": 0, "to_ns": 499_999_999} and len(limres) == 4
      and limsum["limit_reached_at_ns"] == limres[-1]["t_ns"] and limsum["check"]["intervals_without_moment"] == []
      and "--max-moments" in lim.stdout,
      f"explore of `at 12ms` over the whole run, stopped after 4 moments at {limsum['limit_reached_at_ns']} ns")
check(lim.returncode == 1 and limres[0]["verdict"] == "failed" and "expect $C1 exit 0" in str(limres[0]["failed"]),
      "the bank's CPU failing at 0, before the bank has a backup, fails the clients")

# ---- 5. Bad input: exit 2, nothing run. ----
def bad_input(args, pattern, what):
    p = run(*args)
    errors = "\n".join(ln for ln in p.stderr.splitlines() if not ln.startswith("note: "))  # the program's note
    check(p.returncode == 2 and re.search(pattern, errors) is not None, f"{what}: exit 2, {pattern!r} "
          f"(got {p.returncode}: {errors.strip().splitlines()[:1]})")


bad_input(["sweep", tight], r"^pairsim: error: sweep needs --moments", "no --moments")
bad_input(["sweep", tight, "--moments", "0"], r"^pairsim: error: --moments 0", "--moments 0")
bad_input(["sweep", tight, "--moments", "3", "--line", "2"], r"^pairsim: error: --line 2: line 2 of .* is not an "
          r"`at` statement", "--line of a line that is not an `at` statement")
bad_input(["sweep", fixed, "--moments", "3"], r"^pairsim: error: .* has no `at random` statement", "nothing to sweep")
bad_input(["sweep", fixed, "--moments", "3", "--line", str(fixed_line)],
          rf"^{re.escape(fixed)}:{fixed_line}:1: error: a sweep moves an `at random A..B` statement", "a fixed time")
bad_input(["sweep", tight, "--moments", "3", "--moment", "3"], r"^pairsim: error: --moment 3: the sweep has moments "
          r"0 to 2", "--moment out of range")
bad_input(["sweep", tight, "--moments", "3", "--json"], r"^pairsim: error: --json, --trace", "--json without --moment")
broken = write("broken.scn", bank.replace("run for 500ms", "run for 500"))
bad_input(["sweep", broken, "--moments", "3", "--out", path("never")], rf"^{re.escape(broken)}:\d+:\d+: error: ",
          "a scenario with an error")
bad_input(["explore", broken, "--out", path("never")], rf"^{re.escape(broken)}:\d+:\d+: error: ",
          "explore: a scenario with an error")
check(not os.path.exists(path("never")), "bad input writes nothing")

# ---- 6. Ctrl-C: the runs stop, what finished is written, exit 130. ----
env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
proc = subprocess.Popen([PAIRSIM, "sweep", tight, "--moments", "100000", "--jobs", "2", "--out", path("stopped")],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
# Interrupt once runs have finished (so the handler is in place and there is something to keep), however
# slow the machine.
deadline = time.time() + 120
while time.time() < deadline and not (os.path.exists(path("stopped/results.jsonl")) and
                                      len(lines(path("stopped/results.jsonl"))) >= 2):
    time.sleep(0.1)
proc.send_signal(signal.SIGINT)
out, err = proc.communicate(timeout=60)
stopped = load(path("stopped/summary.json"))
check(proc.returncode == 130 and stopped["interrupted"] and stopped["finished"] == len(lines(path("stopped/results.jsonl"))),
      f"interrupted: exit 130 ({proc.returncode}), summary.json says so, results.jsonl has what finished "
      f"({stopped['finished']})")

shutil.rmtree(work, ignore_errors=True)
done()
