#!/usr/bin/env python3
"""Volumes in scenarios: the `volume` statement starts a disk process pair, the drive and controller faults and
commands act and are traced, the volume expectations hold, the summary and the report describe the volumes at
the end (and only when there are volumes), images are loaded, refused at the volume's line when they are
damaged, and written back; `pairsim pin` of a random drive fault runs the same run."""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, run_json, run_text  # noqa: E402

IO = os.path.join(ROOT, "tests", "scenarios", "io")


def io_scenario(name):
    return os.path.join(IO, name)


def why(p):
    """What a failed run said; nothing for one that passed."""
    return "" if p.returncode == 0 else (p.stderr.strip()[:300] + "\n" + p.stdout[-600:])


def kinds(events, kind):
    return [e for e in events if e["kind"] == kind]


def run_file(path, *args):
    """Runs a scenario file with --json and a trace: (process, summary or None, events)."""
    with open(path) as f:
        return run_text(f.read(), *args)


# 1. A volume with no client: the disk process pair starts first and waits; the summary has the volume.
p, s, events = run_file(io_scenario("volume-idle.scn"))
check(p.returncode == 0, f"an idle volume's expectations hold (exit {p.returncode}) {why(p)}")
if s:
    check(s.get("volumes") == [{"name": "$DATA", "drives": ["up", "up"], "mirrors_equal": True,
                                "controllers": [{"id": 0, "owner": 2, "up": True},
                                                {"id": 1, "owner": 2, "up": True}]}],
          f"the summary describes the volume ({s.get('volumes')})")
    keys = list(s.keys())
    check(keys.index("volumes") == keys.index("invariants") + 1 and keys.index("expectations") == keys.index("volumes") + 1,
          "volumes come after invariants, before expectations")
    starts = kinds(events, "process_start")
    check(starts and starts[0]["process"] == "$DATA" and starts[0]["program"] == "disk-process" and
          starts[0]["cpu"] == 2, "the disk process is the first process started, in the volume's first CPU")
    check(any(e["process"] == "$DATA" and e["cpu"] == 3 for e in starts), "its backup runs in the second CPU")
p = run("run", io_scenario("volume-idle.scn"))
check("\nvolumes:\n  $DATA: drive 0 up, drive 1 up; mirrors equal; controller 0 (cpu 2), 1 (cpu 2); 0 files\n" in p.stdout,
      "the report has a volumes section")

# 2. Without volumes nothing changes: no volumes key, no section.
p, s = run_json(os.path.join(ROOT, "scenarios", "takeover-demo.scn"))
check(p.returncode == 0 and s is not None and "volumes" not in s, "a scenario without volumes has no 'volumes' key")
p = run("run", os.path.join(ROOT, "scenarios", "takeover-demo.scn"))
check("volumes" not in p.stdout, "nor a volumes section in its report")

# 3. A drive fails under traffic and is revived: traced as faults and drive states, mirrors equal at the end.
p, s, events = run_file(io_scenario("drive-revive.scn"))
check(p.returncode == 0, f"drive fail and revive hold their expectations (exit {p.returncode}) {why(p)}")
faults = [e["what"] for e in kinds(events, "fault")]
check(faults == ["fail drive $DATA 1", "revive drive $DATA 1"], f"both are fault events ({faults})")
states = [e["state"] for e in kinds(events, "drive_state") if e["drive"] == 1]
check(states == ["down", "reviving", "up"], f"drive 1 goes down, reviving, up ({states})")
if s:
    check([f["what"] for f in s["faults"]] == faults, "the summary lists them")
    check(s["volumes"][0]["drives"] == ["up", "up"] and s["volumes"][0]["mirrors_equal"], "both drives up and equal")

# 4. A controller fails for a while: its repair comes from the `for`; the traffic goes on.
p, s, events = run_file(io_scenario("controller-fail.scn"))
check(p.returncode == 0, f"a controller failure holds its expectations (exit {p.returncode}) {why(p)}")
faults = [(e["t_ns"], e["what"]) for e in kinds(events, "fault")]
check(faults == [(20_000_000, "fail controller 0"), (30_000_000, "fail controller 5"),
                 (320_000_000, "repair controller 0")], f"fail, the other volume's, and the repair 300ms later ({faults})")
ctl = [(e["controller"], e["state"]) for e in kinds(events, "controller_state")]
check(ctl == [(0, "down"), (5, "down"), (0, "up")], f"the controllers' states are traced ({ctl})")
if s:
    by_id = {c["id"]: c for v in s["volumes"] for c in v["controllers"]}
    check(by_id[0]["up"] and not by_id[5]["up"], "at the end controller 0 is up, 5 down")

# 5. switch controller: the other port's CPU owns it; a revive of a drive that is up is a problem, not an error.
p, s, events = run_file(io_scenario("controller-switch.scn"))
check(p.returncode == 0, f"a switch holds its expectations (exit {p.returncode})")
owners = [(e["controller"], e["from_cpu"], e["to_cpu"], e["reason"]) for e in kinds(events, "controller_owner")]
check((1, 2, 3, "switch") in owners, f"controller 1 goes from cpu 2 to cpu 3 ({owners})")
if s:
    check(s["volumes"][0]["controllers"][1]["owner"] == 3, "the summary says cpu 3 owns it")
    check(s["problems"] == ["line 5: revive drive $DATA 0 has no effect: the drive is up, not down"],
          f"the impossible revive is a problem ({s['problems']})")

