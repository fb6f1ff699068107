#!/usr/bin/env python3
"""The promise through the I/O third of the machine: the disk-backed bank keeps every transfer exactly once
and its drives equal whatever fails, when — the disk process's CPU, a controller, a drive — at moments swept
over the traffic and drawn by seed; an image outlives the run and a second run goes on from it; runs are
deterministic, image included; the terminal prints every line once across either of its CPUs failing."""
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, scenario  # noqa: E402

BANK = os.path.join(ROOT, "guest", "bank-disk.pasm")
CLIENT = os.path.join(ROOT, "guest", "bank-client.pasm")


def bank_scenario(fault, image="", transfers=10, expect_mirrors=True):
    """The disk-backed bank, its disk process in CPUs 2 and 3, clients in CPUs 0 and 1, and `fault`."""
    return (f"machine cpus 4 heartbeat 50ms\n"
            f"volume $DATA controllers 0 1 cpus 2 3 mirrored{' image ' + image if image else ''}\n"
            f"start $BANK program {BANK} cpu 0 args 1\n"
            f"at 1ms start $C1 program {CLIENT} cpu 1 args 0 {transfers} 0\n"
            f"at 1ms start $C2 program {CLIENT} cpu 1 args 1 {transfers} 0\n"
            f"{fault}\n"
            f"run for 6s\n"
            f"expect $C1 exit 0\nexpect $C2 exit 0\n"
            f"expect output $C1 \"total 100000\"\nexpect output $C2 \"total 100000\"\n"
            + ("expect volume $DATA mirrors equal\n" if expect_mirrors else "")
            + "expect file $DATA.ACCTS records 10\nexpect invariants\n")


def sweep(tmp, name, fault, moments):
    scn = os.path.join(tmp, name + ".scn")
    with open(scn, "w") as f:
        f.write(bank_scenario(fault))
    out = os.path.join(tmp, "sweep-" + name)
    p = run("sweep", scn, "--moments", str(moments), "--jobs", "2", "--out", out, timeout=600)
    bad = []
    if os.path.exists(os.path.join(out, "results.jsonl")):
        with open(os.path.join(out, "results.jsonl")) as f:
            bad = [json.loads(line) for line in f if '"held"' not in line]
    check(p.returncode == 0, f"{name}: every one of {moments} moments held ({p.returncode}; not held: {bad[:3]})")


def balances(image):
    p = run("disk", "dump", image, "ACCTS", "--words")
    return [int(m) for m in re.findall(r"^record \d+: (-?\d+)$", p.stdout, re.M)]


