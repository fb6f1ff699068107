#!/usr/bin/env python3
"""The machine's promise, over a space of faults: after any single CPU failure and through transient
outages of the bus, nothing acknowledged is lost, nothing is done twice, nothing hangs.

Every run is a scenario drawn by random.Random from one seed: a bank server pair $BANK (primary in CPU 1,
backup in CPU 2) serving three clients in CPUs 0 and 3 (as scenarios/pair-bank.scn), exactly one CPU
failure (CPU 1 or CPU 2) at a random moment of the traffic, and transient outages of the bus. The families:

  bank    guest/bank.pasm. One CPU failure, and one outage: bus X, bus Y, both buses, or both paths of one
          CPU (the primary's, the backup's or a client's), starting before, during or after the failure.
  switch  guest/bank-switch.pasm: the same bank, but the pair swaps its CPUs with checkswitch every 2..12
          transfers while it serves. One CPU failure (either CPU of the pair) and one outage as above.
  flap    guest/bank.pasm. The buses flap: X then Y (or Y then X) fail and are repaired in turn, never both
          down at once; and one CPU failure.

Outages are transient: each is over before it could get a CPU declared down by itself. A CPU is declared
down after two heartbeat instants in a row at which nothing was heard from it (docs/membership.md), so an
outage that silences a CPU (both buses, or both paths of one CPU) lasts 5% to 90% of a heartbeat period
wherever it falls, or up to 145% of a period placed so that it covers a single heartbeat instant. An outage
of one bus never silences anybody (I'm-alive goes on both buses) and lasts up to 150% of a period. Some
runs use a short ack-timeout (200 us .. 20 ms), the others the default 1 s.

The test judges outcomes, not traces. Every client checks every reply (guest/bank-client.pasm): the bank's
count of this client's transfers must equal the transfer's number, and at the end the count must equal the
transfers sent and the total 100000. A client that
  - exited 0 with "total 100000" and "applied K" kept the promise;
  - printed "bad reply i" and a count below i, or exited 3 with "applied" below K: LOST work;
  - ... a count above i, or "applied" above K: DUPLICATED work;
  - had not finished at the end of the run, and still had not when the run was repeated 60 simulated
    seconds longer: HUNG (a client whose CPU halted is hung too);
  - got an error from the bank ("error E", exit 2; 201: the pair could not be reached): ERROR;
  - anything else (a wrong total, a malformed reply, an abend, finishing only in the longer run): OTHER.
Besides the clients, every run's summary lists the machine's invariants it broke (one primary, no stale
takeover, no hung request, membership agreement): any of them is an INVARIANT break of the promise.
"cpu lost" counts the runs in which a CPU besides the failed one was declared down or halted itself: the
outage was not transient to the machine (for example, it silenced a CPU during the regroup round that
decides the failed CPU's fate). The clients on a halted CPU are then hung, and a pair whose CPUs are both
gone is unreachable (error 201).

Usage (ctest runs the first form; the run takes a few minutes on 2 cores):
  test_promise.py PAIRSIM PROJECT_DIR                        every family, every seed
  test_promise.py PAIRSIM PROJECT_DIR --family bank,flap --seeds 0..99 --jobs 4
  test_promise.py PAIRSIM PROJECT_DIR --spare-regroup        no silencing outage meets the regroup round
  test_promise.py PAIRSIM PROJECT_DIR replay FAMILY SEED [pairsim run options, e.g. --trace t.jsonl]
The replay form prints the seed's scenario and runs it with pairsim's readable report. The same seed
always gives the same scenario, and (pairsim being deterministic) the same run.
"""
import concurrent.futures
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, ROOT  # noqa: E402

MS = 1_000_000
US = 1_000
FAMILIES = {"bank": 1500, "switch": 750, "flap": 400}    # family -> seeds 0..N-1, as ctest runs it
CLIENTS = (("$C1", 0, 0), ("$C2", 3, 1), ("$C3", 0, 2))    # name, CPU, client number
PRIMARY, BACKUP = 1, 2                                      # where $BANK starts, and its backup
EARLIEST = 1 * MS + 500 * US                                # no fault before the clients' traffic
IMALIVE_MARGIN = 300 * US   # I'm-alive and regroup copies may spend this long queued and on the bus
EXTRA_RUN = 60_000 * MS     # how much longer a run with a waiting client is repeated
CLASSES = ("lost", "duplicated", "hung", "error", "other", "invariant")


