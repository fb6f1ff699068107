#!/usr/bin/env python3
"""Guest software: the example programs and their scenarios, `pairsim asm` / `disasm`, object files,
determinism of a traced guest run, and assembler errors reported through a scenario."""
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import ROOT, check, done, run, run_json, scenario, tmpfile  # noqa: E402

GUEST = os.path.join(ROOT, "guest")


def procs(summary):
    """name -> list of process records (a name may be started more than once)."""
    out = {}
    for p in (summary or {}).get("processes", []):
        out.setdefault(p["name"], []).append(p)
    return out


def one(summary, name):
    ps = procs(summary).get(name, [])
    return ps[0] if len(ps) == 1 else None


def ran(scn, what):
    """Runs a scenario with --json; checks exit 0, all expectations held, guest instructions ran."""
    p, s = run_json(scn)
    check(p.returncode == 0 and s is not None, f"{what}: exits 0 with a JSON summary (stderr: {p.stderr[-300:]})")
    if s:
        check(s["expectations"]["failed"] == 0 and s["expectations"]["passed"] > 0, f"{what}: expectations hold")
        check(s["guest_instructions"] > 0, f"{what}: guest instructions ran ({s['guest_instructions']})")
    return s


# Every shipped guest scenario passes with a sensible summary.
shipped = sorted(glob.glob(scenario("guest-*.scn")))
check(len(shipped) >= 7, f"at least 7 guest scenarios ({len(shipped)})")
for scn in shipped:
    ran(scn, os.path.basename(scn))

# hello: exactly its two lines, exit 0.
s = ran(scenario("guest-hello.scn"), "hello")
h = one(s, "$HELLO")
check(h is not None and h["state"] == "stopped" and h["exit"] == 0 and h["abend"] is None, "hello stops with exit 0")
check(h is not None and h["output"] == ["hello, world", "the answer is 42"], "hello prints its two lines")

# echo: 100 good replies in order, the server saw every request once and still runs.
s = ran(scenario("guest-echo.scn"), "echo")
cli, serv = one(s, "$CLI"), one(s, "$SERV")
check(cli is not None and cli["exit"] == 0, "echo client exits 0")
check(cli is not None and cli["output"] == [f"reply {i}" for i in range(1, 101)] + ["requests: 100", "bad replies: 0"],
      "echo client prints reply 1..100 in order, then its totals")
check(serv is not None and serv["state"] == "running", "echo server still running")
check(serv is not None and serv["output"] == [f"echo {i}" for i in range(1, 101)], "echo server saw each request once")

s = ran(scenario("guest-echo-big.scn"), "echo 2 KiB")
cli = one(s, "$CLI")
check(cli is not None and cli["output"][-1] == "bad replies: 0" and cli["exit"] == 0, "2 KiB replies all good")

# The client really checks the replies: a server that damages one byte of request 3 makes it exit 1.
liar = tmpfile(".pasm", """
        include "sys.pasm"
        .data
rcv:    .string "$RECEIVE"
len:    .word 0
buf:    .space 1024
        .code
main:   push rcv
        push rcv.len
        push 0
        sys SYS_OPEN
        drop
loop:   push RECEIVE_FILE
        push buf
        push MAX_MESSAGE
        sys SYS_READUPDATE
        store len
        load buf
        push 3
        eq
        jz .answer
        load buf + 1
        addi 1
        store buf + 1           ; request 3 comes back with one byte changed
.answer:
        sys SYS_LASTTAG
        push buf
        load len
        push 0
        sys SYS_REPLY
        drop
        jmp loop
""")
scn = tmpfile(".scn", f"machine cpus 2\nstart $SERV program {liar} cpu 0\n"
                      "start $CLI program client.pasm cpu 1 args 5 64\nrun until $CLI stops or 10s\n")
p, s = run_json(scn)
cli = one(s, "$CLI")
check(p.returncode == 0 and cli is not None and cli["exit"] == 1, "client exits 1 when a reply is wrong")
check(cli is not None and "bad reply 3" in cli["output"] and "reply 4" in cli["output"] and
      "bad replies: 1" in cli["output"], "client names the wrong reply and goes on")
os.unlink(liar)
os.unlink(scn)

# compute: the right prime counts (168 primes up to 1000, 303 up to 2000).
s = ran(scenario("guest-compute.scn"), "compute")
check(one(s, "$FAST") is not None and one(s, "$FAST")["output"] == ["primes up to 2000: 303"] * 2, "compute counts 303")
scn = tmpfile(".scn", "machine cpus 2\nstart $P program compute.pasm cpu 1\nrun until $P stops or 10s\n")
p, s = run_json(scn)
check(one(s, "$P") is not None and one(s, "$P")["output"] == ["primes up to 1000: 168"], "compute defaults to N=1000")
os.unlink(scn)

