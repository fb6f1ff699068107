#!/usr/bin/env python3
"""`pairsim disk`: create, ls, dump and check on images, valid, damaged and divergent (docs/io.md).

The test reads and writes the image format itself (docs/io.md, "Image files"), byte by byte, to make what
`disk create` cannot: a volume with a file on it, mirrors that differ, a damaged directory.
"""
import os
import re
import shlex
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, ROOT, check, done, run  # noqa: E402

BLOCK = 4096


def read_image(path):
    """An image as a dict: name, blocks, mirrored, drives (each: state, written {block: bytes})."""
    data = open(path, "rb").read()
    assert data[:8] == b"PAIRDISK", "magic"
    assert struct.unpack_from("<I", data, len(data) - 4)[0] == zlib.crc32(data[:-4]), "checksum"
    version, blocks, mirrored, n = struct.unpack_from("<IIBB", data, 8)
    assert version == 1
    at = 18
    name = data[at:at + n].decode()
    at += n
    drives = []
    for _ in range(2 if mirrored else 1):
        state, count = struct.unpack_from("<BI", data, at)
        at += 5
        written = {}
        for _ in range(count):
            (block,) = struct.unpack_from("<I", data, at)
            written[block] = bytearray(data[at + 4:at + 4 + BLOCK])
            at += 4 + BLOCK
        drives.append({"state": state, "written": written})
    assert at == len(data) - 4
    return {"name": name, "blocks": blocks, "mirrored": mirrored, "drives": drives}


def write_image(path, img):
    out = bytearray(b"PAIRDISK")
    name = img["name"].encode()
    out += struct.pack("<IIBB", 1, img["blocks"], img["mirrored"], len(name)) + name
    for d in img["drives"]:
        blocks = sorted(b for b, v in d["written"].items() if any(v))
        out += struct.pack("<BI", d["state"], len(blocks))
        for b in blocks:
            out += struct.pack("<I", b) + bytes(d["written"][b])
    out += struct.pack("<I", zlib.crc32(out))
    with open(path, "wb") as f:
        f.write(out)


def block_of(drive, n):
    return drive["written"].setdefault(n, bytearray(BLOCK))


