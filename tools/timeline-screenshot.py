#!/usr/bin/env python3
"""Makes docs/images/timeline.png: takeover-demo.scn's timeline file (--perfetto) opened in the Performance
panel of Chromium's DevTools (headless, from its bundled front end), with the failed CPU's and the new
primary's tracks opened. The clicks are placed for Debian's Chromium 156 at 1400 x 1000 pixels; another
version may lay the panel out otherwise, so look at the picture before committing it.

    tools/timeline-screenshot.py build/pairsim [OUT.png]
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "system"))
from chromium_cdp import Chromium  # noqa: E402

if len(sys.argv) not in (2, 3):
    sys.exit(__doc__)
pairsim = sys.argv[1]
out = sys.argv[2] if len(sys.argv) == 3 else os.path.join(ROOT, "docs", "images", "timeline.png")

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "takeover.json")
    subprocess.run([pairsim, "run", os.path.join(ROOT, "scenarios", "takeover-demo.scn"), "--perfetto", path],
                   check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
    with open(path) as f:
        events = json.load(f)["traceEvents"]

browser = Chromium("chromium")
try:
    browser.open("devtools://devtools/bundled/devtools_app.html")
    time.sleep(2)
    browser.evaluate("""(async () => {
      const UI = await import('./ui/legacy/legacy.js');
      await UI.ViewManager.ViewManager.instance().showView('timeline');
      const Timeline = await import('./panels/timeline/timeline.js');
      await Timeline.TimelinePanel.TimelinePanel.instance().loadFromEvents(%s);
    })()""" % json.dumps(events), await_promise=True)
    time.sleep(4)

    def click(x, y):
        for kind in ("mousePressed", "mouseReleased"):
            browser.call("Input.dispatchMouseEvent",
                         {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})
        time.sleep(0.7)

    click(1370, 76)  # close the panel's keyboard-shortcuts card
    click(16, 39)  # hide the sidebar
    click(10, 171)  # open the group cpu 1
    click(10, 129)  # open the group cpu 2 (above it, so cpu 1's clicks came first)
    for y in (289, 267, 247, 187, 167, 146):  # each track of the two groups, from the bottom up
        click(20, y)
    time.sleep(1)
    shot = browser.call("Page.captureScreenshot",
                        {"format": "png", "clip": {"x": 0, "y": 0, "width": 1400, "height": 500, "scale": 1}})
    with open(out, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print("wrote", out)
finally:
    browser.close()
