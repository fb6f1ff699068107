"""Small helpers shared by the system tests (run from ctest as: test_x.py PAIRSIM PROJECT_DIR)."""
import json
import os
import subprocess
import sys
import tempfile

PAIRSIM = sys.argv[1]
ROOT = sys.argv[2]
failures = []


def run(*args, timeout=240):
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    return subprocess.run([PAIRSIM, *args], capture_output=True, text=True, timeout=timeout, env=env)


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


def check(cond, what):
    if cond:
        print("ok:", what)
    else:
        print("FAILED:", what)
        failures.append(what)


def done():
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")