def main():
    tmp = tempfile.mkdtemp()
    try:
        # One fault along the traffic (about 0.3 s to 1.8 s), at evenly spread moments.
        sweep(tmp, "dp-cpu", "at random 250ms..1800ms fail cpu 2", 24)
        sweep(tmp, "dp-cpu-reload", "at random 250ms..1800ms fail cpu 2 for 200ms", 12)
        sweep(tmp, "controller", "at random 250ms..1800ms fail controller 0 for random 5ms..100ms", 16)
        sweep(tmp, "switch", "at random 250ms..1800ms switch controller 0", 12)
        sweep(tmp, "drive", "at random 250ms..1800ms fail drive $DATA 0 for 150ms", 16)
        sweep(tmp, "bank-cpu", "at random 400ms..1800ms fail cpu 0", 16)  # the bank's own primary, once it is a pair

        # A pair that took over makes its backup again when its old CPU is back: a second failure, of the
        # other CPU, long after the first is repaired, loses nothing (the disk process, then the terminal).
        sweep(tmp, "dp-twice", "at random 250ms..900ms fail cpu 2 for 100ms\nat 1400ms fail cpu 3", 8)
        scn = os.path.join(tmp, "term-twice.scn")
        with open(scn, "w") as f:
            f.write("machine cpus 4 heartbeat 20ms\nterminal $TERM cpus 2 3\n"
                    "start $COUNT program counter.pasm cpu 0 args 1 40 20000 3\n"
                    "at 150ms fail cpu 2 for 50ms\nat 600ms fail cpu 3\nrun for 2s\n"
                    "expect output $TERM sequence 1..40\nexpect $TERM primary cpu 2\n")
        p = run("run", scn)
        check(p.returncode == 0, f"the terminal pair re-made its backup after a takeover and survived a second failure ({p.stdout[-300:]})")

        # Three faults one after the other, every moment and component drawn from the seed.
        out = os.path.join(tmp, "campaign")
        p = run("campaign", scenario("bank-disk-faults.scn"), "--seeds", "1..40", "--jobs", "2", "--out", out,
                timeout=600)
        check(p.returncode == 0, f"bank-disk-faults: 40 seeds all held ({p.returncode}: {p.stdout[-400:]})")

        # An image outlives the run: the second run goes on from the first's balances.
        image = os.path.join(tmp, "bank.img")
        scn = os.path.join(tmp, "image.scn")
        with open(scn, "w") as f:
            f.write(bank_scenario("at 600ms fail cpu 2", image="bank.img"))
        p = run("run", scn)
        check(p.returncode == 0 and os.path.exists(image), f"first run on the image holds ({p.returncode})")
        check(run("disk", "check", image).returncode == 0, "the image it left passes `disk check`")
        first = balances(image)
        check(len(first) == 10 and sum(first) == 100000 and first != [10000] * 10,
              f"the image holds the first run's balances: {first}")
        with open(scn, "w") as f:
            f.write(bank_scenario("", image="bank.img", transfers=0))
        p = run("run", scn)
        check(p.returncode == 0, f"a second run with no transfers holds ({p.returncode})")
        check(balances(image) == first, "the second run kept the first run's balances (no opening balances again)")
        with open(scn, "w") as f:
            f.write(bank_scenario("", image="bank.img", transfers=5))
        p = run("run", scn)
        after = balances(image)
        check(p.returncode == 0 and sum(after) == 100000 and after != first,
              f"a third run moves money on from there, conserved: {after}")

        # Deterministic: the same scenario and seed give the same trace, VCD and image, byte for byte.
        d = os.path.join(tmp, "det")
        os.mkdir(d)
        with open(os.path.join(d, "s.scn"), "w") as f:
            f.write(bank_scenario("at 600ms fail cpu 2\nat 1100ms fail controller 0\n"
                                  "at 1500ms fail drive $DATA 0 for 100ms", image="d.img"))
        codes = []
        for k in range(2):  # the same scenario file (its path is in the trace), each from no image
            p = run("run", os.path.join(d, "s.scn"), "--trace", os.path.join(d, "t.jsonl"),
                    "--vcd", os.path.join(d, "w.vcd"))
            codes.append(p.returncode)
            for n in ("t.jsonl", "w.vcd", "d.img"):
                os.rename(os.path.join(d, n), os.path.join(d, f"{k}-{n}"))

        def body(n):  # SystemC stamps the VCD's $date with the wall clock: compare what follows it
            with open(os.path.join(d, n), "rb") as f:
                return re.sub(rb"\$date.*?\$end", b"", f.read(), count=1, flags=re.S)
        same = all(body(f"0-{n}") == body(f"1-{n}") for n in ("t.jsonl", "w.vcd", "d.img"))
        check(codes == [0, 0] and same, f"two runs: identical trace, VCD (but its $date) and image ({codes})")
        with open(os.path.join(d, "0-t.jsonl")) as f:
            kinds = {json.loads(line)["kind"] for line in f}
        check({"disk_op", "controller_owner", "controller_state", "drive_state"} <= kinds,
              f"the trace shows the I/O: {sorted(k for k in kinds if 'disk' in k or 'controller' in k or 'drive' in k)}")
        with open(os.path.join(d, "0-w.vcd"), "rb") as f:
            vcd = f.read()
        check(b"controller0" in vcd and b"drive0" in vcd, "the VCD has controller and drive signals")

        # The terminal: every line once, in order, across either CPU failing.
        p = run("run", scenario("term-counter.scn"))
        check(p.returncode == 0, f"term-counter holds ({p.returncode}): {p.stdout[-300:]}")
        for fail in ("at random 50ms..500ms fail cpu 2", "at random 50ms..500ms fail cpu 0"):
            scn = os.path.join(tmp, "term.scn")
            with open(scn, "w") as f:
                f.write("machine cpus 4 heartbeat 20ms\nterminal $TERM cpus 2 3\n"
                        "start $COUNT program counter.pasm cpu 0 args 1 20 20000 3\n"
                        f"{fail}\nrun for 1s\nexpect output $TERM sequence 1..20\n")
            p = run("sweep", scn, "--moments", "20", "--jobs", "2", "--out", os.path.join(tmp, "sw-term"),
                    timeout=600)
            check(p.returncode == 0, f"terminal, {fail}: 20 moments, every number once ({p.returncode})")
            shutil.rmtree(os.path.join(tmp, "sw-term"), ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    done()


main()
