#!/usr/bin/env python3
"""The report page (`run --html`) in a real browser: Debian's Chromium, headless, driven over the DevTools
protocol on a pipe. The page loads with no console error and no request for anything but itself; it has a
timeline with a lane per CPU, the fault, the takeover, every expectation with ✓ and Table 8-1. A screenshot
is kept in the build tree (test-artifacts/html-report.png). The same seed gives the same bytes. Without
Chromium the test fails: tools/install-deps.sh installs it."""
import os
import re
import shutil
import sys
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from headless_chromium import Chromium  # noqa: E402
from pairsim_test import PAIRSIM, check, done, run, scenario, tmpfile  # noqa: E402

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(PAIRSIM)), "test-artifacts")
WIDTH, HEIGHT = 1400, 1000


def png_facts(data):
    """(width, height, distinct rows): a blank page compresses to a few distinct rows, a real one to hundreds."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    bit_depth, colour = data[24], data[25]
    idat, at = b"", 8
    while at < len(data):
        n = int.from_bytes(data[at:at + 4], "big")
        kind = data[at + 4:at + 8]
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + n]
        at += 12 + n
    raw = zlib.decompress(idat)
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour, 0)
    stride = 1 + width * channels * bit_depth // 8
    rows = {raw[i:i + stride] for i in range(0, len(raw), stride)}
    return width, height, len(rows)


# ---- the page's bytes: self-contained, and the same for the same run ----
html_a, html_b = tmpfile(".html"), tmpfile(".html")
p = run("run", scenario("takeover-demo.scn"), "--html", html_a)
check(p.returncode == 0, f"takeover-demo.scn --html: exit 0 (got {p.returncode}: {p.stderr.strip()[:300]})")
p2 = run("run", scenario("takeover-demo.scn"), "--html", html_b, "--seed", "1")
check(p2.returncode == 0, "the same run again, its seed given: exit 0")
with open(html_a, "rb") as f:
    page = f.read()
with open(html_b, "rb") as f:
    check(f.read() == page, "the same scenario and seed give a byte-identical page")
os.unlink(html_b)
text = page.decode("utf-8", errors="replace")
check(len(page) > 10_000 and text.startswith("<!DOCTYPE html>"), f"a page of its own ({len(page)} bytes)")
check(not re.search(r"https?://", text), "nothing on the page points to http:// or https://")
check(not re.search(r"<script[^>]*\bsrc=|<link\b|<img\b|<iframe\b|<object\b|<embed\b|@import|url\((?!#)", text),
      "no script, style sheet, image or frame is loaded from elsewhere")
check("host_seconds" not in text and "host seconds" not in text, "the host's time is not on the page")

# ---- the page in Chromium ----
chromium = shutil.which("chromium")
check(chromium is not None, "Debian's chromium is installed (tools/install-deps.sh installs it)")
if chromium:
    os.makedirs(ARTIFACTS, exist_ok=True)
    shutil.copyfile(html_a, os.path.join(ARTIFACTS, "html-report.html"))
    url = "file://" + os.path.abspath(html_a)
    browser = Chromium(chromium, width=WIDTH, height=HEIGHT)
    try:
        browser.open(url)
        complaints = browser.complaints()
        check(not complaints, "no console error, exception or browser error: " + "; ".join(complaints))
        others = [u for u in browser.requests() if u != url]
        check(not others, f"the page asks for nothing but itself (asked for {others})")
        dom = browser.evaluate("""(() => {
          const q = s => Array.from(document.querySelectorAll(s));
          const svg = document.querySelector('svg.timeline');
          return {
            title: document.title,
            timeline: !!svg,
            timeline_width: svg ? svg.getBoundingClientRect().width : 0,
            cpu_lanes: q('svg.timeline g.lane.cpu').map(g => g.dataset.lane),
            process_lanes: q('svg.timeline g.lane.process').map(g => g.dataset.lane),
            faults: q('svg.timeline g.band-fault text').map(t => t.textContent),
            detections: q('svg.timeline .mark-detect').length,
            takeovers: q('svg.timeline .mark-takeover').length,
            arrows: q('svg.timeline line.msg').length + q('svg.timeline line.ckpt').length,
            held: q('#expectations li.held').map(li => li.textContent),
            failed: q('#expectations li.failed').length,
            invariants: q('#invariants li').map(li => li.textContent),
            tables: q('#pairs h3.pair-table').map(h => h.textContent),
            table_text: q('#pairs pre.table-8-1').map(p => p.textContent).join('\\n'),
            summary: (document.querySelector('#summary pre') || {}).textContent || '',
          };
        })()""")
        check(dom["title"].startswith("pairsim: ") and "takeover-demo.scn" in dom["title"],
              f"the page's title names the scenario ({dom['title']!r})")
        check(dom["timeline"] and dom["timeline_width"] > 1000,
              f"an SVG timeline, laid out across the page ({dom['timeline_width']} px wide)")
        check(dom["cpu_lanes"] == ["cpu 0", "cpu 1", "cpu 2", "cpu 3"], f"a lane per CPU ({dom['cpu_lanes']})")
        check(sum(lane.startswith("$COUNT (") for lane in dom["process_lanes"]) == 3,
              f"a lane for each of $COUNT's three processes ({dom['process_lanes']})")
        check(dom["faults"] == ["fail cpu 1"], f"the fault, in the scenario's words ({dom['faults']})")
        check(dom["detections"] == 3 and dom["takeovers"] == 1,
              f"three survivors' verdicts and one takeover marked ({dom['detections']}, {dom['takeovers']})")
        check(dom["arrows"] > 0, f"checkpoints drawn between the pair's lanes ({dom['arrows']})")
        check(len(dom["held"]) == 8 and all(t.startswith("✓") for t in dom["held"]) and dom["failed"] == 0,
              f"the eight expectations, each with ✓ ({len(dom['held'])} held, {dom['failed']} failed)")
        check(any("expect takeover $COUNT within 300ms" in t for t in dom["held"]), "an expectation in its words")
        check(len(dom["invariants"]) == 1 and dom["invariants"][0].startswith("✓invariants: all held"),
              f"the invariants held ({dom['invariants']})")
        check(dom["tables"] == ["Life of process pair $COUNT"] and "Take over (processor failed)" in dom["table_text"],
              f"Table 8-1 for $COUNT ({dom['tables']})")
        check("8 passed, 0 failed" in dom["summary"], "the summary, as the report prints it")

        shot = browser.screenshot()
        png = os.path.join(ARTIFACTS, "html-report.png")
        with open(png, "wb") as f:
            f.write(shot)
        facts = png_facts(shot)
        check(facts is not None and facts[:2] == (WIDTH, HEIGHT) and facts[2] > 100,
              f"a screenshot of the page, not a blank one, kept as {png} ({facts}, {len(shot)} bytes)")
    finally:
        browser.close()
os.unlink(html_a)
done()
