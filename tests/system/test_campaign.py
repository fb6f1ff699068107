#!/usr/bin/env python3
"""pairsim campaign (docs/campaigns.md): results in seed order and byte-identical whatever --jobs is, and each
line what `pairsim run --seed S --json` of that seed says on its own; failing seeds kept with a trace and a
replay command that reproduces them; a run killed by a signal reported as a crash; bad input refused before
any run; Ctrl-C (SIGINT, SIGTERM) writes what finished; shards that cover the range. How fast campaigns are is
measured by tools/bench/bench_campaign.cpp (docs/benchmarks.md), not here."""
import json
import os
import pty
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, ROOT, check, done, scenario  # noqa: E402

PAIRSIM = os.path.abspath(PAIRSIM)  # the campaigns below run in a folder of their own
ENV = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
BANK = scenario("pair-bank.scn")


def campaign(cwd, *args, timeout=240):
    return subprocess.run([PAIRSIM, "campaign", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=ENV)


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def without_host(text):
    """A run's --json summary without the one value that differs between identical runs."""
    summary = json.loads(text) if text.startswith("{") else {}
    summary.pop("host_seconds", None)
    return summary


def without_host_line(text):
    """A run's --json summary as printed, but for the line of host_seconds."""
    return "".join(line for line in text.splitlines(keepends=True) if '"host_seconds":' not in line)


def expected_result(seed, alone):
    """What the results.jsonl line of a seed says (seed, verdict, failed, takeovers, sim_time_ns, detail), worked
    out from `pairsim run --seed S --json` of it run on its own."""
    summary = json.loads(alone.stdout)
    failed = [{"line": e["line"], "text": e["text"]} for e in summary["expectations"]["results"] if not e["ok"]]
    return {"seed": seed, "verdict": {0: "held", 1: "failed"}.get(alone.returncode, "crash"), "failed": failed,
            "takeovers": len(summary["takeovers"]), "sim_time_ns": summary["sim_time_ns"], "detail": None}


def children_of(pid):
    """The processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[1] == str(pid):
                found.append(int(entry))
    return found


def pairsim_children(marker):
    """Processes still running whose command line names `marker` (a file only this test uses)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


# The example scenario of docs/campaigns.md, as printed there: it fails for the seeds that draw CPU 0 or 3.
doc = open(os.path.join(ROOT, "docs", "campaigns.md"), encoding="utf-8").read()
m = re.search(r"```\n(# bank-lottery\.scn.*?)```\n", doc, re.S)
check(m is not None, "docs/campaigns.md has the bank-lottery.scn example")
LOTTERY = m.group(1) if m else ""

with tempfile.TemporaryDirectory() as tmp:
    # ---- every seed holds; --jobs changes nothing in results.jsonl and summary.json ----
    p1 = campaign(tmp, BANK, "--seeds", "1..20", "--jobs", "2", "--out", "D1")
    piped_stdout = p1.stdout
    check(p1.returncode == 0, f"pair-bank 1..20 --jobs 2: exit 0 (got {p1.returncode}) {p1.stderr.strip()}")
    p2 = campaign(tmp, BANK, "--seeds", "1..20", "--jobs", "1", "--out", "D2")
    check(p2.returncode == 0, f"pair-bank 1..20 --jobs 1: exit 0 (got {p2.returncode})")
    d1, d2 = os.path.join(tmp, "D1"), os.path.join(tmp, "D2")
    if p1.returncode == 0 and p2.returncode == 0:
        res = lines(os.path.join(d1, "results.jsonl"))
        check([r["seed"] for r in res] == list(range(1, 21)), "results.jsonl: 20 lines, in seed order")
        check(all(r["verdict"] == "held" and r["failed"] == [] and r["takeovers"] == 1 for r in res),
              "every seed held, with its one takeover")
        check(all(r["sim_time_ns"] == 500_000_000 for r in res), "each line has the simulated time")
        check(read(os.path.join(d1, "results.jsonl")) == read(os.path.join(d2, "results.jsonl")),
              "results.jsonl is byte-identical with --jobs 2 and --jobs 1")
        check(read(os.path.join(d1, "summary.json")) == read(os.path.join(d2, "summary.json")),
              "summary.json is byte-identical with --jobs 2 and --jobs 1")
        s = json.loads(read(os.path.join(d1, "summary.json")))
        check(s["verdicts"] == {"held": 20, "failed": 0, "timeout": 0, "crash": 0} and s["runs"] == 20
              and s["finished"] == 20 and s["interrupted"] is False and s["seeds"] == {"first": 1, "last": 20},
              "summary.json counts 20 held of 20")
        check(b"host" not in read(os.path.join(d1, "results.jsonl")) + read(os.path.join(d1, "summary.json")),
              "no host time in results.jsonl or summary.json")
        timing = lines(os.path.join(d1, "timing.jsonl"))
        check([t["seed"] for t in timing] == list(range(1, 21)) and all(t["host_seconds"] > 0 for t in timing),
              "timing.jsonl has each seed's host seconds")
        check(not any(n.startswith("seed-") for n in os.listdir(d1)), "no seed folder when every seed held")
        check("verdicts: held 20, failed 0, timeout 0, crash 0" in p1.stdout, "the closing summary counts verdicts")
        check("draws nothing at random" in p1.stdout, "a scenario without `random` is pointed out")

    # ---- a scenario that fails for some seeds ----
    lottery = os.path.join(tmp, "bank-lottery.scn")
    with open(lottery, "w") as f:
        f.write(LOTTERY)
    p = campaign(tmp, "bank-lottery.scn", "--seeds", "1..40", "--jobs", "2", "--out", "L")
    check(p.returncode == 1, f"bank-lottery 1..40: exit 1 (got {p.returncode}) {p.stderr.strip()}")
    out = os.path.join(tmp, "L")
    res = lines(os.path.join(out, "results.jsonl")) if p.returncode == 1 else []
    check([r["seed"] for r in res] == list(range(1, 41)), "results.jsonl: 40 lines, in seed order")
    failed = [r for r in res if r["verdict"] == "failed"]
    held = [r for r in res if r["verdict"] == "held"]
    check(len(failed) > 0 and len(held) > 0 and len(failed) + len(held) == 40, "some seeds failed, the others held")
    for r in failed:
        seed = r["seed"]
        folder = os.path.join(out, f"seed-{seed}")
        trace = os.path.join(folder, "trace.jsonl")
        events = lines(trace) if os.path.exists(trace) else []
        faults = [e["what"] for e in events if e["kind"] == "fault"]
        texts = sorted(f["text"] for f in r["failed"])
        want = {"fail cpu 0": ['expect $C1 exit 0', 'expect output $C1 "total 100000"'],
                "fail cpu 3": ['expect $C2 exit 0']}
        check(events[:1] and events[0]["kind"] == "run_start" and events[0]["seed"] == seed,
              f"seed {seed}: its trace is kept")
        check(len(faults) == 1 and want.get(faults[0]) == texts,
              f"seed {seed}: the trace's fault ({faults}) explains what failed ({texts})")
        check(all(f["line"] in (12, 13, 14) for f in r["failed"]), f"seed {seed}: failed expectations have lines")
        script = os.path.join(folder, "replay.sh")
        check(os.access(script, os.X_OK), f"seed {seed}: replay.sh is executable")
    listed = [r["seed"] for r in failed if f"{PAIRSIM} run bank-lottery.scn --seed {r['seed']}\n" in p.stdout]
    check(listed == [r["seed"] for r in failed[:20]], "the closing summary gives the replay command of the first 20")
    for r in failed[:3]:
        seed = r["seed"]
        again = subprocess.run([PAIRSIM, "run", "bank-lottery.scn", "--seed", str(seed), "--json"], cwd=tmp,
                               capture_output=True, text=True, timeout=60, env=ENV)
        failed_again = sorted(e["text"] for e in json.loads(again.stdout)["expectations"]["results"] if not e["ok"])
        check(again.returncode == 1 and failed_again == sorted(f["text"] for f in r["failed"]),
              f"seed {seed}: `pairsim run bank-lottery.scn --seed {seed}` fails again, the same way")
        script = os.path.join(out, f"seed-{seed}", "replay.sh")
        via_script = subprocess.run([script, "--json"], cwd="/", capture_output=True, text=True, timeout=60,
                                    env=ENV)
        check(via_script.returncode == 1 and without_host(via_script.stdout) == without_host(again.stdout) != {},
              f"seed {seed}: replay.sh, run from another folder, gives the same run")
    for r in held[:2]:
        again = subprocess.run([PAIRSIM, "run", "bank-lottery.scn", "--seed", str(r["seed"])], cwd=tmp,
                               capture_output=True, text=True, timeout=60, env=ENV)
        check(again.returncode == 0, f"seed {r['seed']} holds when run alone, too")
    check(sorted(n for n in os.listdir(out) if n.startswith("seed-")) == sorted(f"seed-{r['seed']}" for r in failed),
          "a folder for each failing seed, and none for the others")
    if res:
        s = json.loads(read(os.path.join(out, "summary.json")))
        check(s["verdicts"] == {"held": len(held), "failed": len(failed), "timeout": 0, "crash": 0},
              "summary.json: counts by verdict")
        by_text = {}
        for r in failed:
            for f in r["failed"]:
                by_text[f["text"]] = by_text.get(f["text"], 0) + 1
        check({e["text"]: e["seeds"] for e in s["failed_expectations"]} == by_text,
              "summary.json: counts by failed expectation")
        check([(f["seed"], f["replay"], f["folder"]) for f in s["failing_seeds"]] ==
              [(r["seed"], f"pairsim run bank-lottery.scn --seed {r['seed']}", f"seed-{r['seed']}") for r in failed],
              "summary.json: each failing seed with its replay command")
        campaign(tmp, "bank-lottery.scn", "--seeds", "1..40", "--jobs", "1", "--out", "L1")
        check(read(os.path.join(out, "results.jsonl")) == read(os.path.join(tmp, "L1", "results.jsonl")) and
              read(os.path.join(out, "summary.json")) == read(os.path.join(tmp, "L1", "summary.json")),
              "with failures too, --jobs 1 writes the same results.jsonl and summary.json")
        warnings = [ln for ln in p.stderr.splitlines() if not ln.startswith("note: ")]  # notes name shipped programs
        check(warnings == [], f"nothing on stderr (no replay disagreed with its first run): {p.stderr.strip()}")

        # ---- each run is forked from the campaign, which read the scenario and assembled its programs once:
        # ---- every line is still the one `pairsim run --seed S --json`, a process of its own, comes to ----
        alone = {r["seed"]: subprocess.run([PAIRSIM, "run", "bank-lottery.scn", "--seed", str(r["seed"]), "--json"],
                                           cwd=tmp, capture_output=True, text=True, timeout=60, env=ENV) for r in res}
        differ = [r["seed"] for r in res
                  if {k: r.get(k) for k in ("seed", "verdict", "failed", "takeovers", "sim_time_ns", "detail")} !=
                  expected_result(r["seed"], alone[r["seed"]])]
        check(not differ, f"each line of results.jsonl says what `pairsim run --seed S --json` of that seed comes to "
                          f"on its own (not seeds {differ})")
        differ = [r["seed"] for r in failed
                  if without_host_line(read(os.path.join(out, f"seed-{r['seed']}", "run.json")).decode()) !=
                  without_host_line(alone[r["seed"]].stdout)]
        check(failed and not differ, f"a failing seed's run.json is what `pairsim run --seed S --json` prints, but "
                                     f"for host_seconds (not seeds {differ})")

        # ---- shards: 0/2 and 1/2 together are the whole range, each seed's line as in the whole campaign ----
        shard_lines = []
        for i in (0, 1):
            ps = campaign(tmp, "bank-lottery.scn", "--seeds", "1..40", "--shard", f"{i}/2", "--out", f"S{i}")
            check(ps.returncode in (0, 1), f"shard {i}/2 runs (exit {ps.returncode})")
            got = lines(os.path.join(tmp, f"S{i}", "results.jsonl"))
            check([r["seed"] for r in got] == list(range(1 + i, 41, 2)),
                  f"shard {i}/2 runs seeds {1 + i}, {3 + i}, …")
            sj = json.loads(read(os.path.join(tmp, f"S{i}", "summary.json")))
            check(sj["shard"] == {"index": i, "count": 2} and sj["runs"] == 20, f"shard {i}/2: its summary says so")
            shard_lines += got
        check(sorted(shard_lines, key=lambda r: r["seed"]) == res, "the two shards together give the whole campaign")
        merged = subprocess.run("cat S0/results.jsonl S1/results.jsonl | sort -t: -k2,2n", shell=True, cwd=tmp,
                                capture_output=True, env=ENV).stdout
        check(merged == read(os.path.join(out, "results.jsonl")),
              "docs/campaigns.md's sort of the shards' results.jsonl is the whole campaign's, byte for byte")

    # ---- timeouts ----
    endless = os.path.join(tmp, "endless.scn")
    with open(endless, "w") as f:  # minutes of host time: past the timeout however loaded the host is
        f.write("machine cpus 2 mips 1000\nstart $BUSY program compute.pasm cpu 0 args 100000000 0\nrun for 1000s\n")
    p = campaign(tmp, "endless.scn", "--seeds", "1..2", "--timeout", "0.2", "--out", "T")
    res = lines(os.path.join(tmp, "T", "results.jsonl")) if p.returncode == 1 else []
    check(p.returncode == 1 and [r["verdict"] for r in res] == ["timeout", "timeout"],
          f"a run past --timeout is killed, verdict timeout (exit {p.returncode})")
    check(all(os.path.exists(os.path.join(tmp, "T", f"seed-{s}", "replay.sh")) for s in (1, 2)),
          "a timed-out seed has its replay.sh")

    # ---- a run killed by a signal is a crash, although it would not crash again ----
    slow = os.path.join(tmp, "slow.scn")
    with open(slow, "w") as f:  # a fast CPU counting primes for ever: a run of a few tenths of a second
        f.write("machine cpus 2 mips 1000\nstart $BUSY program compute.pasm cpu 0 args 100000 0\nrun for 300ms\n")
    proc = subprocess.Popen([PAIRSIM, "campaign", "slow.scn", "--seeds", "1..2", "--jobs", "1", "--out", "K"],
                            cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    deadline = time.time() + 30
    first = []
    while time.time() < deadline and not first and proc.poll() is None:
        first = children_of(proc.pid)  # with --jobs 1, seed 1's run
        time.sleep(0.01)
    if first:
        os.kill(first[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=120)
    res = lines(os.path.join(tmp, "K", "results.jsonl")) if proc.returncode == 1 else []
    check(first and proc.returncode == 1 and [r["verdict"] for r in res] == ["crash", "held"] and
          res[0]["detail"].startswith("killed by signal 9") and res[0]["takeovers"] is None,
          f"a run killed by a signal: verdict crash, the signal its detail (exit {proc.returncode}, "
          f"{[(r['verdict'], r['detail']) for r in res]})")
    check("seed 1 crash: killed by signal 9" in stdout, "... said as it happens")
    trace = os.path.join(tmp, "K", "seed-1", "trace.jsonl")
    events = lines(trace) if os.path.exists(trace) else []
    check(events and events[0]["kind"] == "run_start" and events[-1]["kind"] == "run_end",
          "... and run again for its trace, which it has in full")
    check("seed 1: run again with --trace, it ended held, not crash" in stderr,
          f"... where it held: the campaign warns that the second run did not repeat the first ({stderr.strip()})")

    # ---- bad input: exit 2 before any run ----
    bad = os.path.join(tmp, "bad.scn")
    with open(bad, "w") as f:
        f.write("machine cpus 4\nat 1.5 fail cpu 2\nrun for 1s\n")
    p = campaign(tmp, "bad.scn", "--seeds", "1..5", "--out", "B")
    check(p.returncode == 2 and "bad.scn:2:4: error:" in p.stderr,
          f"a bad scenario: exit 2 at file:line:col ({p.stderr.strip()})")
    check(not os.path.exists(os.path.join(tmp, "B")), "... and nothing written")
    noprog = os.path.join(tmp, "noprog.scn")
    with open(noprog, "w") as f:
        f.write("start $X program nowhere.pasm cpu 1\nrun for 1s\n")
    p = campaign(tmp, "noprog.scn", "--seeds", "1..5", "--out", "B")
    check(p.returncode == 2 and "noprog.scn:1:1: error: program 'nowhere.pasm' not found" in p.stderr,
          f"a scenario whose program is missing: exit 2 ({p.stderr.strip()})")
    for args, msg in ((["--seeds", "5..2"], "--seeds 5..2 ends before it starts"),
                      (["--seeds", "one..two"], "--seeds takes a range of whole numbers"),
                      ([], "campaign needs --seeds"),
                      (["--seeds", "1..4", "--shard", "2/2"], "the index must be below 2"),
                      (["--seeds", "1..4", "--shard", "x"], "--shard takes INDEX/COUNT"),
                      (["--seeds", "1..4", "--jobs", "0"], "--jobs takes a whole number"),
                      (["--seeds", "1..4", "--timeout", "-1"], "--timeout takes a number of seconds")):
        p = campaign(tmp, BANK, *args, "--out", "U")
        check(p.returncode == 2 and msg in p.stderr, f"{' '.join(args) or 'no --seeds'}: exit 2, '{msg}'")
    check(not os.path.exists(os.path.join(tmp, "U")), "usage errors write nothing")
    p = campaign(tmp, "--help")
    check(p.returncode == 0 and "--shard" in p.stdout and "--timeout" in p.stdout, "campaign --help")

    # ---- SIGINT and SIGTERM: stop, kill the runs, write what finished, exit 130 ----
    for sig in (signal.SIGINT, signal.SIGTERM):
        name = signal.Signals(sig).name
        folder = os.path.join(tmp, f"I-{name}")
        proc = subprocess.Popen([PAIRSIM, "campaign", "bank-lottery.scn", "--seeds", "1..100000", "--jobs", "2",
                                 "--out", folder], cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=ENV)
        results = os.path.join(folder, "results.jsonl")
        deadline = time.time() + 60
        while time.time() < deadline and (not os.path.exists(results) or read(results).count(b"\n") < 6):
            time.sleep(0.05)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
        check(proc.returncode == 130, f"{name}: exit 130 (got {proc.returncode}) {stderr.strip()}")
        got = lines(results)
        seeds = [r["seed"] for r in got]
        check(len(got) >= 6 and seeds == sorted(set(seeds)),
              f"{name}: results.jsonl has the {len(got)} finished seeds, in order")
        s = json.loads(read(os.path.join(folder, "summary.json")))
        check(s["interrupted"] is True and s["finished"] == len(got) and s["runs"] == 100000,
              f"{name}: summary.json says interrupted, with the finished count")
        check(", interrupted" in stdout, f"{name}: so does the closing text")
        time.sleep(0.2)
        check(pairsim_children(folder) == [], f"{name}: no run is left behind")

    # ---- on a terminal, one progress line redrawn in place; in a pipe, plain lines ----
    master, slave = pty.openpty()
    proc = subprocess.Popen([PAIRSIM, "campaign", BANK, "--seeds", "1..6", "--jobs", "2", "--out", "TTY"], cwd=tmp,
                            stdout=slave, stderr=subprocess.PIPE, env=ENV)
    os.close(slave)
    tty_out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the campaign has closed the terminal
            break
        if not chunk:
            break
        tty_out += chunk
    os.close(master)
    proc.wait(timeout=60)
    check(proc.returncode == 0 and b"\r\x1b[Kruns 6/6 (100%), 0 failing" in tty_out,
          "on a terminal the progress line is redrawn in place")
    check("\r" not in piped_stdout and "runs 20/20 (100%), 0 failing" in piped_stdout,
          "in a pipe the progress comes as plain lines")

done()
