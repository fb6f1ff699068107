#!/usr/bin/env python3
"""docs/tutorial.md runs as printed.

Every ```ptal and ```scn block whose first line names a file under scenarios/tutorial/ is that file, byte
for byte, and every file there is shown. Every line of every ```sh block is run with bash, in a scratch
folder where `build/pairsim` is the binary under test and `scenarios` the project's, so that the files a
command writes stay out of the tree. A command exits 0, or N when its line ends with `# exits N`. The
```text block right after a ```sh block is what its last command prints: each of its lines must appear in
the output, in order; a line that is only `…` stands for lines left out, and `…` inside a line for any text.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, ROOT, check, done  # noqa: E402

TUTORIAL_DIR = "scenarios/tutorial"
doc = open(os.path.join(ROOT, "docs", "tutorial.md"), encoding="utf-8").read()
blocks = re.findall(r"^```(\w+)\n(.*?)^```$", doc, re.S | re.M)


def shown_files():
    """Path -> text of each program and scenario the page prints whole."""
    files = {}
    for kind, text in blocks:
        if kind not in ("ptal", "scn"):
            continue
        first = text.split("\n", 1)[0]
        m = re.match(r"(?://|#) (" + re.escape(TUTORIAL_DIR) + r"/\S+)", first)
        check(m is not None, f"a {kind} block starts with its path under {TUTORIAL_DIR}/: {first!r}")
        if m:
            files[m.group(1)] = text
    return files


def matches(expected, actual):
    """Each line of `expected` in `actual`, in order; `…` alone skips, `…` inside a line is any text."""
    lines = [line.rstrip() for line in actual.splitlines()]
    at = 0
    for want in expected.splitlines():
        want = want.rstrip()
        if want.strip() in ("", "…"):
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in want.split("…")))
        while at < len(lines) and not pattern.search(lines[at]):
            at += 1
        if at == len(lines):
            return want
        at += 1
    return None


def commands_with_output():
    """(command, expected exit code, expected output or None) for every command of the page, in order."""
    result = []
    for i, (kind, text) in enumerate(blocks):
        if kind != "sh":
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        # The output box belongs to this block only when nothing but blank lines lies between them.
        output = None
        if following and following[0] == "text":
            sh_end = doc.index("```sh\n" + text) + len("```sh\n" + text) + 3
            between = doc[sh_end:doc.index("```text\n" + following[1], sh_end)]
            if between.strip() == "":
                output = following[1]
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        for n, line in enumerate(lines):
            m = re.search(r"#\s*exits (\d+)", line)
            code = int(m.group(1)) if m else 0
            result.append((line, code, output if n == len(lines) - 1 else None))
    return result


start = time.monotonic()

# The programs and scenarios printed are the files, and every file is printed.
files = shown_files()
on_disk = sorted(f"{TUTORIAL_DIR}/{name}" for name in os.listdir(os.path.join(ROOT, TUTORIAL_DIR)))
check(sorted(files) == on_disk, f"the page shows every file of {TUTORIAL_DIR}/ and no other: "
      f"shown {sorted(files)}, on disk {on_disk}")
for path, text in files.items():
    full = os.path.join(ROOT, path)
    if os.path.exists(full):
        check(open(full, encoding="utf-8").read() == text, f"{path} is the file as the page prints it")

# Every command runs as printed, and prints what the page shows.
commands = commands_with_output()
check(len(commands) >= 10, f"the page has its commands ({len(commands)})")
with tempfile.TemporaryDirectory() as scratch:
    os.mkdir(os.path.join(scratch, "build"))
    os.symlink(os.path.abspath(PAIRSIM), os.path.join(scratch, "build", "pairsim"))
    os.symlink(os.path.join(ROOT, "scenarios"), os.path.join(scratch, "scenarios"))
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    for command, code, output in commands:
        p = subprocess.run(["bash", "-c", command], cwd=scratch, capture_output=True, text=True, env=env,
                           timeout=120)
        check(p.returncode == code, f"`{command}` exits {code} (got {p.returncode}) {p.stderr.strip()[:300]}")
        if output is not None:
            missing = matches(output, p.stdout + p.stderr)
            check(missing is None, f"`{command}` prints what the page shows"
                  + (f" (not found, in order: {missing!r})" if missing else ""))
            if missing is not None:
                print(p.stdout + p.stderr)

# Every scenario of the tutorial is run by some command on the page.
for path in on_disk:
    if path.endswith(".scn"):
        check(any(path in command for command, _, _ in commands), f"the page runs {path}")

# Its links are checked with every page's by test_doc_links.py.
print(f"tutorial checked in {time.monotonic() - start:.1f} s")
done()