# traps: each process abends with its reason; the healthy one exits 0; every CPU stays up.
s = ran(scenario("guest-traps.scn"), "traps")
reasons = {"$DIV": "division by zero", "$ADDR": "bad address", "$OVER": "stack overflow",
           "$UNDR": "stack underflow", "$ILL": "illegal instruction", "$SYS": "bad system call",
           "$ARG": "bad system-call argument"}
for name, reason in reasons.items():
    p_ = one(s, name)
    check(p_ is not None and p_["state"] == "abended" and p_["abend"] == reason and p_["exit"] is None,
          f"{name} abends with '{reason}'")
ok = one(s, "$OK")
check(ok is not None and ok["state"] == "stopped" and ok["exit"] == 0, "the healthy process exits 0")
check(s is not None and all(c["state"] == "up" for c in s["cpus"]), "no CPU goes down for a guest fault")

# path error: replies until 2 s, then FE_PATHDOWN and exit 3.
s = ran(scenario("guest-path-error.scn"), "path error")
cli = one(s, "$CLI")
check(cli is not None and cli["exit"] == 3 and cli["output"][-1] == "path error 201", "path client ends on error 201")
check(cli is not None and sum(1 for l in cli["output"] if l.startswith("reply ")) >= 19, "replies before the failure")

# monitor: deletion (-101) of a stopped and an abended child, -2 and -3 of CPU 1.
s = ran(scenario("guest-monitor.scn"), "monitor")
mon = one(s, "$MON")
out = mon["output"] if mon else []
for line in ("process 2,2 ended: exit 7", "process 3,2 ended: abended", "cpu 1 down", "cpu 1 up",
             "created worker.pasm in cpu 1: error 201", "5 system messages"):
    check(line in out, f"monitor prints '{line}'")
check(out.index("cpu 1 down") < out.index("cpu 1 up") if "cpu 1 down" in out and "cpu 1 up" in out else False,
      "monitor sees the -2 before the -3")

# The runtime library: line.pasm formats numbers, args.pasm gives defaults.
prog = tmpfile(".pasm", """
        include "sys.pasm"
        include "line.pasm"
        include "args.pasm"
        .code
main:   pushw 0x80000000
        call line_number
        call line_print
        push 0
        call line_number
        call line_print
        push -7
        call line_number
        push ' '
        call line_char
        pushw 1234567890
        call line_number
        call line_print
        push 0
        push 11
        call arg_or
        sys SYS_PRINTNUM
        drop
        push 1
        push 22
        call arg_or
        sys SYS_PRINTNUM
        drop
        push 0
        sys SYS_STOP
""")
scn = tmpfile(".scn", f"machine cpus 2\nstart $L program {prog} cpu 0 args 5\nrun until $L stops or 1s\n")
p, s = run_json(scn)
l_ = one(s, "$L")
check(l_ is not None and l_["output"] == ["-2147483648", "0", "-7 1234567890", "5", "22"],
      f"line_number and arg_or: {l_['output'] if l_ else None}")
os.unlink(prog)
os.unlink(scn)

# pairsim asm -o: the object file runs like the source.
obj = tmpfile(".pobj")
p = run("asm", os.path.join(GUEST, "hello.pasm"), "-o", obj)
check(p.returncode == 0 and open(obj).read().startswith("pairsim-object 1"), "asm -o writes an object file")
scn = tmpfile(".scn", f"machine cpus 2\nstart $H program {obj} cpu 1\nrun until $H stops or 1s\n"
                      "expect $H exit 0\nexpect output $H \"the answer is 42\"\n")
p, s = run_json(scn)
check(p.returncode == 0 and one(s, "$H") is not None and one(s, "$H")["output"] == ["hello, world", "the answer is 42"],
      "a scenario runs the .pobj")
os.unlink(scn)
# A damaged object file is refused with exit 2, never a crash.
bad_obj = tmpfile(".pobj", open(obj).read().replace("code 13", "code 14"))
scn = tmpfile(".scn", f"machine cpus 2\nstart $H program {bad_obj} cpu 1\nrun for 1s\n")
p = run("run", scn)
check(p.returncode == 2 and bad_obj in p.stderr, f"a damaged .pobj is refused with exit 2 ({p.stderr.strip()[:200]})")
os.unlink(scn)
os.unlink(bad_obj)

