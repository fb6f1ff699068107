"""Small helpers shared by the system tests (run from ctest as: test_x.py PAIRSIM PROJECT_DIR)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

PAIRSIM = sys.argv[1]
ROOT = os.path.abspath(sys.argv[2])  # tests link and chdir: a relative '.' would not survive
failures = []


def run(*args, timeout=240, cwd=None):
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    exe = os.path.abspath(PAIRSIM) if cwd else PAIRSIM
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)


def run_json(scenario, *args):
    p = run("run", scenario, "--json", *args)
    try:
        return p, json.loads(p.stdout)
    except json.JSONDecodeError:
        return p, None


def scenario(name):
    return os.path.join(ROOT, "scenarios", name)


def tmpfile(suffix, text=None):
    fd, path = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(fd, "w") as f:
        if text is not None:
            f.write(text)
    return path


def run_text(text, *args):
    """Runs scenario text (a temporary file) with --json and a trace: (process, summary or None, events)."""
    scn = tmpfile(".scn", text)
    trace = tmpfile(".jsonl")
    p = run("run", scn, "--json", "--trace", trace, *args)
    try:
        summary = json.loads(p.stdout)
    except json.JSONDecodeError:
        summary = None
    with open(trace) as f:
        events = [json.loads(line) for line in f]
    os.unlink(scn)
    os.unlink(trace)
    return p, summary, events


def check(cond, what):
    if cond:
        print("ok:", what)
    else:
        print("FAILED:", what)
        failures.append(what)


def vcd_vars(data):
    """A VCD's declared variables: dotted hierarchical name -> identifier code."""
    scope, names = [], {}
    for tok in re.findall(rb"\$(scope module \S+|upscope|var \S+ +\d+ +\S+ +\S+)", data):
        t = tok.decode().split()
        if t[0] == "scope":
            scope.append(t[2])
        elif t[0] == "upscope":
            scope.pop()
        else:
            names[".".join(scope + [t[4]])] = t[3]
    return names


def check_vcd2fst(vcd_path, what):
    """GTKWave's vcd2fst must be installed and must read the VCD."""
    vcd2fst = shutil.which("vcd2fst")
    check(vcd2fst is not None, "GTKWave's vcd2fst is installed")
    if vcd2fst:
        fst = tmpfile(".fst")
        r = subprocess.run([vcd2fst, vcd_path, fst], capture_output=True, text=True)
        check(r.returncode == 0 and os.path.getsize(fst) > 0, what)
        os.unlink(fst)


def done():
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")
