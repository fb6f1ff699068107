#!/usr/bin/env python3
"""The command line follows the conventions of git- and cargo-style tools: `help CMD`, `version`, a command's
own usage after its error, "did you mean" for mistyped commands and options, colour only on a terminal (or
when asked, never with NO_COLOR), a progress line on a terminal for long runs, and Ctrl-C ending a run with
its report, a whole trace up to that moment, and exit 130."""
import json
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, check, done, run, scenario  # noqa: E402

demo = scenario("cpu-failure.scn")

# ---- help, version ----
p = run("help", "run")
check(p.returncode == 0 and p.stdout.startswith("pairsim run SCENARIO [options]") and "--trace" in p.stdout,
      "pairsim help run prints run's own options")
p = run("help", "campaign", "merge")
check(p.returncode == 0 and "campaign merge" in p.stdout.splitlines()[0], "pairsim help campaign merge")
p = run("version")
check(p.returncode == 0 and p.stdout.startswith("pairsim ") and p.stdout.count("\n") == 1, f"pairsim version: {p.stdout!r}")
p = run("help")
check(p.returncode == 0 and "commands:" in p.stdout, "pairsim help lists the commands")

# ---- errors: the command's usage, and what was probably meant ----
p = run("rn", demo)
check(p.returncode == 2 and "unknown command 'rn' (did you mean 'run'?)" in p.stderr, f"a mistyped command: {p.stderr[:80]}")
p = run("help", "sweeep")
check(p.returncode == 2 and "did you mean 'sweep'?" in p.stderr, "help of a mistyped command")
p = run("run", demo, "--trce", "x.jsonl")
check(p.returncode == 2 and "unknown option '--trce' (did you mean '--trace'?)" in p.stderr
      and "usage: pairsim run SCENARIO [options]" in p.stderr and "commands:" not in p.stderr,
      f"a mistyped option: the run command's usage, not the global one ({p.stderr.strip()})")
p = run("run", demo, "--seed")
check(p.returncode == 2 and "usage: pairsim run" in p.stderr, "a missing option value: the command's usage")
p = run("asm", "--bogus")
check(p.returncode == 2 and "usage: pairsim asm" in p.stderr, "asm's usage after its error")

# ---- colour ----
plain = run("run", demo)
check("\x1b[" not in plain.stdout, "no colour into a pipe by default")
coloured = run("run", demo, "--color=always")
check("\x1b[32m✓\x1b[0m" in coloured.stdout, "--color=always colours the marks")
env = dict(os.environ, NO_COLOR="1", SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
q = subprocess.run([PAIRSIM, "run", demo, "--color", "auto"], capture_output=True, text=True, env=env, timeout=120)
check(q.returncode == 0 and "\x1b[" not in q.stdout, "NO_COLOR with --color auto: no colour")
p = run("run", demo, "--color=sometimes")
check(p.returncode == 2 and "never, auto or always" in p.stderr and len(p.stderr.splitlines()) == 1,
      f"a bad --color value is a usage error, said in one line ({p.stderr.strip()})")
check(run("run", demo, "--json", "--color=always").stdout.lstrip().startswith("{"), "--json is never coloured")

# ---- Ctrl-C: the report, a whole trace up to that moment, exit 130 ----
tmp = tempfile.mkdtemp(prefix="pairsim-cli-")
long_scn = os.path.join(tmp, "long.scn")
with open(long_scn, "w") as f:
    f.write("machine cpus 4\n"
            "start $BANK program bank.pasm cpu 1 args 2\n"
            "start $C1 program bank-client.pasm cpu 0 args 1 100000000 1\n"
            "run for 1000s\n")
trace = os.path.join(tmp, "long.jsonl")
env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
proc = subprocess.Popen([PAIRSIM, "run", long_scn, "--trace", trace], stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True, env=env)
time.sleep(1.5)
proc.send_signal(signal.SIGINT)
out, err = proc.communicate(timeout=60)
check(proc.returncode == 130, f"Ctrl-C ends a run with exit 130 ({proc.returncode})")
check("passed" in out and "pairs:" in out and "(interrupted: the run was stopped here)" in out,
      "the report of the run so far is printed, and says it was interrupted")
check("interrupted at" in err, f"and it says where the run was interrupted ({err.strip()[:120]})")
try:
    with open(trace) as f:
        events = [json.loads(line) for line in f]
    check(events and events[-1]["kind"] == "run_end" and events[-1]["t_ns"] > 0 and events[-1].get("interrupted") == 1,
          f"the trace is whole up to that moment, ending with run_end ({len(events)} events)")
except (OSError, ValueError) as e:
    check(False, f"the trace is valid JSON lines: {e}")

# ---- progress on a terminal (standard error a pseudo-terminal) ----
master, slave = pty.openpty()
proc = subprocess.Popen([PAIRSIM, "run", long_scn], stdout=subprocess.DEVNULL, stderr=slave, env=env)
os.close(slave)
seen = b""
deadline = time.time() + 20
while time.time() < deadline and b"simulated" not in seen:
    r, _, _ = select.select([master], [], [], 0.5)
    if r:
        try:
            seen += os.read(master, 4096)
        except OSError:
            break
proc.send_signal(signal.SIGINT)
proc.wait(timeout=60)
os.close(master)
check(b"pairsim: simulated " in seen and b" of 1000.000 s (" in seen,
      f"a run longer than two seconds shows its progress on a terminal ({seen[-120:]!r})")
check(": simulated " not in plain.stderr, "no progress line when standard error is not a terminal")

done()
