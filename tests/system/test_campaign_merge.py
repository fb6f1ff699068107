#!/usr/bin/env python3
"""pairsim campaign merge (docs/campaigns.md, "Shards"): the folders of a campaign's shards, run one after the
other here, merged into exactly what one campaign over the whole range writes — results.jsonl, summary.json
and campaign.json byte for byte, timing.jsonl's seeds, the seed-S folders with the same traces — and the same
closing text; folders that are not the shards of one finished campaign refused with exit 2, writing nothing.
tests/system/test_slurm.py does the same with the shards run as a Slurm job array."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, ROOT, check, done  # noqa: E402

PAIRSIM = os.path.abspath(PAIRSIM)  # the campaigns below run in a folder of their own
ENV = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
LOTTERY = os.path.join(ROOT, "tests", "scenarios", "bank-lottery.scn")


def pairsim(cwd, *args):
    return subprocess.run([PAIRSIM, *args], cwd=cwd, capture_output=True, text=True, timeout=240, env=ENV)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def closing_text(stdout, out_dir):
    """The closing text after its first line (which says how long it took), with the folder named OUT."""
    start = stdout.index("verdicts:")
    return stdout[start:].replace(out_dir + "/", "OUT/")


with tempfile.TemporaryDirectory() as tmp:
    shutil.copy(LOTTERY, os.path.join(tmp, "bank-lottery.scn"))
    local = pairsim(tmp, "campaign", "bank-lottery.scn", "--seeds", "1..30", "--jobs", "2", "--out", "local")
    check(local.returncode == 1, f"the whole campaign: exit 1, some seeds fail (got {local.returncode}) "
                                 f"{local.stderr.strip()}")
    manifest = json.loads(read(os.path.join(tmp, "local", "campaign.json")))
    check(manifest["scenario"] == "bank-lottery.scn" and manifest["seeds"] == {"first": 1, "last": 30}
          and manifest["shard"] == {"index": 0, "count": 1} and len(manifest["scenario_sha256"]) == 64
          and manifest["pairsim"] and len(manifest["build_id"] or "") == 40,
          f"campaign.json describes the campaign: {manifest}")
    sha = subprocess.run(["sha256sum", LOTTERY], capture_output=True, text=True).stdout.split()[0]
    check(manifest["scenario_sha256"] == sha, "campaign.json's scenario_sha256 is what sha256sum prints")
    notes = subprocess.run(["readelf", "-n", PAIRSIM], capture_output=True, text=True).stdout
    check(f"Build ID: {manifest['build_id']}" in notes, "campaign.json's build_id is the binary's, as readelf says")

    for i in range(3):
        p = pairsim(tmp, "campaign", "bank-lottery.scn", "--seeds", "1..30", "--shard", f"{i}/3", "--jobs", "2",
                    "--out", f"shards/shard-{i}")
        check(p.returncode in (0, 1), f"shard {i}/3 runs to its end (exit {p.returncode}) {p.stderr.strip()}")
    shard_dirs = [f"shards/shard-{i}" for i in (2, 0, 1)]  # in any order
    merged = pairsim(tmp, "campaign", "merge", *shard_dirs, "--out", "merged")
    check(merged.returncode == local.returncode, f"merge: exit {local.returncode} like the whole campaign "
                                                 f"(got {merged.returncode}) {merged.stderr.strip()}")
    for name in ("results.jsonl", "summary.json", "campaign.json"):
        check(os.path.exists(os.path.join(tmp, "merged", name))
              and read(os.path.join(tmp, "merged", name)) == read(os.path.join(tmp, "local", name)),
              f"merged {name} is the whole campaign's, byte for byte")
    if merged.returncode in (0, 1):
        timing = [json.loads(line)["seed"] for line in read(os.path.join(tmp, "merged", "timing.jsonl")).splitlines()]
        check(timing == list(range(1, 31)), "merged timing.jsonl has every seed, in order")
        kept = sorted(n for n in os.listdir(os.path.join(tmp, "merged")) if n.startswith("seed-"))
        check(kept and kept == sorted(n for n in os.listdir(os.path.join(tmp, "local")) if n.startswith("seed-")),
              f"the same seed folders as the whole campaign's ({len(kept)})")
        for name in kept:
            a, b = os.path.join(tmp, "merged", name), os.path.join(tmp, "local", name)
            check(read(os.path.join(a, "trace.jsonl")) == read(os.path.join(b, "trace.jsonl"))
                  and read(os.path.join(a, "replay.sh")) == read(os.path.join(b, "replay.sh"))
                  and os.access(os.path.join(a, "replay.sh"), os.X_OK),
                  f"{name}: the same trace and replay.sh, still executable")
        check(merged.stdout.startswith("bank-lottery.scn, seeds 1..30: 30 of 30 runs from 3 shards, "),
              f"the closing text says it was merged: {merged.stdout.splitlines()[:1]}")
        check(closing_text(merged.stdout, "merged") == closing_text(local.stdout, "local"),
              "and is otherwise the whole campaign's")

    # Merged again into the same folder: what it held is replaced.
    again = pairsim(tmp, "campaign", "merge", *shard_dirs, "--out", "merged")
    check(again.returncode == merged.returncode and read(os.path.join(tmp, "merged", "summary.json")) ==
          read(os.path.join(tmp, "local", "summary.json")), "merging into the same folder again gives the same")

    # ---- folders that are not the shards of one finished campaign: exit 2, nothing written ----
    pairsim(tmp, "campaign", "bank-lottery.scn", "--seeds", "1..31", "--shard", "1/3", "--out", "other/shard-1")
    pairsim(tmp, "campaign", "bank-lottery.scn", "--seeds", "1..30", "--shard", "1/2", "--out", "other/half-1")
    cut = os.path.join(tmp, "cut")
    shutil.copytree(os.path.join(tmp, "shards", "shard-1"), cut)
    os.unlink(os.path.join(cut, "summary.json"))
    for folders, message in (
            (["shards/shard-0", "shards/shard-1"], "1 of the 3 shards is missing (2/3)"),
            (["shards/shard-0", "shards/shard-1", "shards/shard-2", "shards/shard-1/"],
             "shard 1/3 is given twice: shards/shard-1 and shards/shard-1"),
            (["shards/shard-0", "other/shard-1", "shards/shard-2"],
             "shards/shard-0 and other/shard-1 ran different seed ranges: 1..30 and 1..31"),
            (["shards/shard-0", "other/half-1", "shards/shard-2"],
             "shards/shard-0 and other/half-1 split the seeds differently: they are shards 0/3 and 1/2"),
            (["shards/shard-0", "cut", "shards/shard-2"],
             "cut has no summary.json: shard 1/3 has not finished"),
            (["shards/shard-0", "nowhere", "shards/shard-2"], "nowhere: no such folder"),
            (["shards", "shards/shard-1"], "shards has no campaign.json")):
        p = pairsim(tmp, "campaign", "merge", *folders, "--out", "refused")
        check(p.returncode == 2 and f"pairsim: error: {message}" in p.stderr,
              f"merge {' '.join(folders)}: exit 2, '{message}' ({p.stderr.strip()})")
    check(not os.path.exists(os.path.join(tmp, "refused")), "a refused merge writes nothing")

    # A line edited by hand: still a result line, but no longer the one the shard's summary.json counted.
    changed = os.path.join(tmp, "changed")
    shutil.copytree(os.path.join(tmp, "shards", "shard-2"), changed)
    with open(os.path.join(changed, "results.jsonl")) as f:
        text = f.read()
    text = re.sub(r'"verdict":"(\w+)"', lambda m: '"verdict":"%s"' % ("failed" if m[1] == "held" else "held"), text,
                  count=1)
    with open(os.path.join(changed, "results.jsonl"), "w") as f:
        f.write(text)
    p = pairsim(tmp, "campaign", "merge", "shards/shard-0", "shards/shard-1", "changed", "--out", "refused")
    check(p.returncode == 2 and "pairsim: error: changed/summary.json does not agree with its campaign.json and "
                                "results.jsonl" in p.stderr, f"an edited results.jsonl is refused ({p.stderr.strip()})")
    with open(os.path.join(changed, "results.jsonl"), "w") as f:
        f.write(text.replace('{"seed":', '{"seed": ', 1))
    p = pairsim(tmp, "campaign", "merge", "shards/shard-0", "shards/shard-1", "changed", "--out", "refused")
    check(p.returncode == 2 and "pairsim: error: changed/results.jsonl:1: seed 3's line is not the one pairsim"
          in p.stderr, f"a line not written as pairsim writes it is refused at its line ({p.stderr.strip()})")
    with open(os.path.join(tmp, "bank-lottery.scn"), "a") as f:
        f.write("# changed\n")
    pairsim(tmp, "campaign", "bank-lottery.scn", "--seeds", "1..30", "--shard", "2/3", "--out", "edited/shard-2")
    p = pairsim(tmp, "campaign", "merge", "shards/shard-0", "shards/shard-1", "edited/shard-2", "--out", "refused")
    check(p.returncode == 2 and "ran different contents of bank-lottery.scn" in p.stderr,
          f"a scenario changed between shards is refused ({p.stderr.strip()})")
    p = pairsim(tmp, "campaign", "merge", *shard_dirs, "--out", "shards/shard-0")
    check(p.returncode == 2 and "--out shards/shard-0 is one of the shard folders" in p.stderr,
          f"merging into a shard's own folder is refused ({p.stderr.strip()})")
    p = pairsim(tmp, "campaign", "merge", *shard_dirs)
    check(p.returncode == 2 and "campaign merge needs --out DIR" in p.stderr, "merge without --out: exit 2")
    p = pairsim(tmp, "campaign", "merge", "--out", "x")
    check(p.returncode == 2 and "campaign merge needs the shards' folders" in p.stderr,
          "merge without folders: exit 2")
    check(not os.path.exists(os.path.join(tmp, "refused")) and not os.path.exists(os.path.join(tmp, "x")),
          "... and none of them wrote anything")
    p = pairsim(tmp, "campaign", "merge", "--help")
    check(p.returncode == 0 and "SHARD_DIR" in p.stdout and "--out" in p.stdout, "campaign merge --help")

done()
