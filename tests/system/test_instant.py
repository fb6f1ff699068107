#!/usr/bin/env python3
"""A fault takes effect at its instant: a CPU runs up to a quantum ahead of the simulation kernel (temporal
decoupling), but what a failed CPU's processes would have done after the failure time never happens, and a
timed action on a busy CPU happens at its time, whatever the quantum."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, run_json, tmpfile  # noqa: E402

# Prints 1, 2, 3, … back to back: a line every 20 instruction times (25 µs at 0.8 MIPS, 2.5 µs at 8).
TICKER = os.path.join(ROOT, "tests", "programs", "ticker.pasm")
# Events that name, in `cpu`, the CPU they happen to rather than the CPU that does them.
ABOUT_A_CPU = {"cpu_state", "declared_down", "declared_up"}


def traced(text):
    """Runs a scenario text with a trace: (exit code, summary, events)."""
    scn = tmpfile(".scn", text)
    trace = tmpfile(".jsonl")
    p, s = run_json(scn, "--trace", trace)
    with open(trace) as f:
        ev = [json.loads(line) for line in f]
    os.unlink(scn)
    os.unlink(trace)
    return p.returncode, s, ev


def process(summary, name):
    return next((p for p in (summary or {}).get("processes", []) if p["name"] == name), None)


def lines(ev, name, until=None):
    return [(e["t_ns"], e["text"]) for e in ev
            if e["kind"] == "output" and e["process"] == name and (until is None or e["t_ns"] <= until)]


def fail_busy_cpu(machine, count, t_ns, what):
    """$T prints `count` numbers in CPU 1 and that CPU fails at t_ns: nothing CPU 1 does is stamped after
    t_ns, every line printed up to t_ns is kept, and $T is lost (it never reaches its exit)."""
    body = f'machine cpus 2 {machine}\nstart $T program "{TICKER}" cpu 1 args {count}\n'
    rc, s, ev = traced(body + f"at {t_ns}ns fail cpu 1\nrun for 6ms\n")
    _, _, free = traced(body + "run for 6ms\n")  # the same run without the fault
    late = [(e["kind"], e["t_ns"] - t_ns) for e in ev
            if e.get("cpu") == 1 and e["kind"] not in ABOUT_A_CPU and e["t_ns"] > t_ns]
    check(rc == 0 and late == [], f"{what}: nothing of CPU 1 stamped after the fault (got {late[:4]})")
    kept, before = lines(ev, "$T"), lines(free, "$T", until=t_ns)
    check(kept == before and kept, f"{what}: the {len(before)} lines printed up to the fault are all there, "
          f"and no more ({len(kept)})")
    p = process(s, "$T")
    check(p is not None and p["state"] == "lost" and p["exit"] is None,
          f"{what}: $T is lost with its CPU (got {p and (p['state'], p['exit'])})")
    stop = [e["t_ns"] for e in free if e["kind"] == "process_stop" and e["process"] == "$T"]
    return stop[0] if stop else None


# ---- 1. A failed CPU does nothing after its failure. ----
# With a 1 ms quantum CPU 1 used to run up to 0.9 ms past the fault: lines, and with 126 numbers the exit.
for t in (3_100_000, 2_345_678, 3_257_501):
    fail_busy_cpu("quantum 1ms", 400, t, f"quantum 1ms, fail at {t} ns")
exit_at = fail_busy_cpu("quantum 1ms", 126, 3_100_000, "quantum 1ms, fail 3100 us, exit due at 3.16 ms")
check(exit_at is not None and 3_100_000 < exit_at < 4_000_000,
      f"without the fault $T would have stopped in the fault's quantum ({exit_at} ns)")
# With the default 10 µs quantum, at 8 MIPS (a line every 2.5 µs), at odd moments: lines 1-2 µs after.
for t in (1_003_217, 1_007_499, 2_345_678, 3_257_501):
    fail_busy_cpu("mips 8", 2000, t, f"quantum 10us, mips 8, fail at {t} ns")
exit_at = fail_busy_cpu("mips 8", 1241, 3_102_001, "quantum 10us, mips 8, fail at 3102001 ns, exit due just after")
check(exit_at is not None and 3_102_001 < exit_at < 3_110_000,
      f"without the fault $T would have stopped within a quantum of the fault ({exit_at} ns)")
# And at the T/16's 0.8 MIPS, where a system call's cost (12.5 µs) is longer than the quantum.
for t in (1_003_217, 2_000_001, 3_257_501):
    fail_busy_cpu("", 400, t, f"quantum 10us, mips 0.8, fail at {t} ns")

# Sends: an echo client's CPU fails; it sends nothing after, and the server gets only what left before.
ECHO = """machine cpus 2 quantum 1ms mips 8
start $SERV program echo.pasm cpu 0 args 1
start $CLI program client.pasm cpu 1 args 1000 16
at 3100us fail cpu 1
run for 6ms
"""
rc, s, ev = traced(ECHO)
late = [(e["kind"], e["t_ns"]) for e in ev if e.get("cpu") == 1 and e["kind"] not in ABOUT_A_CPU
        and e["t_ns"] > 3_100_000]
sent = [e for e in ev if e["kind"] == "send" and e["cpu"] == 1]
got = [e for e in ev if e["kind"] == "receive" and e["cpu"] == 0]
check(rc == 0 and late == [] and sent and 0 < len(got) <= len(sent),
      f"echo client failed at 3.1 ms: no send or line after it ({late[:3]}); the server got {len(got)} of the "
      f"{len(sent)} requests sent before")

# The end of the run is such an instant too: a busy CPU shows nothing stamped after it.
for machine in ("quantum 1ms", "mips 8"):
    rc, s, ev = traced(f'machine cpus 2 {machine}\nstart $T program "{TICKER}" cpu 1 args 100000\nrun for 3050us\n')
    after = [e for e in ev if e["t_ns"] > 3_050_000]
    check(rc == 0 and after == [] and lines(ev, "$T") and ev[-1]["kind"] == "run_end",
          f"machine {machine}: nothing stamped after the end of the run ({len(after)} events)")

# ---- 2. A timed start on a busy CPU happens at its time. ----
for machine in ("", "quantum 1ms", "mips 8"):
    for t in (1_000_000, 1_003_217, 2_000_001, 2_345_678, 3_100_000):
        rc, s, ev = traced(f'machine cpus 2 {machine}\nstart $T program "{TICKER}" cpu 1 args 100000\n'
                           f"at {t}ns start $H program hello.pasm cpu 1 priority 160\nrun for 5ms\nexpect $H exit 0\n")
        st = [e["t_ns"] for e in ev if e["kind"] == "process_start" and e["process"] == "$H"]
        check(rc == 0 and st == [t], f"machine {machine or 'default'}: start at {t} ns on a busy CPU is stamped "
              f"{st}, and $H runs")
        ticks = [e["t_ns"] for e in ev if e["kind"] == "output" and e["process"] == "$T"]
        check(ticks == sorted(ticks) and len(ticks) > 100, f"machine {machine or 'default'}: $T kept printing")

# A start at the very instant a reloaded CPU comes up finds it up.
rc, s, ev = traced("""machine cpus 3 heartbeat 10ms
at 20ms fail cpu 1
at 50ms reload cpu 1
at 150ms start $H program hello.pasm cpu 1
run for 300ms
expect cpu 1 up at 150ms
expect $H exit 0
""")
check(rc == 0 and s and s["expectations"]["failed"] == 0, "a start at the instant a reload ends finds the CPU up")

# ---- 3. Deterministic: a fault and a start under a long quantum give the same trace every time. ----
scn = tmpfile(".scn", f"""machine cpus 3 quantum 1ms mips 8
start $T program "{TICKER}" cpu 1 args 100000
start $U program "{TICKER}" cpu 2 args 100000
start $SERV program echo.pasm cpu 0 args 1
start $CLI program client.pasm cpu 2 args 1000 16
at 1234567ns start $H program hello.pasm cpu 1
at 1234567ns fail cpu 2
at random 2ms..3ms fail cpu 1
run for 4ms
""")
traces = []
for _ in range(2):
    t = tmpfile(".jsonl")
    p = run("run", scn, "--trace", t, "--seed", "5")
    with open(t, "rb") as f:
        traces.append(f.read())
    os.unlink(t)
check(p.returncode == 0 and traces[0] == traces[1] and len(traces[0]) > 0,
      "the same scenario and seed give byte-identical traces")
os.unlink(scn)

done()
