#!/usr/bin/env python3
"""The machine: detection timing, bus failure, split brain, reload, exit codes, determinism, VCD."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, check_vcd2fst, done, run, run_json, scenario, tmpfile, vcd_vars  # noqa: E402

# cpu-failure: every survivor declares CPU 2 down 1..3 heartbeat periods after the fault.
p, s = run_json(scenario("cpu-failure.scn"))
check(p.returncode == 0 and s is not None, "cpu-failure.scn --json exits 0 with a JSON summary")
if s:
    for key in ("scenario", "seed", "sim_time_ns", "host_seconds", "cpus", "detections", "halts", "expectations"):
        check(key in s, f"summary has '{key}'")
    det = [d for d in s["detections"] if d["cpu"] == 2]
    check(sorted(d["declared_by"] for d in det) == [0, 1, 3], "CPUs 0, 1 and 3 each declare CPU 2 down once")
    for d in det:
        delay = d["declared_ns"] - d["failure_ns"]
        check(1e9 <= delay <= 3e9, f"cpu {d['declared_by']} declared after {delay} ns (1..3 periods)")
    check(s["halts"] == [], "nobody halts")
    check({c["id"]: c["state"] for c in s["cpus"]} == {0: "up", 1: "up", 2: "down", 3: "up"}, "final CPU states")
    check(s["expectations"]["failed"] == 0 and s["expectations"]["passed"] >= 5, "expectations all pass")

# Detection bound over many failure phases (the heartbeat's phase must not matter).
for ms in (1000, 1001, 1049, 1050, 1051, 1250, 1499, 1500, 1501, 1999):
    scn = tmpfile(".scn", f"machine cpus 3 heartbeat 100ms\nat {ms}ms fail cpu 1\nrun for 2.5s\n"
                          "expect detected cpu 1 within 300ms\n")
    p, s = run_json(scn)
    delays = [d["declared_ns"] - d["failure_ns"] for d in (s or {}).get("detections", [])]
    check(p.returncode == 0 and len(delays) == 2 and all(100e6 <= x <= 300e6 for x in delays),
          f"fault at {ms} ms detected within 1..3 periods: {delays}")
    os.unlink(scn)

# Bus failure: nothing is declared down, nobody halts, paths go down and come back.
trace = tmpfile(".jsonl")
p, s = run_json(scenario("bus-failure.scn"), "--trace", trace)
check(p.returncode == 0 and s and s["detections"] == [] and s["halts"] == [], "bus X failure: no detection, no halt")
kinds = [re.search(r'"kind":"([a-z_]+)"', l).group(1) for l in open(trace)]
check("path_down" in kinds and "path_up" in kinds, "bus X failure marks paths down and, after repair, up")
check("bus_resend" in kinds, "packets lost on bus X are resent on Y")
os.unlink(trace)

# Split brain: the cut-off CPU halts itself, the majority declares it down.
p, s = run_json(scenario("split-brain.scn"))
check(p.returncode == 0, "split-brain.scn passes")
if s:
    check([h["cpu"] for h in s["halts"]] == [3], "only CPU 3 halts")
    check(sorted(d["declared_by"] for d in s["detections"] if d["cpu"] == 3) == [0, 1, 2], "0, 1, 2 declare 3 down")

p, s = run_json(scenario("split-even.scn"))
check(p.returncode == 0 and s and sorted(h["cpu"] for h in s["halts"]) == [2, 3], "2/2 split: the half without CPU 0 halts")

# Reload: CPU 3 comes back and every other CPU declares it up.
trace = tmpfile(".jsonl")
p, s = run_json(scenario("reload.scn"), "--trace", trace)
check(p.returncode == 0, "reload.scn passes")
ups = [l for l in open(trace) if '"kind":"declared_up"' in l and '"cpu":3' in l]
check(len(ups) >= 3, f"CPU 3 declared up by the three others ({len(ups)} events)")
os.unlink(trace)

# Seeded random faults: the seed decides the fault, and the same seed always gives the same one.
rnd = tmpfile(".scn", "machine cpus 4 heartbeat 100ms\nat random 1s..3s fail cpu random\nrun for 4s\n")
faults = {}
for seed in (1, 1, 2, 3, 4, 5, 6):
    p, s = run_json(rnd, "--seed", str(seed))
    ok = p.returncode == 0 and s is not None and s["seed"] == seed and len(s["faults"]) == 1
    check(ok, f"random fault run with seed {seed}")
    if ok:
        f = (s["faults"][0]["t_ns"], s["faults"][0]["what"])
        check(1e9 <= f[0] <= 3e9 and re.fullmatch(r"fail cpu [0-3]", f[1]) is not None, f"seed {seed}: {f}")
        if seed in faults:
            check(faults[seed] == f, f"seed {seed} twice gives the same fault")
        faults[seed] = f
check(len(set(faults.values())) >= 3, "different seeds draw different faults")
p = run("run", rnd, "--seed", "9")
check("seed 9" in p.stdout, "the report names the seed")
os.unlink(rnd)

# Exit codes.
check(run("--help").returncode == 0, "--help exits 0")
check(run("--version").returncode == 0 and "pairsim" in run("--version").stdout, "--version")
check(run("run", "--help").returncode == 0, "run --help exits 0")
check(run("frobnicate").returncode == 2, "unknown command exits 2")
check(run().returncode == 2, "no command exits 2")
check(run("run", "/nonexistent.scn").returncode == 2, "missing scenario file exits 2")
check(run("run", scenario("cpu-failure.scn"), "--bogus").returncode == 2, "unknown option exits 2")
check(run("run", scenario("cpu-failure.scn"), "--log-level", "chatty").returncode == 2, "bad log level exits 2")
check(run("run", scenario("cpu-failure.scn"), "--seed", "-1").returncode == 2, "--seed -1 exits 2")
check(run("run", scenario("cpu-failure.scn"), "--seed", "12x").returncode == 2, "--seed 12x exits 2")
check(run("run", scenario("cpu-failure.scn"), "--vcd", "/nonexistent/dir/w.vcd").returncode == 2, "unwritable --vcd exits 2")
check(run("run", scenario("cpu-failure.scn"), "--vcd", "wave.txt").returncode == 2, "--vcd not ending in .vcd exits 2")
check(run("run", scenario("cpu-failure.scn"), "--trace", "/nonexistent/dir/t.jsonl").returncode == 2, "unwritable --trace exits 2")
p = run("run", ROOT)
check(p.returncode == 2 and "is a directory" in p.stderr, "a directory as scenario exits 2 and says so")
check(run("run", "/dev/zero").returncode == 2, "a device as scenario exits 2")
junk = tmpfile(".jsonl", '{"t_ns":99999999999999999999999,"kind":"x"}\n')
p = run("table", junk)
check(p.returncode == 2 and ":1:1: error:" in p.stderr, "table on a bad trace line exits 2 with its line")
os.unlink(junk)
check(run("table", ROOT).returncode == 2, "table on a directory exits 2")
quiet_env = {k: v for k, v in os.environ.items() if k != "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE"}
p = subprocess.run([sys.argv[1], "run", scenario("cpu-failure.scn")], capture_output=True, text=True, env=quiet_env)
check(p.returncode == 0 and "Copyright" not in p.stdout + p.stderr, "no SystemC banner in a run's output")
bad = tmpfile(".scn", "machine cpus 4\nat 1s fail cpu 2\nrun for 5s\nexpect cpu 2 up\n")
p = run("run", bad)
check(p.returncode == 1 and "✗" in p.stdout, "a failed expectation exits 1 and is marked ✗")
os.unlink(bad)

# Determinism: same scenario + seed = byte-identical trace and VCD (but for the VCD's date line).
def traced(seed):
    t, v = tmpfile(".jsonl"), tmpfile(".vcd")
    p = run("run", scenario("reload.scn"), "--seed", str(seed), "--trace", t, "--vcd", v)
    tr, vc = open(t, "rb").read(), open(v, "rb").read()
    os.unlink(t)
    return p.returncode, tr, re.sub(rb"\$date.*?\$end", b"", vc, flags=re.S), v

rc1, t1, v1, vcd_path = traced(7)
rc2, t2, v2, _ = traced(7)
check(rc1 == 0 and rc2 == 0 and len(t1) > 0, "traced runs pass")
check(t1 == t2, "same seed gives a byte-identical trace")
check(v1 == v2, "same seed gives an identical VCD")
names = vcd_vars(v1)
for sig in ("top.cpu0.state", "top.cpu3.imalive", "top.bus.x.busy", "top.bus.y.sender", "top.bus.x.path_cpu3"):
    check(sig in names, f"VCD has {sig}")
check_vcd2fst(vcd_path, "vcd2fst reads the VCD")
os.unlink(vcd_path)


# Without a waveform the bus catches up lazily (docs/bus.md): runs are as repeatable, and hold the same
# events at the same times as with one (only lines of one instant from different modules may reorder).
def trace_of(name, *extra):
    t = tmpfile(".jsonl")
    p = run("run", scenario(name), "--seed", "3", "--trace", t, *extra)
    lines = open(t, "rb").read()
    os.unlink(t)
    return p.returncode, lines


for name in ("pair-bank.scn", "bus-failure.scn", "guest-echo-big.scn", "pair-reload-traffic.scn"):
    rc_a, lazy_a = trace_of(name)
    rc_b, lazy_b = trace_of(name)
    w = tmpfile(".vcd")
    rc_w, waved = trace_of(name, "--vcd", w)
    os.unlink(w)
    check(rc_a == 0 and rc_b == 0 and rc_w == 0 and len(lazy_a) > 0, f"{name}: runs pass")
    check(lazy_a == lazy_b, f"{name}: same seed, no waveform: byte-identical trace")
    check(sorted(lazy_a.splitlines()) == sorted(waved.splitlines()),
          f"{name}: the same events at the same times with and without a waveform")

done()