def t(ns):
    """A scenario time: whole nanoseconds, in the largest unit that keeps it exact."""
    for unit, size in (("ms", MS), ("us", US)):
        if ns % size == 0:
            return f"{ns // size}{unit}"
    return f"{ns}ns"


def traffic_end_ns(k, pause_us):
    """About when the clients finish without faults (3 clients back to back take ~0.57 ms a round; with a
    pause p, p + ~0.26 ms), only to place the CPU failure inside the traffic."""
    return 1 * MS + k * max(600 * US, pause_us * US + 300 * US)


# ---- Outages ----
def covered_instants(start, end, hb):
    """How many heartbeat instants k*hb an outage [start, end) makes silent: those whose I'm-alive copies
    may still be on the bus when it begins, up to the last one before it ends."""
    first = (start - IMALIVE_MARGIN + hb - 1) // hb
    last = (end - 1) // hb
    return max(0, last - first + 1)


def regroup_window(fail_at, hb):
    """When the survivors run the regroup round that declares a CPU failed at fail_at down: two heartbeat
    instants after its last I'm-alive, half a period later, for a quarter of a period
    (docs/membership.md, section 2)."""
    last_send = (fail_at - 1) // hb * hb
    begin = last_send + 5 * hb // 2
    return begin - IMALIVE_MARGIN, begin + hb // 4 + IMALIVE_MARGIN


