#!/usr/bin/env python3
"""The waveform: `pairsim run --vcd run.vcd` writes run.vcd and, beside it, a GTKWave save file run.gtkw with
its translate filter files. Deterministic, readable by GTKWave's tools, arranged, and telling the same story as
the trace (docs/inspect.md, "The waveform"; docs/trace-format.md, "The VCD waveform")."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import check, check_vcd2fst, done, run, scenario  # noqa: E402


def vcd_signals(data):
    """Declared variables: the name GTKWave gives each (with its bit range) -> identifier code."""
    scope, names = [], {}
    for line in data.splitlines():
        t = line.split()
        if t[:2] == ["$scope", "module"]:
            scope.append(t[2])
        elif t[:1] == ["$upscope"]:
            scope.pop()
        elif t[:1] == ["$var"]:
            width, code, name = int(t[2]), t[3], t[4]
            rng = t[5] if t[5] != "$end" else (f"[{width - 1}:0]" if width > 1 else "")
            names[".".join(scope + [name]) + rng] = code
        elif t[:1] == ["$enddefinitions"]:
            break
    return names


def vcd_changes(data, code):
    """[(time, value string)] of one variable, in file order, the $dumpvars value at time 0 first."""
    out, t = [], 0
    for line in data.split("$enddefinitions $end", 1)[1].splitlines():
        if line.startswith("#"):
            t = int(line[1:])
        elif line.startswith("b") and line.split()[1] == code:
            out.append((t, line.split()[0][1:]))
        elif len(line) >= 2 and line[0] in "01xz" and line[1:] == code:
            out.append((t, line[0]))
    return out


def value_at(changes, t):
    v = None
    for when, val in changes:
        if when > t:
            break
        v = val
    return v


def signed(bits):
    v = int(bits, 2)
    return v - (1 << len(bits)) if bits[0] == "1" and len(bits) == 5 else v


def traced_run(name, folder):
    os.makedirs(folder, exist_ok=True)
    vcd, trace = os.path.join(folder, "run.vcd"), os.path.join(folder, "run.jsonl")
    p = run("run", scenario(name), "--seed", "1", "--vcd", vcd, "--trace", trace)
    with open(trace) as f:
        events = [json.loads(line) for line in f]
    return p, vcd, events


def read(path):
    with open(path, "rb") as f:
        return f.read()


tmp = tempfile.mkdtemp(prefix="pairsim-waveform-")

# ---- 1. The same scenario and seed, twice: byte-identical files. ----
p1, vcd1, events = traced_run("takeover-demo.scn", os.path.join(tmp, "a"))
p2, vcd2, _ = traced_run("takeover-demo.scn", os.path.join(tmp, "b"))
check(p1.returncode == 0 and p2.returncode == 0, f"takeover-demo runs pass with --vcd ({p1.returncode}, {p2.returncode})")
files_a = sorted(os.listdir(os.path.join(tmp, "a")))
check({"run.vcd", "run.gtkw", "run.gtkw.cpu-state.txt", "run.gtkw.pair-state.txt"} <= set(files_a),
      f"the VCD, its save file and filter files are written beside each other: {files_a}")
for n in files_a:
    if n == "run.jsonl":
        continue
    check(read(os.path.join(tmp, "a", n)) == read(os.path.join(tmp, "b", n)), f"two runs give a byte-identical {n}")

vcd = read(vcd1).decode()
check("$date" not in vcd and "$version\n\tpairsim " in vcd and "$timescale\n\t1 ns\n$end" in vcd,
      "the VCD header has no wall-clock date, pairsim's version and a 1 ns time scale")
check_vcd2fst(vcd1, "GTKWave's vcd2fst reads the VCD")

# ---- 1b. A waveform watches the run without changing it: the trace is the same with --vcd as without. ----
# (The bus is told nothing more with a waveform open: it reports each transfer as it starts, with its end.)
for name in ("takeover-demo.scn", "pair-bank.scn", "bank-disk.scn", "pair-bank-faults.scn"):
    folder = os.path.join(tmp, "same-" + name)
    os.makedirs(folder)
    plain, watched = os.path.join(folder, "plain.jsonl"), os.path.join(folder, "watched.jsonl")
    pa = run("run", scenario(name), "--seed", "4", "--trace", plain)
    pb = run("run", scenario(name), "--seed", "4", "--trace", watched, "--vcd", os.path.join(folder, "run.vcd"))
    check(pa.returncode == pb.returncode and read(plain) == read(watched),
          f"{name}: the trace with --vcd is byte-identical to the trace without")

# ---- 2. The save file: relative paths, every signal it names in the VCD, markers at the faults and takeovers. ----
gtkw = read(os.path.join(tmp, "a", "run.gtkw")).decode()
check('[dumpfile] "run.vcd"' in gtkw, "the save file names the VCD by its file name, beside it")
signals = vcd_signals(vcd)
named, filters = [], []
for line in gtkw.splitlines():
    if not line or line[0] in "[*@-":
        continue
    if line.startswith("^"):
        filters.append(line.split(" ", 1)[1])
        continue
    named.append(re.sub(r"^\+\{[^}]*\} ", "", line))
check(len(named) == len(signals), f"the save file shows every signal of the VCD ({len(named)} of {len(signals)})")
missing = [n for n in named if n not in signals]
check(named and not missing, f"every signal the save file names is in the VCD (missing: {missing[:5]})")
check(filters and all("/" not in f and os.path.exists(os.path.join(tmp, "a", f)) for f in filters),
      f"every translate filter file is named relatively and lies beside the save file: {sorted(set(filters))}")
for group in ("-CPUs", "-membership", "-pair $COUNT", "-buses"):
    check(f"\n{group}\n" in gtkw, f"the save file has the group {group[1:]}")

marks = [(e["t_ns"], e) for e in events if e["kind"] in ("fault", "takeover")]
zoom_line = next(line for line in gtkw.splitlines() if line.startswith("*"))
marker_times = [int(v) for v in zoom_line.split()[2:] if v != "-1"]
check(marker_times == sorted(t for t, _ in marks) and len(marker_times) == 2,
      f"named markers at the fault and the takeover: {marker_times} vs {[t for t, _ in marks]}")
check("[markername] Afail cpu 1" in gtkw and "[markername] Btakeover $COUNT cpu 1 -> 2" in gtkw,
      "the markers are named after the fault and the takeover")
end_ns = next(e["t_ns"] for e in events if e["kind"] == "run_end")
check(vcd.rstrip().endswith(f"#{end_ns}"), "the VCD's last time stamp is the run's end, so a viewer shows all of it")
zoom = float(zoom_line.split()[0][1:])
per_pixel = 2 ** -zoom / 200  # GTKWave's time units a pixel
check(900 * per_pixel * 0.9 <= end_ns <= 1100 * per_pixel, f"the zoom shows the whole run ({zoom})")

# ---- 3. The story of the trace: CPU 1 down at the fault, the pair's primary moves at the takeover. ----
fault = next(e for e in events if e["kind"] == "fault")
takeover = next(e for e in events if e["kind"] == "takeover")
state = vcd_changes(vcd, signals["top.cpu1.state[1:0]"])
check(value_at(state, fault["t_ns"] - 1) == "0" and value_at(state, fault["t_ns"]) == "1",
      f"top.cpu1.state goes from up (0) to down (1) at the fault's time, {fault['t_ns']}")
primary = vcd_changes(vcd, signals["top.pairs.COUNT.primary_cpu[4:0]"])
check(signed(value_at(primary, takeover["t_ns"] - 1)) != takeover["to_cpu"] and
      signed(value_at(primary, takeover["t_ns"])) == takeover["to_cpu"],
      f"top.pairs.COUNT.primary_cpu becomes {takeover['to_cpu']} at the takeover, {takeover['t_ns']}: {primary}")
pulse = vcd_changes(vcd, signals["top.pairs.COUNT.takeover"])
check(value_at(pulse, takeover["t_ns"]) == "1" and pulse[-1][1] == "0", f"a takeover pulse: {pulse}")
members = vcd_changes(vcd, signals["top.cpu2.members[0:3]"])
declared = [e for e in events if e["kind"] == "declared_down" and e["declared_by"] == 2]
check(declared and value_at(members, declared[0]["t_ns"]) == "1011",
      f"CPU 2's view of the membership drops CPU 1 when it declares it down: {members}")
regroup = vcd_changes(vcd, signals["top.cpu2.regroup[1:0]"])
check(any(v == "1" for _, v in regroup), f"CPU 2's regroup stage shows its round: {regroup}")

# ---- 4. Plain processes are not pairs. ----
p, vcd_bank, _ = traced_run("pair-bank.scn", os.path.join(tmp, "bank"))
bank = vcd_signals(read(vcd_bank).decode())
check(p.returncode == 0 and "top.pairs.BANK.primary_cpu[4:0]" in bank, "pair-bank's $BANK is under top.pairs")
check(not any(n.startswith("top.pairs.C") for n in bank) and "top.processes.C1.cpu[4:0]" in bank,
      "its clients are under top.processes, not top.pairs")

# ---- 5. GTKWave opens the save file, under a virtual X server (tools/install-deps.sh installs both). ----
gtkwave, xvfb = shutil.which("gtkwave"), shutil.which("xvfb-run")
check(gtkwave is not None and xvfb is not None,
      "gtkwave and xvfb-run are installed (tools/install-deps.sh installs Debian's gtkwave and xvfb)")
if gtkwave and xvfb:
    script = os.path.join(tmp, "count.tcl")
    with open(script, "w") as f:
        f.write('puts "shown [llength [gtkwave::getDisplayedSignals]] of [gtkwave::getNumFacs]"\n'
                'puts "dump [gtkwave::getDumpFileName]"\ngtkwave::/File/Quit\n')
    # From another folder: the save file finds its VCD beside itself, not in the current folder.
    r = subprocess.run([xvfb, "-a", gtkwave, "-S", script, os.path.join("a", "run.gtkw")], cwd=tmp,
                       capture_output=True, text=True, timeout=120)
    m = re.search(r"shown (\d+) of (\d+)", r.stdout)
    check(m is not None and int(m.group(1)) >= len(named) and "/a/run.vcd" in r.stdout,
          f"gtkwave a/run.gtkw opens a/run.vcd with the signals shown: {r.stdout[-300:]}")

shutil.rmtree(tmp)
done()
