#!/usr/bin/env python3
"""pairsim installed (README "Install"): `cmake --install` of this build into a prefix that is then moved still
runs a shipped scenario and assembles a program that includes the runtime library, from an unrelated folder;
the man page renders, the bash completion loads, the zsh one parses. A scenario copied out of the library
without its program runs on the shipped one with a note naming it; a PAIRSIM_HOME without a library is
refused with a clear error. A build folder's pairsim in a checkout moved since the build uses that checkout."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, check, done  # noqa: E402

BUILD = os.path.dirname(os.path.abspath(PAIRSIM))
ENV = {k: v for k, v in os.environ.items() if k != "PAIRSIM_HOME"}
ENV["SYSTEMC_DISABLE_COPYRIGHT_MESSAGE"] = "1"


def run(*args, cwd, env=ENV, timeout=60):
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


with tempfile.TemporaryDirectory() as tmp:
    first, prefix, work = (os.path.join(tmp, n) for n in ("first", "moved", "work"))
    os.mkdir(work)
    r = run("cmake", "--install", BUILD, "--prefix", first, cwd=tmp)
    check(r.returncode == 0, "cmake --install succeeds: " + r.stderr)
    os.rename(first, prefix)  # nothing may depend on where it was installed
    exe = os.path.join(prefix, "bin", "pairsim")
    share = os.path.join(prefix, "share", "pairsim")
    for rel in ("guest/lib/sys.pasm", "guest/counter.pasm", "scenarios/takeover-demo.scn", "scenarios/labs",
                "scenarios/tutorial", "docs/scenarios.md"):
        check(os.path.exists(os.path.join(share, rel)), "installed: share/pairsim/" + rel)

    r = run(exe, "run", os.path.join(share, "scenarios", "takeover-demo.scn"), cwd=work)
    check(r.returncode == 0, "the installed binary runs the shipped takeover demo: " + r.stderr)
    check("note:" not in r.stderr, "no note for a scenario inside the library: " + r.stderr)

    shutil.copy(os.path.join(share, "guest", "bank-client.pasm"), work)
    with open(os.path.join(work, "bank-client.pasm")) as f:
        check("sys.pasm" in f.read(), "bank-client.pasm includes the runtime library")
    r = run(exe, "asm", "bank-client.pasm", cwd=work)
    check(r.returncode == 0 and "code words" in r.stdout, "asm finds the installed guest/lib: " + r.stderr)

    # A scenario copied out without its program: runs on the shipped one, and says so once.
    shutil.copy(os.path.join(share, "scenarios", "takeover-demo.scn"), work)
    r = run(exe, "run", "takeover-demo.scn", cwd=work)
    check(r.returncode == 0, "a copied scenario still runs: " + r.stderr)
    notes = [line for line in r.stderr.splitlines() if line.startswith("note:")]
    check(len(notes) == 1 and "'counter.pasm' not in " + work in notes[0] and
          os.path.join(share, "guest", "counter.pasm") in notes[0], "one note names the shipped file: " + r.stderr)

    bad = dict(ENV, PAIRSIM_HOME=os.path.join(tmp, "nowhere"))
    r = run(exe, "run", "takeover-demo.scn", cwd=work, env=bad)
    check(r.returncode == 2 and "PAIRSIM_HOME" in r.stderr and "nowhere" in r.stderr and "guest/lib" in r.stderr,
          "a PAIRSIM_HOME with no library is refused clearly: " + r.stderr)
    for args in (("run", "--help"), ("table", "--help"), ("campaign", "merge", "--help")):
        r = run(exe, *args, cwd=work, env=bad)
        check(r.returncode == 0, f"a bad PAIRSIM_HOME does not stop `{' '.join(args)}`, which needs no library")

    # PAIRSIM_HOME wins over the library beside the binary: a copy of it elsewhere is the one used.
    other = os.path.join(tmp, "other")
    shutil.copytree(share, other)
    r = run(exe, "run", "takeover-demo.scn", cwd=work, env=dict(ENV, PAIRSIM_HOME=other))
    check(r.returncode == 0 and os.path.join(other, "guest", "counter.pasm") in r.stderr,
          "PAIRSIM_HOME names the library used: " + r.stderr)

    # A copy of the binary with no library beside it says so; it never falls back to the source folder of
    # the machine it was built on.
    lonely = os.path.join(tmp, "lonely", "bin")
    os.makedirs(lonely)
    shutil.copy(exe, lonely)
    r = run(os.path.join(lonely, "pairsim"), "run", "takeover-demo.scn", cwd=work)
    check(r.returncode == 2 and "no pairsim library found" in r.stderr and "PAIRSIM_HOME" in r.stderr,
          "a binary with no library beside it says so (exit 2): " + r.stderr)

    man = os.path.join(prefix, "share", "man", "man1", "pairsim.1")
    r = run("man", "-l", man, cwd=work, env=dict(ENV, MANPAGER="cat", PAGER="cat", MANWIDTH="100"))
    check(r.returncode == 0 and "PROGRAM SEARCH" in r.stdout and "PAIRSIM_HOME" in r.stdout, "the man page renders")
    help_text = run(exe, "help", cwd=work).stdout
    for cmd in ("run", "campaign", "pin", "shrink", "sweep", "explore", "grade", "asm", "disasm", "table",
                "export", "disk"):
        check(cmd + " " in help_text and "pairsim " + cmd in r.stdout, "the man page covers " + cmd)

    bash_file = os.path.join(prefix, "share", "bash-completion", "completions", "pairsim")
    r = run("bash", "-c", 'source "$1"; complete -p pairsim', "bash", bash_file, cwd=work)
    check(r.returncode == 0 and "_pairsim" in r.stdout, "the bash completion loads: " + r.stderr)
    r = run("bash", "-c", 'source "$1"; COMP_WORDS=(pairsim run --ex); COMP_CWORD=2; _pairsim; echo "${COMPREPLY[*]}"',
            "bash", bash_file, cwd=work)
    check(r.stdout.split() == ["--explain"], "bash completes run's options: " + r.stdout)
    # Every option a command's help lists is completed for it, and nothing else.
    def help_options(*cmd):
        text = run(exe, *cmd, "--help", cwd=work).stdout
        found = set()
        for line in text.splitlines():
            if line.startswith("  -"):
                found |= set(re.findall(r"--[a-z][a-z-]*", re.split(r"\s{2,}", line.strip())[0]))
        return found - {"--help"}

    for cmd in (("run",), ("campaign",), ("pin",), ("shrink",), ("sweep",), ("explore",), ("grade",), ("asm",),
                ("disasm",), ("table",), ("export", "perfetto")):
        words = " ".join(("pairsim",) + cmd + ("--",))
        r = run("bash", "-c", f'source "$1"; COMP_WORDS=({words}); COMP_CWORD={len(cmd) + 1}; _pairsim; '
                'echo "${COMPREPLY[*]}"', "bash", bash_file, cwd=work)
        offered = {w for w in r.stdout.split() if w.startswith("--")} - {"--help", "--color"}
        expected = help_options(*cmd)
        check(expected and offered == expected, f"bash completes exactly the options of {' '.join(cmd)}'s help "
              f"(missing {sorted(expected - offered)}, extra {sorted(offered - expected)})")
    r = run("zsh", "-n", os.path.join(prefix, "share", "zsh", "site-functions", "_pairsim"), cwd=work)
    check(r.returncode == 0, "the zsh completion parses: " + r.stderr)

    # A checkout moved after it was built: build/pairsim finds the library one level above itself, not in the
    # source folder it was built from.
    moved = os.path.join(tmp, "checkout")
    os.makedirs(os.path.join(moved, "build"))
    for d in ("guest", "scenarios"):
        shutil.copytree(os.path.join(share, d), os.path.join(moved, d))
    shutil.copy(exe, os.path.join(moved, "build"))
    open(os.path.join(moved, "CMakeLists.txt"), "w").close()
    r = run(os.path.join(moved, "build", "pairsim"), "run", "takeover-demo.scn", cwd=work)
    check(r.returncode == 0 and os.path.join(moved, "guest", "counter.pasm") in r.stderr,
          "build/pairsim in a moved checkout uses that checkout's programs: " + r.stderr)

done()
