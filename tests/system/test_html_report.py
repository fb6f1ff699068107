#!/usr/bin/env python3
"""The report page (`run --html`) in a real browser: Debian's Chromium, headless, driven over the DevTools
protocol on a pipe. The page loads with no console error and no request for anything but itself; it has a
timeline with a lane per CPU, the fault, the takeover, every expectation with ✓ and Table 8-1. A screenshot
is kept in the build tree (test-artifacts/html-report.png). The same seed gives the same bytes. Without
Chromium the test fails: tools/install-deps.sh installs it."""
import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import PAIRSIM, check, done, run, scenario, tmpfile  # noqa: E402

ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(PAIRSIM)), "test-artifacts")
WIDTH, HEIGHT = 1400, 1000


class Chromium:
    """Headless Chromium driven over --remote-debugging-pipe: it reads commands on its fd 3 and writes
    answers and events on its fd 4, each a JSON text ended by a NUL byte."""

    def __init__(self, binary, timeout=60):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="pairsim-chromium-")
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # Out of the way of 3 and 4, so that the child's dup2 never copies a descriptor onto itself.
        child_in = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_chrome_r)
        os.close(from_chrome_w)

        def pipe_fds():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run",
             "--no-default-browser-check", "--hide-scrollbars", "--disable-dev-shm-usage",
             f"--user-data-dir={self.profile}", f"--window-size={WIDTH},{HEIGHT}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=pipe_fds, close_fds=False)
        os.close(child_in)
        os.close(child_out)
        self.send_fd, self.recv_fd = to_chrome_w, from_chrome_r
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self.recv_fd], [], [], left)
            if ready:
                chunk = os.read(self.recv_fd, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed its DevTools pipe")
                self.buffer += chunk
        text, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(text)

    def call(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.send_fd, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_for(self, method):
        deadline = time.monotonic() + self.timeout
        for m in self.events:
            if m.get("method") == method:
                return m
        while True:
            m = self._read_message(deadline)
            self.events.append(m)
            if m.get("method") == method:
                return m

    def open(self, url):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(domain + ".enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
        self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")
        # What the page does after its load event (it should do nothing) gets a moment to show up.
        self.call("Runtime.evaluate", {"expression": "new Promise(r => setTimeout(r, 300))", "awaitPromise": True})

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluating {expression[:60]}…: {r['exceptionDetails']}")
        return r["result"].get("value")

    def screenshot(self):
        return base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"])

    def complaints(self):
        """Console errors and warnings, uncaught exceptions and the browser's own errors, as lines."""
        out = []
        for m in self.events:
            method, p = m.get("method"), m.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append("uncaught: " + json.dumps(p.get("exceptionDetails", {}))[:300])
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
                out.append(f"console.{p['type']}: " + json.dumps(p.get("args", []))[:300])
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                e = p["entry"]
                out.append(f"log {e.get('level')}: {e.get('text', '')[:300]} ({e.get('url', '')})")
        return out

    def requests(self):
        return [m["params"]["request"]["url"] for m in self.events if m.get("method") == "Network.requestWillBeSent"]

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.send_fd)
        os.close(self.recv_fd)
        shutil.rmtree(self.profile, ignore_errors=True)


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
    browser = Chromium(chromium)
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
