#!/usr/bin/env python3
"""Process pairs: the pair scenarios, exactly-once at many failure moments, the
Table 8-1 view, determinism and the VCD of a pair run."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import check, check_vcd2fst, done, run, run_json, scenario, tmpfile, vcd_vars  # noqa: E402

def events(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def outputs(summary, name):
    """The output lines of every process named `name`, primary and backup, in the order they ran."""
    return [line for p in summary["processes"] if p["name"] == name for line in p.get("output", [])]


def numbers(lines):
    return [int(x) for x in lines if re.fullmatch(r"-?\d+", x)]


def pair(summary, name):
    return next((p for p in summary["pairs"] if p["name"] == name), None)


# ---- 1. Every pair scenario passes, and its summary says who took over from whom, and why. ----
TAKEOVER_KEYS = ("pair", "from_cpu", "to_cpu", "failure_ns", "detected_ns", "takeover_ns", "reason")
PAIR_KEYS = ("name", "primary_cpu", "backup_cpu", "state")
expected = {
    # scenario: ([(pair, from, to, reason, failure_ns)], (pair, primary, backup, state))
    "takeover-demo.scn": ([("$COUNT", 1, 2, "processor failed", 420_000_000)], ("$COUNT", 2, 3, "ok")),
    "pair-counter-log.scn": ([("$COUNT", 1, 2, "processor failed", 205_000_000)], ("$COUNT", 2, 3, "ok")),
    "pair-counter-repeat.scn": ([("$COUNT", 1, 2, "processor failed", 205_000_000)], ("$COUNT", 2, 3, "ok")),
    "pair-backup-lost.scn": ([("$COUNT", 1, 3, "processor failed", 300_000_000)], ("$COUNT", 3, 0, "ok")),
    "pair-bank.scn": ([("$BANK", 1, 2, "processor failed", 12_000_000)], ("$BANK", 2, None, "no backup")),
    "pair-table-8-1.scn": ([("$PAIR", 1, 2, "checkswitch", None), ("$PAIR", 2, 1, "processor failed", 150_000_000)],
                           ("$PAIR", 1, None, "no backup")),
    "pair-reload.scn": ([("$BANK", 1, 2, "processor failed", 100_000_000), ("$BANK", 2, 1, "checkswitch", None)],
                        ("$BANK", 1, 2, "ok")),
    "pair-double-failure.scn": ([], ("$BANK", None, None, "lost")),
}
shipped = sorted(f for f in os.listdir(os.path.dirname(scenario("x")))
                 if f.startswith("pair-") or f == "takeover-demo.scn")
check(set(expected) <= set(shipped), f"the pair scenarios are all there: {sorted(expected)}")
for name in shipped:
    p, s = run_json(scenario(name))
    ok = p.returncode == 0 and s is not None and s["expectations"]["failed"] == 0
    check(ok, f"{name} passes every expectation")
    if not s or name not in expected:
        continue
    takeovers, (pname, primary, backup, state) = expected[name]
    got = s["takeovers"]
    check(all(all(k in t for k in TAKEOVER_KEYS) for t in got), f"{name}: every takeover has {TAKEOVER_KEYS}")
    check([(t["pair"], t["from_cpu"], t["to_cpu"], t["reason"]) for t in got] ==
          [(a, b, c, d) for a, b, c, d, _ in takeovers], f"{name}: takeovers {[t[:4] for t in takeovers]}")
    for t, (_, _, _, reason, failure) in zip(got, takeovers):
        order = t["failure_ns"] <= t["detected_ns"] <= t["takeover_ns"]
        if failure is not None:
            bound = 300_000_000 if name == "takeover-demo.scn" else 150_000_000  # three heartbeat periods
            # A fault takes effect at its instant: the failure time is the scenario's, to the nanosecond.
            check(t["failure_ns"] == failure and order and t["takeover_ns"] - failure <= bound,
                  f"{name}: failure at {failure} ns, then detection, then takeover within three heartbeats "
                  f"({t['takeover_ns'] - t['failure_ns']} ns)")
        else:
            check(t["failure_ns"] == t["detected_ns"] == t["takeover_ns"], f"{name}: a checkswitch is its own moment")
    pr = pair(s, pname)
    check(pr is not None and all(k in pr for k in PAIR_KEYS), f"{name}: {pname} in 'pairs' with {PAIR_KEYS}")
    if pr:
        check((pr["primary_cpu"], pr["backup_cpu"], pr["state"]) == (primary, backup, state),
              f"{name}: {pname} ends with primary {primary}, backup {backup}, state '{state}' "
              f"(got {pr['primary_cpu']}, {pr['backup_cpu']}, '{pr['state']}')")

# ---- 2. THE KEY TEST: exactly once, whatever the moment of the failure. ----
# The bank's primary CPU fails at many moments of a busy run: spread over it at odd nanosecond offsets,
# and packed around one request's checkpoint and reply, where the windows of the pattern are.
BANK = """machine cpus 4 heartbeat 50ms
start $BANK program bank.pasm cpu 1 args 2
at 1ms start $C1 program bank-client.pasm cpu 0 args 0 {k} 0
at 1ms start $C2 program bank-client.pasm cpu 3 args 1 {k} 0
at 1ms start $C3 program bank-client.pasm cpu 0 args 2 {k} 0
{fault}
run for 400ms
"""
K = 30
base_trace = tmpfile(".jsonl")
base_scn = tmpfile(".scn", BANK.format(k=K, fault=""))
p = run("run", base_scn, "--trace", base_trace)
ev = events(base_trace)
bank_ck = [e["t_ns"] for e in ev if e["kind"] == "checkpoint" and e["pair"] == "$BANK"]
busy_end = max(e["t_ns"] for e in ev if e["kind"] == "process_stop")
check(p.returncode == 0 and len(bank_ck) == 3 * K + 1, f"bank without failure: {len(bank_ck)} checkpoints, "
      f"busy until {busy_end} ns")
os.unlink(base_trace)
os.unlink(base_scn)

# 40 moments spread over the busy part, and one every 3 us (plus an odd ns) through one whole request cycle:
# read, work, savereply, checkpoint in flight, acknowledgement, reply in flight.
spread = [1_100_000 + i * (busy_end - 1_500_000) // 40 + (i * 7919) % 1000 for i in range(40)]
mid = len(bank_ck) // 2
cycle = [bank_ck[mid] + d for d in range(-60_000, bank_ck[mid + 1] - bank_ck[mid] - 60_000, 3_001)]
moments = spread + cycle
failed, saw = [], {"duplicate": 0, "fs_resend": 0}
for t in moments:
    scn = tmpfile(".scn", BANK.format(k=K, fault=f"at {t}ns fail cpu 1\n"))
    trace = tmpfile(".jsonl")
    p, s = run_json(scn, "--trace", trace)
    kinds = {e["kind"] for e in events(trace)}
    for k in saw:
        saw[k] += k in kinds
    os.unlink(scn)
    os.unlink(trace)
    why = []
    if s is None:
        why.append(f"exit {p.returncode}, no summary")
    else:
        for c in ("$C1", "$C2", "$C3"):
            proc = next((x for x in s["processes"] if x["name"] == c), {})
            if proc.get("exit") != 0:
                why.append(f"{c} exit {proc.get('exit')}: {outputs(s, c)}")
            if outputs(s, c)[-2:] != ["total 100000", f"applied {K}"]:
                why.append(f"{c} printed {outputs(s, c)[-2:]}")
        if [(x["from_cpu"], x["to_cpu"]) for x in s["takeovers"]] != [(1, 2)]:
            why.append(f"takeovers {s['takeovers']}")
    if why:
        failed.append((t, why))
check(not failed, f"bank: CPU 1 failed at {len(moments)} moments; each time every client exit 0, each transfer "
      f"applied exactly once ({K} per client), total 100000, one takeover 1 -> 2" +
      ("" if not failed else f"; failures: {failed[:3]}"))
check(saw["fs_resend"] >= len(moments) // 2, f"requests were resent after the takeover ({saw['fs_resend']} runs)")
check(saw["duplicate"] >= 1, f"some failures fell between checkpoint and reply: answered from the saved reply "
      f"({saw['duplicate']} runs)")

# Failures around the creation of the backup, with requests already waiting: before the backup exists the
# pair is a single process and is lost; from the moment it exists, every CPU must promote it (a kernel fix:
# the backup's own CPU publishes it, so the survivors agree even if the primary's CPU never heard back).
EARLY = BANK.replace("at 1ms start", "start")
base_trace = tmpfile(".jsonl")
base_scn = tmpfile(".scn", EARLY.format(k=10, fault=""))
run("run", base_scn, "--trace", base_trace)
born = next(e["t_ns"] for e in events(base_trace) if e["kind"] == "process_start" and e["cpu"] == 2)
os.unlink(base_trace)
os.unlink(base_scn)
wrong = []
for t in range(born - 15_000, born + 60_000, 2_999):
    scn = tmpfile(".scn", EARLY.format(k=10, fault=f"at {t}ns fail cpu 1\n"))
    p, s = run_json(scn)
    os.unlink(scn)
    if s is None:
        wrong.append((t, "no summary"))
        continue
    exits = sorted(x["exit"] for x in s["processes"] if x["name"].startswith("$C"))
    lost = pair(s, "$BANK")["state"] == "lost"
    if t >= born and (exits != [0, 0, 0] or lost or len(s["takeovers"]) != 1):
        wrong.append((t, exits, lost, s["takeovers"]))
    if t < born and (not lost or s["takeovers"]):
        wrong.append((t, exits, lost, s["takeovers"]))
n_early = len(range(born - 15_000, born + 60_000, 2_999))
check(not wrong, f"bank: CPU 1 failed at {n_early} moments around its backup's creation ({born} ns): lost "
      f"before, taken over with every client served after" + ("" if not wrong else f"; wrong: {wrong[:3]}"))

# The counter through $LOG (mode 1): exactly once at every moment, from one number to the next.
COUNTER = """machine cpus 4 heartbeat 50ms
start $LOG program table-8-1-log.pasm cpu 0
start $COUNT program counter.pasm cpu 1 args 2 {n} {period} {mode}
{fault}
run for {end}
"""
N = 25
base_trace = tmpfile(".jsonl")
base_scn = tmpfile(".scn", COUNTER.format(n=N, period=2000, mode=1, fault="", end="300ms"))
run("run", base_scn, "--trace", base_trace)
ev = events(base_trace)
sends = [e["t_ns"] for e in ev if e["kind"] == "checkpoint" and e["pair"] == "$COUNT"]
os.unlink(base_trace)
os.unlink(base_scn)
# 30 moments spread over the run, and one every 2 us through the busy part of one number: checkpoint,
# writeread to $LOG, its reply.
moments = [300_000 + i * 1_503_331 for i in range(30)] + [sends[10] + d for d in range(-4_000, 120_000, 2_003)]
bad = []
for t in moments:
    scn = tmpfile(".scn", COUNTER.format(n=N, period=2000, mode=1, fault=f"at {t}ns fail cpu 1", end="300ms"))
    p, s = run_json(scn)
    os.unlink(scn)
    got = numbers(outputs(s, "$LOG")) if s else None
    if got != list(range(1, N + 1)) or not s or len(s["takeovers"]) != 1:
        bad.append((t, got))
check(not bad, f"counter via $LOG: CPU 1 failed at {len(moments)} moments; $LOG printed 1..{N} exactly once "
      f"each time" + ("" if not bad else f"; failures: {bad[:3]}"))

# The counter printing itself (mode 0): never a gap; a repeat only in the window between a print and the
# arrival of the checkpoint after it — and there it does repeat, as docs/process-pairs.md explains.
base_trace = tmpfile(".jsonl")
base_scn = tmpfile(".scn", COUNTER.format(n=N, period=2000, mode=0, fault="", end="300ms"))
run("run", base_scn, "--trace", base_trace)
ev = events(base_trace)
printed = {int(e["text"]): e["t_ns"] for e in ev if e["kind"] == "output" and e["process"] == "$COUNT"
           and e["text"].isdigit()}
os.unlink(base_trace)
os.unlink(base_scn)
moments = [300_000 + i * 1_503_331 for i in range(30)]
bad = []
for t in moments:
    scn = tmpfile(".scn", COUNTER.format(n=N, period=2000, mode=0, fault=f"at {t}ns fail cpu 1", end="300ms"))
    p, s = run_json(scn)
    os.unlink(scn)
    got = numbers(outputs(s, "$COUNT")) if s else []
    last = max([n for n, at in printed.items() if at <= t], default=0)
    ok = sorted(set(got)) == list(range(1, N + 1)) and got == sorted(got) and (
        len(got) == N or (len(got) == N + 1 and got.count(last) == 2))
    if not ok:
        bad.append((t, got))
check(not bad, f"counter printing itself: at {len(moments)} moments no number lost, at most the last one "
      f"printed before the failure repeated" + ("" if not bad else f"; failures: {bad[:3]}"))
# Sweep across the print of 10, one moment a microsecond: the moments that repeat it form one short window.
sweep = list(range(printed[10] - 20_000, printed[10] + 60_000, 1_000))
repeating = []
for t in sweep:
    scn = tmpfile(".scn", COUNTER.format(n=N, period=2000, mode=0, fault=f"at {t}ns fail cpu 1", end="300ms"))
    p, s = run_json(scn)
    os.unlink(scn)
    got = numbers(outputs(s, "$COUNT")) if s else []
    if sorted(set(got)) != list(range(1, N + 1)):
        repeating.append(None)  # a gap: never allowed
    elif got.count(10) == 2:
        repeating.append(t)
window = [t for t in repeating if t is not None]
check(None not in repeating and window and window == sweep[sweep.index(window[0]):sweep.index(window[-1]) + 1]
      and window[-1] - window[0] < 50_000,
      f"counter printing itself: across the print of 10 (1 us steps) no gap, and 10 repeats exactly in one window "
      f"of {len(window)} us, from {window[0] - printed[10] if window else '?'} ns to "
      f"{window[-1] - printed[10] if window else '?'} ns after the print")
for delta, repeats in ((1_000, True), (100_000, False)):
    t = printed[10] + delta
    scn = tmpfile(".scn", COUNTER.format(n=N, period=2000, mode=0, fault=f"at {t}ns fail cpu 1", end="300ms"))
    p, s = run_json(scn)
    os.unlink(scn)
    got = numbers(outputs(s, "$COUNT")) if s else []
    check(got.count(10) == (2 if repeats else 1) and sorted(set(got)) == list(range(1, N + 1)),
          f"counter printing itself, failure {delta} ns after it printed 10: 10 printed "
          f"{'twice (the window)' if repeats else 'once'}")

# ---- 3. The life of a pair as Table 8-1. ----
TABLE_8_1 = [  # (column, text) in the book's order; 0 = the original primary, 1 = the original backup
    (0, "Perform initialization"),
    (0, "call newprocess to create backup"),
    (1, "Perform initialization"),
    (1, "call checkmonitor to receive checkpoint data"),
    (0, "call checkpoint"),
    (0, "call checkopen"), (1, "call open from checkmonitor"),
    (0, "Processing"),
    (0, "call checkpoint"),
    (0, "Voluntary switch: call checkswitch"), (1, "Take over"),
    (0, "Wait in checkmonitor"), (1, "Processing"),
    (1, "call checkpoint"),
    (1, "CPU fails"),
    (0, "Take over"), (1, "(gone)"),
    (0, "Processing"),
]


def table_rows(text):
    """(column, cell) pairs of the first table in `text`, cells cut at the column widths of its rule."""
    lines = text.splitlines()
    try:
        rule = next(i for i, l in enumerate(lines) if l.startswith("------------  "))
    except StopIteration:
        return []
    widths = [len(w) for w in lines[rule].split("  ")]
    rows = []
    for l in lines[rule + 1:]:
        if not l.strip():
            break
        a = 12 + 2
        b = a + widths[1] + 2
        for col, cell in ((0, l[a:b].strip()), (1, l[b:].strip())):
            if cell:
                rows.append((col, cell))
    return rows


def in_order(rows, steps):
    i = 0
    for col, cell in rows:
        if i < len(steps) and col == steps[i][0] and cell.startswith(steps[i][1]):
            i += 1
    return i


trace = tmpfile(".jsonl")
p = run("run", scenario("pair-table-8-1.scn"), "--table", "--trace", trace)
rows = table_rows(p.stdout[p.stdout.find("Life of process pair $PAIR"):])
n = in_order(rows, TABLE_8_1)
check(p.returncode == 0 and n == len(TABLE_8_1),
      f"run --table shows Table 8-1's {len(TABLE_8_1)} steps in order (matched {n}"
      + ("" if n == len(TABLE_8_1) else f", missing {TABLE_8_1[n]}") + ")")
p2 = run("table", trace, "--pair", "$PAIR")
check(p2.returncode == 0 and in_order(table_rows(p2.stdout), TABLE_8_1) == len(TABLE_8_1),
      "pairsim table TRACE --pair '$PAIR' shows the same steps in order")
check(table_rows(p2.stdout) == rows, "the table from the trace file equals the one from the run")
# The table docs/process-pairs.md prints is the run's, to the character (trailing blanks aside).
with open(os.path.join(os.path.dirname(scenario("x")), "..", "docs", "process-pairs.md")) as f:
    doc = f.read()
start = doc.index("```\ntime (s)      First primary (cpu 1)") + 4
doc_table = doc[start:doc.index("```", start)]
run_table = p.stdout[p.stdout.find("time (s)"):]
strip = lambda text: [line.rstrip() for line in text.strip("\n").splitlines()]
check(strip(doc_table) == strip(run_table), "docs/process-pairs.md prints the table the run prints")
times = [float(line.split()[0]) for line in strip(run_table)[2:] if line[:1].isdigit()]
check(times == sorted(times), "the table's rows are in time order")
full = run("table", trace, "--pair", "$PAIR", "--all")
check(full.returncode == 0 and "more rows" not in full.stdout and
      len(full.stdout.splitlines()) > len(p2.stdout.splitlines()),
      "pairsim table --all prints every row, none folded")
check(run("run", scenario("pair-table-8-1.scn"), "--all").returncode == 2, "--all without --table is a usage error")
p3 = run("table", trace, "--pair", "$NOPE")
check(p3.returncode != 0, "pairsim table --pair with a name the trace lacks fails")
os.unlink(trace)
notrace = tmpfile(".txt", "this is not a trace\n")
check(run("table", notrace).returncode == 2, "pairsim table on a file that is not a trace exits 2")
os.unlink(notrace)
check(run("table", "/nonexistent.jsonl").returncode == 2, "pairsim table on a missing file exits 2")

# ---- 4. Determinism: the same pair run, traced twice, gives byte-identical traces. ----
def traced(name, seed, vcd=False):
    t = tmpfile(".jsonl")
    v = tmpfile(".vcd") if vcd else None
    args = ["run", scenario(name), "--seed", str(seed), "--trace", t] + (["--vcd", v] if vcd else [])
    p = run(*args)
    with open(t, "rb") as f:
        data = f.read()
    os.unlink(t)
    return p.returncode, data, v


rc1, t1, _ = traced("pair-bank.scn", 5)
rc2, t2, _ = traced("pair-bank.scn", 5)
check(rc1 == rc2 == 0 and len(t1) > 0 and t1 == t2, "pair-bank.scn traced twice: byte-identical traces")
for kind in (b'"kind":"takeover"', b'"kind":"fs_resend"', b'"kind":"checkpoint"', b'"kind":"checkopen"',
             b'"kind":"backup_created"', b'"kind":"checkmonitor"'):
    check(kind in t1, f"the bank's trace has {kind.decode()}")

# ---- 5. The VCD of a pair run. ----
rc, _, vcd_path = traced("pair-reload.scn", 1, vcd=True)
with open(vcd_path, "rb") as f:
    vcd = f.read()


def vcd_values(data, code, signed_width=None):
    """The successive integer values of one VCD variable (two's complement in signed_width bits, if given)."""
    vals = []
    for m in re.finditer(rb"^b([01]+) (\S+)$", data, flags=re.M):
        if m.group(2).decode() == code:
            v = int(m.group(1), 2)
            vals.append(v - (1 << signed_width) if signed_width and v >= 1 << (signed_width - 1) else v)
    return vals


names = vcd_vars(vcd)
for sig in ("top.pairs.BANK.primary_cpu", "top.pairs.BANK.backup_cpu", "top.pairs.BANK.checkpoints"):
    check(rc == 0 and sig in names, f"pair-reload VCD has {sig}")
if "top.pairs.BANK.primary_cpu" in names:
    prim = vcd_values(vcd, names["top.pairs.BANK.primary_cpu"], 5)
    back = vcd_values(vcd, names["top.pairs.BANK.backup_cpu"], 5)
    held = [v for v in prim if v >= 0]  # -1: no primary, from its CPU's failure to the takeover
    check([v for i, v in enumerate(held) if i == 0 or held[i - 1] != v][-3:] == [1, 2, 1] and -1 in prim,
          f"primary_cpu goes 1 -> none -> 2 (takeover) -> 1 (checkswitch): {prim}")
    check(back and back[-1] == 2 and -1 in back, f"backup_cpu ends 2, after a time without a backup (-1): {back}")
    ck = vcd_values(vcd, names["top.pairs.BANK.checkpoints"])
    check(ck == sorted(ck) and ck and ck[-1] > 100, f"checkpoints counts up ({ck[-1] if ck else None})")
check_vcd2fst(vcd_path, "vcd2fst reads the pair run's VCD")
os.unlink(vcd_path)

done()