def draw_outage(rng, hb, fail_at, silencing, spare_regroup):
    """[start, end) of one outage, in ns. It ends before the CPU failure, overlaps it, or starts after it
    (up to 4 periods after: through detection, takeover and the resends), each a third of the time, and
    never starts before the traffic. One that silences a CPU covers at most one heartbeat instant and, if
    asked, keeps clear of the regroup round that decides the failed CPU."""
    lo, hi = regroup_window(fail_at, hb)
    while True:
        if not silencing:
            dur = rng.randint(hb // 20, hb * 3 // 2)
        elif rng.random() < 0.7:
            dur = rng.randint(hb // 20, hb * 9 // 10)
        else:
            dur = rng.randint(hb, hb * 145 // 100)
        when = rng.choice(("before", "overlapping", "after"))
        first, last = {"before": (fail_at - dur - 2 * hb, fail_at - dur - 1000),
                       "overlapping": (fail_at - dur + 1000, fail_at - 1000),
                       "after": (fail_at, fail_at + 4 * hb)}[when]
        first = max(first, EARLIEST)
        if first > last:
            continue                                # the failure is too early in the traffic for this
        start = rng.randint(first, last)
        end = start + dur
        if silencing and covered_instants(start, end, hb) > 1:
            continue
        if silencing and spare_regroup and start < hi and end > lo:
            continue
        return start, end


def outage_actions(kind, start, end):
    """The fail and repair statements of one outage. kind: ("bus", "X" | "Y" | "XY") or ("paths", cpu)."""
    what, arg = kind
    acts = []
    for b in (arg if what == "bus" else "XY"):
        target = f"bus {b}" if what == "bus" else f"path {b} cpu {arg}"
        acts += [(start, f"fail {target}"), (end, f"repair {target}")]
    return acts


def outage_note(family, kind, start, end, fail_at, hb):
    what, arg = kind
    if what == "bus":
        name = {"X": "bus X", "Y": "bus Y"}.get(arg, "both buses")
    elif arg in (PRIMARY, BACKUP):
        name = f"both paths of cpu {arg} (" + ("a pair CPU" if family == "switch" else
                                              "the primary's" if arg == PRIMARY else "the backup's") + ")"
    else:
        name = f"both paths of cpu {arg} (a client's)"
    when = "before" if end <= fail_at else "after" if start >= fail_at else "overlapping"
    return f"{name} out {t(start)} .. {t(end)} ({(end - start) / hb:.2f} heartbeats, {when} the cpu failure)"


# ---- Scenarios ----
def scenario(family, seed, spare_regroup=False, extra_run=0):
    """(scenario text, the fault schedule in words, K transfers per client, the failed CPU) of one seed."""
    rng = random.Random(f"{family}/{seed}")
    hb = rng.choice([10, 15, 20, 25, 30, 40, 50]) * MS
    machine = f"machine cpus 4 heartbeat {t(hb)}"
    ack = 1000 * MS                                            # the default
    if rng.random() < (0.7 if family == "flap" else 0.4):
        ack = rng.choice([x for x in (200 * US, 1 * MS, 2 * MS, 5 * MS, 10 * MS, 20 * MS) if x <= hb])
        machine += f" ack-timeout {t(ack)}"
    k = rng.randint(20, 60)
    pause = rng.choice([0, 0, 100, 300, 1000, 2500])
    program, args, shape = "bank.pasm", f"{BACKUP}", ""
    if family == "switch":
        every = rng.randint(2, 12)
        program, args, shape = "bank-switch.pasm", f"{BACKUP} 10 10000 {every}", f", checkswitch every {every}"
    fail_cpu = rng.choice([PRIMARY, BACKUP])
    fail_at = rng.randint(2 * MS, max(3 * MS, traffic_end_ns(k, pause) * 9 // 10)) + rng.randint(0, 999)
    acts = [(fail_at, f"fail cpu {fail_cpu}")]
    notes = [f"fail cpu {fail_cpu} at {t(fail_at)}"]
    if family in ("bank", "switch"):
        kind = rng.choice([("bus", "X"), ("bus", "Y"), ("bus", "XY"), ("paths", PRIMARY), ("paths", BACKUP),
                           ("paths", 0), ("paths", 3)])
        silencing = kind[0] == "paths" or kind[1] == "XY"          # one bus alone silences nobody
        start, end = draw_outage(rng, hb, fail_at, silencing, spare_regroup)
        acts += outage_actions(kind, start, end)
        notes.append(outage_note(family, kind, start, end, fail_at, hb))
    else:                                                      # flap: X and Y in turn, one always up
        first = rng.choice("XY")
        second = "Y" if first == "X" else "X"
        start1, end1 = draw_outage(rng, hb, fail_at, False, spare_regroup)
        gap = rng.choice([rng.randint(1 * US, 100 * US), rng.randint(1 * US, ack if ack < hb else hb // 4),
                          rng.randint(100 * US, hb // 2), rng.randint(hb // 2, 2 * hb)])
        start2 = end1 + gap
        end2 = start2 + rng.randint(hb // 20, hb * 3 // 2)
        acts += outage_actions(("bus", first), start1, end1) + outage_actions(("bus", second), start2, end2)
        notes.append(outage_note(family, ("bus", first), start1, end1, fail_at, hb))
        notes.append(outage_note(family, ("bus", second), start2, end2, fail_at, hb) + f", {t(gap)} after")
    acts.sort(key=lambda a: a[0])
    # Long enough for everything to finish: the traffic, detection and takeover (under 3 heartbeats),
    # packets lost in an outage found by their acknowledgement timeout, the resends, and a wide margin.
    run_for = max(traffic_end_ns(k, pause), acts[-1][0]) + 12 * hb + 4 * ack + 500 * MS + extra_run
    lines = [f"# the promise, family {family}, seed {seed}" + (" (spare the regroup round)" if spare_regroup else ""),
             machine,
             f"start $BANK program {program} cpu {PRIMARY} args {args}"]
    lines += [f"at 1ms start {name} program bank-client.pasm cpu {cpu} args {n} {k} {pause}"
              for name, cpu, n in CLIENTS]
    lines += [f"at {t(at)} {what}" for at, what in acts]
    lines.append(f"run for {t(run_for)}")
    for name, _, _ in CLIENTS:
        lines += [f"expect {name} exit 0", f'expect output {name} "applied {k}"',
                  f'expect output {name} "total 100000"']
    notes.insert(0, f"heartbeat {t(hb)}, ack-timeout {t(ack)}, 3 clients x {k} transfers, pause {pause}us{shape}")
    return "\n".join(lines) + "\n", notes, k, fail_cpu


# ---- Running and judging ----
def pairsim(path, *args, timeout=300):
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    # Run from guest/ so that the programs are those of the project directory given.
    return subprocess.run([PAIRSIM, "run", path, *args], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=os.path.join(ROOT, "guest"))


def classify(summary, k):
    """{client: (class, detail)} for every client that broke the promise."""
    bad = {}
    for name, _, _ in CLIENTS:
        inst = [p for p in summary.get("processes", []) if p["name"] == name]
        if not inst:
            bad[name] = ("other", "never started")
            continue
        p = inst[-1]
        out = p.get("output", [])
        tail = out[-4:]
        if p.get("abend") is not None:
            bad[name] = ("other", f"abend {p['abend']!r}")
        elif p.get("exit") is None:
            bad[name] = ("hung", f"{p.get('state')} at the end of the run, output {tail}")
        elif p["exit"] == 0:
            if out[-2:] != ["total 100000", f"applied {k}"]:
                bad[name] = ("other", f"exit 0 but printed {tail}")
        elif p["exit"] == 1:
            said = dict(line.rsplit(" ", 1) for line in out if line.startswith(("bad reply ", "reply ")))
            try:
                i, length, seq, count = (int(said[x]) for x in ("bad reply", "reply length", "reply seq",
                                                                 "reply count"))
            except (KeyError, ValueError):
                bad[name] = ("other", f"exit 1, printed {tail}")
                continue
            what = f"transfer {i} answered with {length} bytes, seq {seq}, count {count}"
            bad[name] = ("other" if length != 16 or count == i else "lost" if count < i else "duplicated", what)
        elif p["exit"] == 2:
            bad[name] = ("error", f"printed {tail}")
        elif p["exit"] == 3:
            applied = next((int(x.split()[1]) for x in out if x.startswith("applied ")), None)
            cls = "other" if applied is None else "lost" if applied < k else "duplicated"
            bad[name] = (cls, f"the bank applied {applied} of its {k} transfers: {tail}")
        else:
            bad[name] = ("other", f"exit {p['exit']}: {tail}")
    return bad


def lost_cpus(summary, fail_cpu):
    """CPUs lost besides the one the scenario failed."""
    notes = [f"cpu {d['cpu']} declared down by cpu {d['declared_by']} at {t(d['declared_ns'])}"
             for d in summary.get("detections", []) if d["cpu"] != fail_cpu]
    notes += [f"cpu {h['cpu']} halted at {t(h['t_ns'])}: {h['reason']}" for h in summary.get("halts", [])]
    return notes


def run_one(job):
    """(family, seed, schedule, {client: (class, detail)}, [cpus lost]) of one seed."""
    family, seed, spare, tmpdir = job

    def attempt(extra):
        text, schedule, k, fail_cpu = scenario(family, seed, spare, extra)
        path = os.path.join(tmpdir, f"{family}-{seed}-{extra}.scn")
        with open(path, "w") as f:
            f.write(text)
        try:
            p = pairsim(path, "--json")
        except subprocess.TimeoutExpired:
            return schedule, {"*": ("hung", "pairsim itself did not finish in 300 s")}, []
        finally:
            os.unlink(path)
        try:
            summary = json.loads(p.stdout)
        except json.JSONDecodeError:
            summary = None
        if summary is None or p.returncode not in (0, 1):
            return schedule, {"*": ("other", f"pairsim exit {p.returncode}: {p.stderr.strip()[:300]}")}, []
        bad = classify(summary, k)
        # The machine's own invariants, whatever the clients saw (docs/scenarios.md, "Invariants").
        broken = [f"{v['rule']} at {t(v['t_ns'])}: {v['text']}" for v in summary.get("invariants", [])]
        if broken:
            bad["invariants"] = ("invariant", "; ".join(broken))
        return schedule, bad, lost_cpus(summary, fail_cpu)

    schedule, bad, cpus = attempt(0)
    waiting = [c for c, (cls, _) in bad.items() if cls == "hung" and c != "*"]
    if waiting:                      # hung, or only slow? The same run, a minute of simulated time longer.
        _, longer, _ = attempt(EXTRA_RUN)
        for c in waiting:
            if longer.get(c, ("",))[0] == "hung":
                bad[c] = ("hung", bad[c][1] + f"; still waiting {t(EXTRA_RUN)} later")
            else:
                bad[c] = ("other", bad[c][1] + f"; finished only in a run {t(EXTRA_RUN)} longer: "
                                   f"{longer.get(c, ('ok', 'exit 0'))}")
    return family, seed, schedule, bad, cpus


def replay_command(family, seed, spare):
    me = os.path.abspath(__file__)
    return (f"python3 {me} {os.path.abspath(PAIRSIM)} {os.path.abspath(ROOT)} replay {family} {seed}"
            + (" --spare-regroup" if spare else ""))


def replay(argv):
    family, seed, rest = argv[0], int(argv[1]), argv[2:]
    spare = "--spare-regroup" in rest
    rest = [a for a in rest if a != "--spare-regroup"]
    text, schedule, _, _ = scenario(family, seed, spare)
    print(text)
    for line in schedule:
        print(f"# fault: {line}")
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, f"{family}-{seed}.scn")
        with open(path, "w") as f:
            f.write(text)
        p = pairsim(path, *rest, timeout=None)
        print(p.stdout, end="")
        print(p.stderr, end="", file=sys.stderr)
        return p.returncode


def main(argv):
    if argv[:1] == ["replay"]:
        return replay(argv[1:])
    families = {f: range(n) for f, n in FAMILIES.items()}
    workers = min(os.cpu_count() or 1, 2)  # what ctest reserves for it (PROCESSORS 2); --jobs for more
    spare = False
    while argv:
        opt = argv.pop(0)
        if opt == "--spare-regroup":
            spare = True
        elif opt == "--family" and argv:
            families = {f: families[f] for f in argv.pop(0).split(",")}
        elif opt == "--seeds" and argv:
            lo, hi = (int(x) for x in argv.pop(0).split(".."))
            families = {f: range(lo, hi + 1) for f in families}
        elif opt == "--jobs" and argv:
            workers = int(argv.pop(0))
        else:
            print(f"usage: see the header of {os.path.basename(__file__)} (unknown option {opt})")
            return 2
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as d, concurrent.futures.ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(run_one, [(f, s, spare, d) for f, seeds in families.items() for s in seeds]))
    wall = time.monotonic() - t0
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)

    broken = [r for r in results if r[3]]
    for family, seed, schedule, bad, cpus in broken:
        print(f"BROKEN {family} seed {seed}: {', '.join(sorted({c for c, _ in bad.values()}))}"
              + (" (cpu lost)" if cpus else ""))
        for line in schedule:
            print(f"    fault: {line}")
        for name, (cls, what) in sorted(bad.items()):
            print(f"    {name} {cls.upper()}: {what}")
        for note in cpus:
            print(f"    cpu lost: {note}")
        print(f"    replay: {replay_command(family, seed, spare)}")

    # A run counts once in each class one of its clients fell in.
    def counts(rs):
        c = {k: sum(1 for r in rs if any(v[0] == k for v in r[3].values())) for k in CLASSES}
        c["cpu lost"] = sum(1 for r in rs if r[4])
        return c
    cols = CLASSES + ("cpu lost",)
    print()
    print(f"{'family':8} {'runs':>5} {'broken':>7} " + " ".join(f"{c:>10}" for c in cols))
    for family in families:
        rs = [r for r in results if r[0] == family]
        c = counts(rs)
        print(f"{family:8} {len(rs):5} {sum(1 for r in rs if r[3]):7} " + " ".join(f"{c[k]:10}" for k in cols))
    c = counts(results)
    print(f"total: {len(results)} runs, {len(broken)} broke the promise (" +
          ", ".join(f"{k} {c[k]}" for k in cols) + ")" + (" [--spare-regroup]" if spare else ""))
    print(f"time: {wall:.1f} s with {workers} workers; the runs used {cpu.ru_utime + cpu.ru_stime:.1f} s of CPU")
    if broken:
        print("FAILED: the promise was broken; replay a seed with the command printed under it")
        return 1
    print("all runs kept the promise")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[3:]))
