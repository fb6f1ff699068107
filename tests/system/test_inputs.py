#!/usr/bin/env python3
"""Inputs that must not fool pairsim: files that are not regular files (a FIFO would block a read for ever), a
read that fails partway, a directory named as a file, a UTF-8 byte order mark, CR and CR LF line ends, and
outputs that cannot be written (a full disk). Each is an error with its reason and the documented exit code,
never a hang, a silent empty file or a success."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, check, done, run, scenario  # noqa: E402

tmp = tempfile.mkdtemp(prefix="pairsim-inputs-")
fifo = os.path.join(tmp, "prog.pasm")
os.mkfifo(fifo)

# ---- Files that are not regular files, or cannot be read to their end ----
for args, what in ((["asm", fifo], "asm of a FIFO"),
                   (["disasm", fifo], "disasm of a FIFO"),
                   (["run", fifo], "run of a FIFO as a scenario")):
    try:
        p = run(*args, timeout=20)
        check(p.returncode == 2 and "not a regular file" in p.stderr, f"{what}: exit 2, 'not a regular file' "
              f"({p.returncode}: {p.stderr.strip()[:200]})")
    except subprocess.TimeoutExpired:
        check(False, f"{what}: pairsim hung reading it")

p = run("asm", "/proc/self/mem")
check(p.returncode == 2 and "read error" in p.stderr,
      f"a read that fails after the open is an error, not an empty program ({p.returncode}: {p.stderr.strip()})")

folder = os.path.join(tmp, "dir.pasm")
os.mkdir(folder)
p = run("asm", folder)
check(p.returncode == 2 and "is a directory" in p.stderr, f"a directory named as a program: {p.stderr.strip()}")
p = run("run", tmp)
check(p.returncode == 2 and "is a directory" in p.stderr, f"a directory named as a scenario: {p.stderr.strip()}")

# ---- A byte order mark and CR line ends: line and column numbers as an editor shows them ----
bom_scn = os.path.join(tmp, "bom.scn")
with open(bom_scn, "wb") as f:
    f.write(b"\xef\xbb\xbfmachine cpus 2\nstart $H program hello.pasm cpu 0\nrun for 10ms\nexpect $H exit 0\n")
p = run("run", bom_scn)
check(p.returncode == 0, f"a scenario saved with a UTF-8 byte order mark runs ({p.returncode}: {p.stderr.strip()[:200]})")

for ends, name in ((b"\r", "lone CR"), (b"\r\n", "CR LF")):
    scn = os.path.join(tmp, "ends.scn")
    with open(scn, "wb") as f:
        f.write(ends.join([b"machine cpus 2", b"run for 1ms", b"bogus 1", b"expect", b""]))
    p = run("run", scn)
    lines = [line for line in p.stderr.splitlines() if ": error: " in line]
    check(p.returncode == 2 and len(lines) == 2 and lines[0].startswith(scn + ":3:1:")
          and lines[1].startswith(scn + ":4:7:"),
          f"{name} line ends: errors at their lines and columns, in order ({lines})")

asm = os.path.join(tmp, "crlf.pasm")
with open(asm, "wb") as f:
    f.write(b"\xef\xbb\xbf        .code\r\nmain:   push 1\r\n        bogus\r\n")
p = run("asm", asm)
check(p.returncode == 2 and p.stderr.startswith(asm + ":3:9: error: unknown mnemonic 'bogus'"),
      f"assembly with a byte order mark and CR LF: the error at 3:9 ({p.stderr.strip()})")

ptal = os.path.join(tmp, "bom.ptal")
with open(ptal, "wb") as f:
    f.write(b"\xef\xbb\xbfproc main() {\r\n  print(\"hi\");\r\n}\r\n")
p = run("asm", ptal)
check(p.returncode == 0, f"ptal with a byte order mark and CR LF compiles ({p.returncode}: {p.stderr.strip()[:200]})")

# ---- Outputs that cannot be written ----
demo = scenario("takeover-demo.scn")
if os.path.exists("/dev/full"):
    p = run("run", demo, "--trace", "/dev/full")
    check(p.returncode == 3 and "cannot write trace file" in p.stderr,
          f"--trace on a full disk: exit 3 and why ({p.returncode}: {p.stderr.strip()})")
    p = run("asm", os.path.join(os.path.dirname(demo), "..", "guest", "hello.pasm"), "-o", "/dev/full")
    check(p.returncode == 3 and "No space left" in p.stderr, f"asm -o on a full disk: exit 3 ({p.stderr.strip()})")
    with open("/dev/full", "w") as full:
        q = subprocess.run([PAIRSIM, "run", demo], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    check(q.returncode == 3 and "standard output" in q.stderr, f"a report that cannot be written: exit 3 ({q.stderr.strip()})")
else:
    check(False, "/dev/full exists on this machine (the full-disk checks need it)")

# ---- '-' for standard output ----
p = run("run", demo, "--trace", "-")
first = p.stdout.splitlines()[0] if p.stdout else ""
check(p.returncode == 0 and first.startswith('{"t_ns":0,"kind":"run_start"') and "expectations" not in p.stdout
      and "takeover" in p.stderr,
      "--trace - writes the trace to standard output and the report to standard error")
check(not os.path.exists("-"), "--trace - makes no file named '-'")

# ---- A pair named without its '$' ----
p = run("run", demo, "--table", "--pair", "COUNT")
check(p.returncode == 2 and "did you mean '$COUNT'" in p.stderr, f"--pair COUNT: exit 2 with a hint ({p.stderr.strip()})")

done()
