#!/usr/bin/env python3
"""The graded labs (scenarios/labs/, docs/labs.md): for every lab, `pairsim grade` fails the starter as
handed out, saying what failed, when and how to replay it, and passes the reference solution with full
marks; the same submission gives the same output; bad input (no lab, no submission, a submission that does
not compile, a manifest with an error) exits 2 with a message that points at the problem; --replay and
--keep give a failing moment's run."""
import glob
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run  # noqa: E402

LABS = sorted(d for d in glob.glob(os.path.join(ROOT, "scenarios", "labs", "*")) if os.path.isfile(os.path.join(d, "lab.grade")))


def submission_name(lab):
    with open(os.path.join(lab, "lab.grade")) as f:
        return re.search(r"^submission\s+(\S+)", f.read(), re.M).group(1)


check(len(LABS) >= 3, f"at least three labs ({[os.path.basename(d) for d in LABS]})")

for lab in LABS:
    name = os.path.basename(lab)
    sub = submission_name(lab)
    for f in ("README.md", sub, os.path.join("solutions", sub)):
        check(os.path.isfile(os.path.join(lab, f)), f"{name}: has {f}")

    # The starter fails, with words to act on: the expectation, the advice, the moment, the replay command.
    p = run("grade", lab, os.path.join(lab, sub), "--quick")
    check(p.returncode == 1, f"{name}: the starter is graded as failing (exit {p.returncode}: {p.stderr.strip()[:200]})")
    score = re.search(r"^score: (\d+)/(\d+) points", p.stdout, re.M)
    check(score and int(score.group(1)) < int(score.group(2)), f"{name}: the starter's score is short of full marks")
    check("✗ " in p.stdout and " — failed" in p.stdout, f"{name}: the starter's report names the failed expectations")
    check(re.search(r"replay: \S+ grade .* --replay [a-z0-9_-]+(:\d+)?$", p.stdout, re.M),
          f"{name}: each failure has a replay command")
    check(re.search(r"first after .* at \d+\.\d{3} ms", p.stdout), f"{name}: a failure under a fault says when the fault came")
    check(re.search(r"^        (?!found:|replay:)\S.*", p.stdout, re.M), f"{name}: a failure carries advice (the expectation's comment)")
    check(p.stderr == "", f"{name}: nothing on standard error for a submission that compiles")

    # The solution passes every check at every moment, in full (not only --quick).
    q = run("grade", lab, os.path.join(lab, "solutions", sub))
    check(q.returncode == 0, f"{name}: the solution passes (exit {q.returncode})")
    score = re.search(r"^score: (\d+)/(\d+) points", q.stdout, re.M)
    check(score and score.group(1) == score.group(2), f"{name}: the solution has full marks")
    check("✗" not in q.stdout, f"{name}: no check of the solution failed")

    # A failing replay gives the run's whole report, and exits as the run does.
    cmd = re.search(r"replay: \S+ grade (.*)$", p.stdout, re.M).group(1).split()
    r = run("grade", *cmd[:2], *cmd[2:])
    check(r.returncode == 1 and "expectations:" in r.stdout and "✗ line" in r.stdout,
          f"{name}: the first replay command shows a failing run's report")

# Determinism: the same submission gives the same output, byte for byte.
lab = LABS[0]
sub = os.path.join(lab, submission_name(lab))
a, b = run("grade", lab, sub, "--quick"), run("grade", lab, sub, "--quick", "--jobs", "1")
check(a.stdout == b.stdout and a.returncode == b.returncode, "the same submission gives the same grade, whatever --jobs")

# A folder holding the submission under the starter's name is graded like the file.
c = run("grade", lab, os.path.join(lab, "solutions"), "--quick")
check(c.returncode == 0, f"a folder with the submission in it is graded (exit {c.returncode})")

# Bad input: exit 2, a message that says what is wrong.
p = run("grade", os.path.join(ROOT, "scenarios", "labs", "no-such-lab"), sub)
check(p.returncode == 2 and "no lab" in p.stderr, f"a missing lab: exit 2 and says so ({p.stderr.strip()})")
p = run("grade", os.path.join(ROOT, "scenarios"), sub)
check(p.returncode == 2 and "has no lab.grade" in p.stderr, f"a folder that is no lab: exit 2 ({p.stderr.strip()})")
p = run("grade", lab, "/nonexistent/phoenix.ptal")
check(p.returncode == 2 and "no submission" in p.stderr, f"a missing submission: exit 2 ({p.stderr.strip()})")
p = run("grade", lab, os.path.join(ROOT, "scenarios"))
check(p.returncode == 2 and "has no" in p.stderr, f"a folder without the submission: exit 2 ({p.stderr.strip()})")
p = run("grade", lab)
check(p.returncode == 2, "no submission given: exit 2")

tmp = tempfile.mkdtemp()
try:
    bad = os.path.join(tmp, "mine.ptal")
    with open(bad, "w") as f:
        f.write("proc main() {\n  print(nothing);\n}\n")
    p = run("grade", lab, bad)
    check(p.returncode == 2 and re.search(re.escape(bad) + r":2:9: error: ", p.stderr) and "does not compile" in p.stderr,
          f"a submission that does not compile: exit 2 with FILE:LINE:COL ({p.stderr.strip()})")
    check(p.stdout == "", "nothing is graded when the submission does not compile")

    # A manifest with a mistake: FILE:LINE:COL too.
    badlab = os.path.join(tmp, "lab")
    shutil.copytree(lab, badlab)
    with open(os.path.join(badlab, "lab.grade"), "a") as f:
        f.write("chek extra counts.scn points 1\n")
    p = run("grade", badlab, sub)
    check(p.returncode == 2 and re.search(r"lab\.grade:\d+:1: error: expected 'title', 'submission' or 'check'", p.stderr),
          f"a manifest error: exit 2 at its line and column ({p.stderr.strip()})")

    # --keep writes the scenarios the checks ran; they run on their own.
    keep = os.path.join(tmp, "kept")
    p = run("grade", lab, sub, "--quick", "--keep", keep)
    kept = sorted(os.listdir(keep)) if os.path.isdir(keep) else []
    check(p.returncode == 1 and len(kept) >= 3, f"--keep writes the scenarios ({kept})")
    if kept:
        r = run("run", os.path.join(keep, kept[0]))
        check(r.returncode in (0, 1) and "expectations:" in r.stdout, f"a kept scenario runs by itself ({kept[0]})")
    p = run("grade", lab, sub, "--replay", "no-such-check")
    check(p.returncode == 2 and "has no check" in p.stderr, f"--replay of an unknown check: exit 2 ({p.stderr.strip()})")
finally:
    shutil.rmtree(tmp)

done()