def add_file(drive, slot, name, record_bytes, max_records, records, first_block, data=()):
    """A directory entry (docs/io.md, "On-volume layout") and the file's records, one a block."""
    entry = name.encode().ljust(8, b"\0") + struct.pack("<IIII", record_bytes, max_records, records, first_block)
    dirblock = block_of(drive, 1 + slot // 64)
    off = (slot % 64) * 64
    dirblock[off:off + 64] = entry.ljust(64, b"\0")
    for i, rec in enumerate(data):
        b = block_of(drive, first_block + i)
        b[:len(rec)] = rec


def pairsim(*args):
    return run("disk", *args, timeout=60)


def expect(cond, what, p):
    """expect(), and on failure the run's output, to see why."""
    check(cond, what)
    if not cond:
        print(f"  exit {p.returncode}\n  stdout:\n{p.stdout}  stderr:\n{p.stderr}")


tmp = tempfile.TemporaryDirectory()
d = tmp.name


def path(name):
    return os.path.join(d, name)


img = path("data.img")

# --- create -------------------------------------------------------------------------------------------------
p = pairsim("create", img, "--volume", "$DATA", "--blocks", "1000")
expect(p.returncode == 0 and p.stdout == f"{img}: volume $DATA, 1000 blocks of 4096 bytes (4000 KiB), mirrored\n",
       "create exits 0 and says what it made", p)
check(os.listdir(d) == ["data.img"], "create leaves no temporary file")
first = open(img, "rb").read()
p = pairsim("create", img, "--volume", "$OTHER")
expect(p.returncode == 2 and p.stderr == f"{img}: error: the file exists; `--force` replaces it\n",
       "create refuses to overwrite without --force", p)
check(open(img, "rb").read() == first, "the refused create left the image alone")
p = pairsim("create", img, "--volume", "$DATA", "--blocks", "1000", "--force")
expect(p.returncode == 0, "create --force replaces the image", p)
for args, what in [(["--volume", "DATA"], "a volume name without $"),
                   (["--volume", "$DATA", "--blocks", "5"], "too few blocks"),
                   (["--volume", "$DATA", "--blocks", "-3"], "negative blocks"),
                   (["--volume", "$DATA", "--blocks", "99999999"], "too many blocks"),
                   ([], "no --volume")]:
    p = pairsim("create", path("x.img"), *args)
    expect(p.returncode == 2 and "pairsim: error: " in p.stderr and not os.path.exists(path("x.img")),
           f"create refuses {what} with exit 2", p)
p = pairsim("create", path("no-folder/x.img"), "--volume", "$DATA")
expect(p.returncode == 2 and
       p.stderr.startswith(f"{path('no-folder/x.img')}: error: cannot create a temporary file"),
       "create into a missing folder says why", p)

image = read_image(img)
check(image["name"] == "$DATA" and image["blocks"] == 1000 and image["mirrored"] == 1, "the header as documented")
check([sorted(x["written"]) for x in image["drives"]] == [[0], [0]], "only the label is written (zero blocks left out)")
check(image["drives"][0]["written"][0][:8] == b"PAIRSIMV", "the label starts with PAIRSIMV")

# --- an empty volume: ls, dump, check ---------------------------------------------------------------------
p = pairsim("ls", img)
expect(p.returncode == 0 and p.stdout == "volume $DATA, 1000 blocks of 4096 bytes (4000 KiB), mirrored\n"
       "drive 0: up\ndrive 1: up\nno files\n", "ls of an empty volume", p)
p = pairsim("dump", img)
expect(p.returncode == 0 and "label (block 0): volume $DATA, 1000 blocks, layout version 1\n" in p.stdout and
       "directory (blocks 1..4): 0 of 256 slots in use\n" in p.stdout, "dump shows the label and directory", p)
p = pairsim("check", img)
expect(p.returncode == 0 and p.stdout.endswith(f"{img}: all checks passed\n"), "check passes a new volume", p)
p = pairsim("dump", img, "ACCTS")
expect(p.returncode == 2 and
       p.stderr == f"{img}: error: no file ACCTS on volume $DATA (`pairsim disk ls` lists them)\n",
       "dump of a missing file exits 2", p)

# --- a volume with files: written here as a run would ------------------------------------------------------
records = [b"hello, world", bytes(range(1, 40)), b"", b'say "hi"\\']
for drive in image["drives"]:
    add_file(drive, 0, "ACCTS", 48, 10, 4, 5, records)
    add_file(drive, 1, "LOG", 4096, 100, 0, 15)
write_image(img, image)
p = pairsim("ls", img)
expect(p.returncode == 0 and p.stdout.endswith(
    "file      record bytes  records  max records\n"
    "ACCTS               48        4           10\n"
    "LOG               4096        0          100\n"), "ls lists the files", p)
p = pairsim("dump", img, "ACCTS")
want = ["ACCTS on $DATA, drive 0 (up): records of 48 bytes, 4 of 10, blocks 5..14",
        'record 0: "hello, world" + 36 zero bytes',
        "record 1: 39 bytes in hex, then 9 zero bytes",
        "  0000: 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10",
        "  0010: 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f 20",
        "  0020: 21 22 23 24 25 26 27",
        "record 2: 48 zero bytes",
        'record 3: "say \\"hi\\"\\\\" + 39 zero bytes']
expect(p.returncode == 0 and p.stdout.splitlines() == want, "dump prints each record", p)
p = pairsim("dump", img, "ACCTS", "--records", "1..1")
expect(p.returncode == 0 and p.stdout.splitlines()[1:] == want[2:6], "--records A..B picks records", p)
p = pairsim("dump", img, "ACCTS", "--records", "9", "--drive", "1")
expect(p.returncode == 0 and p.stdout.splitlines() == [
    "ACCTS on $DATA, drive 1 (up): records of 48 bytes, 4 of 10, blocks 5..14",
    "record 9 (past the end): 48 zero bytes"], "--drive 1 and a record past the end", p)
p = pairsim("dump", img, "LOG")
expect(p.returncode == 0 and p.stdout.splitlines()[1:] == ["no records"], "an empty file has no records", p)
for args in (["--records", "5..2"], ["--records", "0..10"], ["--records", "x"], ["--drive", "2"]):
    p = pairsim("dump", img, "ACCTS", *args)
    expect(p.returncode == 2 and "pairsim: error: " in p.stderr, f"dump refuses {' '.join(args)}", p)
p = pairsim("dump", img)
expect("slot 0: ACCTS, records of 48 bytes, 4 of 10, blocks 5..14\n" in p.stdout and
       "slot 1: LOG, records of 4096 bytes, 0 of 100, blocks 15..114\n" in p.stdout, "dump lists the slots", p)
p = pairsim("check", img)
expect(p.returncode == 0 and "ok: directory: 2 files, each inside the volume, none overlapping\n" in p.stdout and
       "ok: mirrors: drives 0 and 1 hold the same blocks\n" in p.stdout, "check passes a volume with files", p)

# --- mirrors that differ ---------------------------------------------------------------------------------
diverged = read_image(img)
block_of(diverged["drives"][1], 6)[0] ^= 0xFF
write_image(path("diverged.img"), diverged)
p = pairsim("check", path("diverged.img"))
expect(p.returncode == 1 and "FAILED: mirrors: drives 0 and 1 differ, first at block 6\n" in p.stdout and
       p.stdout.endswith(f"{path('diverged.img')}: 1 check failed\n"),
       "check exits 1 when the mirrors differ, and says where", p)
diverged["drives"][1]["state"] = 1  # down: stale contents are expected
write_image(path("diverged.img"), diverged)
p = pairsim("check", path("diverged.img"))
expect(p.returncode == 0 and "note: drive 1 is down" in p.stdout, "a down drive is not compared", p)
p = pairsim("ls", path("diverged.img"))
expect("drive 1: down\n" in p.stdout, "ls shows a drive's state", p)

# --- a damaged directory ---------------------------------------------------------------------------------
bad = read_image(img)
for drive in bad["drives"]:
    add_file(drive, 2, "OVER", 10, 5, 6, 12)  # 6 records in 5 blocks
    add_file(drive, 3, "FAR", 10, 5, 0, 998)  # past the volume's end
write_image(path("baddir.img"), bad)
p = pairsim("check", path("baddir.img"))
expect(p.returncode == 1 and "FAILED: directory: slot 2 (OVER): 6 records in an extent of 5\n" in p.stdout and
       "FAILED: directory: slot 3 (FAR): blocks 998..1002 are not all inside the data blocks 5..999\n" in p.stdout,
       "check exits 1 on a bad directory and names each fault", p)
for drive in bad["drives"]:
    add_file(drive, 2, "OVER", 10, 5, 5, 12)  # overlaps ACCTS and LOG
    add_file(drive, 3, "FAR", 10, 5, 0, 900)
write_image(path("baddir.img"), bad)
p = pairsim("check", path("baddir.img"))
expect(p.returncode == 1 and
       "FAILED: directory: slot 2 (OVER, blocks 12..16) overlaps slot 0 (ACCTS, blocks 5..14)\n" in p.stdout,
       "check finds overlapping extents", p)
bad["drives"][0]["written"][0][16:21] = b"$XXXX"
bad["drives"][1]["written"][0][16:21] = b"$XXXX"
write_image(path("baddir.img"), bad)
p = pairsim("check", path("baddir.img"))
expect(p.returncode == 1 and "FAILED: label: the label names volume $XXXX, the image $DATA\n" in p.stdout,
       "check compares the label with the image", p)
p = pairsim("ls", path("baddir.img"))
expect(p.returncode == 2 and "holds no volume label" in p.stderr, "ls refuses a volume without its label", p)

# --- files that are not valid images: exit 2, "IMAGE: error: …" -----------------------------------------
data = bytearray(open(img, "rb").read())
cases = {
    "flipped.img": (data[:5000] + bytes([data[5000] ^ 1]) + data[5001:], "checksum mismatch: the file says 0x"),
    "truncated.img": (data[:len(data) // 2], "truncated: "),
    "text.img": (b"this is not a disk image\n", "not a pairsim disk image (it does not start with PAIRDISK)"),
    "empty.img": (b"", "not a pairsim disk image: the file is empty"),
}
for name, (content, sentence) in cases.items():
    with open(path(name), "wb") as f:
        f.write(content)
    for sub in ("check", "ls", "dump"):
        p = pairsim(sub, path(name))
        expect(p.returncode == 2 and p.stderr.startswith(f"{path(name)}: error: {sentence}") and p.stdout == "",
               f"{sub} on {name} exits 2 with '{sentence}…'", p)
p = pairsim("check", path("missing.img"))
expect(p.returncode == 2 and
       p.stderr == f"{path('missing.img')}: error: cannot open the file: No such file or directory\n",
       "check on a missing file", p)

# --- usage -----------------------------------------------------------------------------------------------
p = run("--help")
expect("disk create|ls|dump|check IMAGE" in p.stdout, "pairsim --help lists disk", p)
p = pairsim("--help")
expect(p.returncode == 0 and "pairsim disk check IMAGE" in p.stdout, "pairsim disk --help", p)
p = pairsim("check", "--help")
expect(p.returncode == 0 and "exit codes" in p.stdout, "pairsim disk check --help", p)
p = pairsim("format", img)
expect(p.returncode == 2 and "unknown disk subcommand 'format'" in p.stderr, "an unknown subcommand exits 2", p)
p = run("disk")
expect(p.returncode == 2, "disk without a subcommand exits 2", p)

# --- docs/io.md's examples run as printed ----------------------------------------------------------------
doc = open(os.path.join(ROOT, "docs", "io.md"), encoding="utf-8").read()
section = doc[doc.index("## `pairsim disk`"):]
section = section[:section.find("\n## ", 1)] if "\n## " in section[1:] else section
blocks = re.findall(r"```console\n(.*?)```\n", section, re.S)
check(len(blocks) >= 4, f"the pairsim disk section has its examples ({len(blocks)})")
with tempfile.TemporaryDirectory() as ex:
    for block in blocks:
        steps = re.split(r"^\$ ", block, flags=re.M)[1:]
        for step in steps:
            command, _, expected = step.partition("\n")
            argv = shlex.split(command)
            check(argv[0] == "pairsim", f"an example runs pairsim: {command}")
            r = subprocess.run([os.path.abspath(PAIRSIM), *argv[1:]], cwd=ex, capture_output=True, text=True, timeout=60,
                               env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
            got = r.stdout + r.stderr
            check(got == expected, f"`{command}` prints what docs/io.md shows" +
                  ("" if got == expected else f":\n--- doc\n{expected}--- got\n{got}"))
done()
