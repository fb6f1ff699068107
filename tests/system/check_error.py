#!/usr/bin/env python3
"""Runs `pairsim <cmd> FILE` on a malformed input and checks it is refused properly.

The input's first line says what must happen:  `# expect-error: LINE:COL: text` (or `; expect-error: …`
for guest programs). pairsim must exit 2 and print `FILE:LINE:COL: error: …text…` on stderr.
"""
import re
import subprocess
import sys

pairsim, cmd, path = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, encoding="utf-8", errors="replace") as f:
    header = f.readline()
m = re.match(r"[#;]\s*expect-error:\s*(\d+):(\d+):\s*(.*\S)", header)
if not m:
    sys.exit(f"{path}: first line must be '# expect-error: LINE:COL: text'")
line, col, text = m.group(1), m.group(2), m.group(3)
p = subprocess.run([pairsim, cmd, path], capture_output=True, text=True, timeout=60)
if p.returncode != 2:
    sys.exit(f"expected exit code 2, got {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
want = f"{path}:{line}:{col}: error: "
hits = [l for l in p.stderr.splitlines() if l.startswith(want)]
if not hits:
    sys.exit(f"no error at {line}:{col}; stderr was:\n{p.stderr}")
if not any(text in l for l in hits):
    sys.exit(f"error at {line}:{col} does not say '{text}':\n" + "\n".join(hits))
print("ok:", hits[0])