# 6. Bad volume statements are refused before anything runs, at their line.
with tempfile.TemporaryDirectory() as d:
    def scn(name, text):
        path = os.path.join(d, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    with open(os.path.join(d, "broken.img"), "wb") as f:
        f.write(b"this is not a disk image\n" * 10)
    bad = scn("corrupt.scn", "machine cpus 4\nvolume $DATA controllers 0 1 cpus 2 3 image broken.img\nrun for 10ms\n")
    p = run("run", bad)
    check(p.returncode == 2, f"a corrupt image is bad input (exit {p.returncode})")
    check(re.match(re.escape(bad) + r":2:1: error: the image broken\.img: \S", p.stderr) is not None,
          f"said at the volume's line, naming the image ({p.stderr.strip()})")
    check(p.stdout == "", "nothing is simulated")

    nofolder = scn("nofolder.scn", "volume $DATA controllers 0 1 cpus 2 3 image no/such/v.img\nrun for 10ms\n")
    p = run("run", nofolder)
    check(p.returncode == 2 and f"{nofolder}:1:1: error: cannot write the image no/such/v.img" in p.stderr,
          f"an image whose folder does not exist is refused before the run ({p.returncode}: {p.stderr.strip()})")

    # 7. Images: written back at the end (beside the scenario), loaded by the next run, refused for another volume.
    first = scn("first.scn", "machine cpus 4 heartbeat 20ms\nvolume $DATA controllers 0 1 cpus 2 3 image data.img\n"
                "start $BANK program bank-disk.pasm cpu 1 args 0 10\n"
                "at 1ms start $C1 program bank-client.pasm cpu 0 args 0 10 0\nrun for 2s\n"
                "expect $C1 exit 0\nexpect file $DATA.ACCTS records 10\n")
    p = run("run", first)
    image = os.path.join(d, "data.img")
    check(p.returncode == 0 and os.path.isfile(image), f"the run writes its image beside the scenario ({p.returncode})")
    again = scn("again.scn", "machine cpus 4 heartbeat 20ms\nvolume $DATA controllers 0 1 cpus 2 3 image data.img\n"
                "run for 50ms\nexpect file $DATA.ACCTS records 10\nexpect volume $DATA mirrors equal\n")
    p = run("run", again)
    check(p.returncode == 0, f"the next run finds the file in the image ({p.returncode}) {why(p)}")
    other = scn("other.scn", "volume $LOG controllers 0 1 cpus 2 3 image data.img\nrun for 10ms\n")
    p = run("run", other)
    check(p.returncode == 2 and f"{other}:1:1: error: " in p.stderr and "$DATA" in p.stderr,
          f"an image of another volume is refused ({p.stderr.strip()})")
    # a campaign leaves the image as it was: every seed starts from the same volume
    before = open(image, "rb").read()
    p = run("campaign", again, "--seeds", "1..2", "--jobs", "1", "--out", os.path.join(d, "camp"))
    check(p.returncode == 0 and open(image, "rb").read() == before, f"a campaign does not write images ({p.returncode})")

    # 8. pin: a random drive fault, pinned, runs the very same run.
    src = io_scenario("random-drive.scn")
    pinned = os.path.join(d, "pinned.scn")
    p = run("pin", src, "--seed", "5", "--out", pinned)
    check(p.returncode == 0, f"pin exits 0 ({p.stderr.strip()})")
    text = open(pinned).read()
    check(all("random" not in line.split("#")[0] for line in text.splitlines()), "nothing is left to draw")
    check(re.search(r"^at \S+ fail drive \$(DATA|LOG) [01] for \S+", text, re.M) is not None,
          "the drawn drive is pinned with its duration")
    t1, t2 = os.path.join(d, "a.jsonl"), os.path.join(d, "b.jsonl")
    p1 = run("run", src, "--seed", "5", "--trace", t1)
    p2 = run("run", pinned, "--seed", "999", "--trace", t2)

    def trace_lines(path):
        with open(path) as f:
            return [re.sub(r',"line":\d+', "", line) for line in f if '"kind":"run_start"' not in line]

    check(p1.returncode == 0 and p2.returncode == 0, f"both runs hold ({p1.returncode}, {p2.returncode})")
    check(trace_lines(t1) == trace_lines(t2), "the pinned scenario's trace is the seed's, event for event")
    drive_faults = [json.loads(line)["what"] for line in trace_lines(t1) if '"fault"' in line and "drive" in line]
    check(len(drive_faults) >= 1, f"the drive fault happened ({drive_faults})")

# 9. The examples of docs/scenarios.md's volume section parse and run as printed.
doc = open(os.path.join(ROOT, "docs", "scenarios.md"), encoding="utf-8").read()
part = doc[doc.index("### volume"):doc.index("### at")]
blocks = [b for b in re.findall(r"```\n(.*?)```\n", part, re.S) if "NAME" not in b]
check(len(blocks) >= 1, "the volume section has an example")
with tempfile.TemporaryDirectory() as d:
    for i, block in enumerate(blocks):
        path = os.path.join(d, f"doc{i}.scn")
        with open(path, "w") as f:
            f.write(block)
        p = run("run", path)
        check(p.returncode == 0, f"doc example {i} runs ({p.returncode}: {p.stderr.strip()[:200]} {why(p)})")

done()