# pairsim asm --listing.
p = run("asm", os.path.join(GUEST, "hello.pasm"), "--listing")
check(p.returncode == 0 and re.search(r"^ +\d+ C 000000  10000000 ", p.stdout, re.M) is not None,
      "listing shows code address 0 with its word")
check("; file" in p.stdout and "sys.pasm" in p.stdout, "listing shows the included file")
check(re.search(r"^ +\d+ D 000000  6C6C6568", p.stdout, re.M) is not None, "listing shows the data words")

# pairsim disasm: valid assembler input that gives the same code and data words again.
def words(objfile):
    text = open(objfile).read()
    code = re.search(r"^code \d+\n(.*?)^code_lines", text, re.S | re.M).group(1).split()
    data = re.search(r"^data \d+\n(.*?)^code_labels", text, re.S | re.M).group(1).split()
    entry = re.search(r"^entry (\d+)", text, re.M).group(1)
    return code, data, entry

for prog in ("hello.pasm", "monitor.pasm", "client.pasm"):
    src = os.path.join(GUEST, prog)
    p = run("disasm", src)
    check(p.returncode == 0 and "; disassembly of" in p.stdout, f"disasm {prog}")
    again = tmpfile(".pasm", p.stdout)
    o1, o2 = tmpfile(".pobj"), tmpfile(".pobj")
    r1, r2 = run("asm", src, "-o", o1), run("asm", again, "-o", o2)
    check(r1.returncode == 0 and r2.returncode == 0 and words(o1) == words(o2),
          f"disasm of {prog} reassembles to the same words")
    pd = run("disasm", o1)
    check(pd.returncode == 0 and pd.stdout.split("\n", 1)[1] == p.stdout.split("\n", 1)[1],
          f"disasm of {prog}'s object file matches the source's")
    for f in (again, o1, o2):
        os.unlink(f)
os.unlink(obj)

# Determinism: a traced guest run twice with the same seed gives a byte-identical trace.
def traced(scn_path):
    t = tmpfile(".jsonl")
    p = run("run", scn_path, "--seed", "5", "--trace", t)
    data = open(t, "rb").read()
    os.unlink(t)
    return p.returncode, data

for name in ("guest-echo.scn", "guest-monitor.scn"):
    rc1, t1 = traced(scenario(name))
    rc2, t2 = traced(scenario(name))
    check(rc1 == 0 and rc2 == 0 and len(t1) > 0, f"{name}: traced runs pass")
    check(t1 == t2, f"{name}: same seed gives a byte-identical trace ({len(t1)} bytes)")
    if name == "guest-echo.scn":
        kinds = set(re.findall(rb'"kind":"([a-z_]+)"', t1))
        check({b"output", b"process_start", b"process_stop"} <= kinds, "the trace has output and process events")

# A scenario naming a program with an assembler error: exit 2 with the assembler's FILE:LINE:COL.
for bad in ("undefined-label.pasm", "operand-range.pasm"):
    path = os.path.join(ROOT, "tests", "programs", "bad", bad)
    want = re.match(r";\s*expect-error:\s*(\d+):(\d+):", open(path).readline())
    scn = tmpfile(".scn", f"machine cpus 2\nstart $X program {path} cpu 0\nrun for 1s\n")
    p = run("run", scn)
    check(p.returncode == 2 and f"{path}:{want.group(1)}:{want.group(2)}: error: " in p.stderr,
          f"scenario with {bad}: exit 2 at {want.group(1)}:{want.group(2)} ({p.stderr.strip()[:200]})")
    os.unlink(scn)
# ... and through an include: the error names the included file.
inc_bad = tmpfile(".pasm", "        .code\nlib:    frob 3\n")
prog = tmpfile(".pasm", f'        include "{inc_bad}"\n        .code\nmain:   push 0\n        sys 1\n')
scn = tmpfile(".scn", f"machine cpus 2\nstart $X program {prog} cpu 0\nrun for 1s\n")
p = run("run", scn)
check(p.returncode == 2 and f"{inc_bad}:2:9: error: unknown mnemonic 'frob'" in p.stderr,
      "an error in an included file is reported against that file")
for f in (inc_bad, prog, scn):
    os.unlink(f)

# Every example program assembles cleanly on its own.
for src in sorted(glob.glob(os.path.join(GUEST, "*.pasm")) + glob.glob(os.path.join(GUEST, "lib", "*.pasm"))):
    p = run("asm", src)
    check(p.returncode == 0 and p.stderr.strip() == "", f"{os.path.relpath(src, ROOT)} assembles cleanly")

done()
