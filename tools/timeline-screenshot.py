#!/usr/bin/env python3
"""Makes docs/images/timeline.png: takeover-demo.scn's timeline file (--perfetto) opened in the Performance
panel of Chromium's DevTools (headless, from its bundled front end), with the failed CPU's and the new
primary's groups opened. It drives the DevTools front end bundled with Debian's Chromium 156 (two clicks at
fixed places close a card and the sidebar); another version may differ, so look at the picture before
committing it.

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
from headless_chromium import Chromium  # noqa: E402

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
    loaded = browser.call("Runtime.evaluate", {"expression": """(async () => {
      const UI = await import('./ui/legacy/legacy.js');
      await UI.ViewManager.ViewManager.instance().showView('timeline');
      const Timeline = await import('./panels/timeline/timeline.js');
      await Timeline.TimelinePanel.TimelinePanel.instance().loadFromEvents(%s);
    })()""" % json.dumps(events), "awaitPromise": True})
    if "exceptionDetails" in loaded:
        sys.exit(f"the Performance panel did not load the file: {loaded['exceptionDetails']}")
    time.sleep(4)

    def click(x, y):
        for kind in ("mousePressed", "mouseReleased"):
            browser.call("Input.dispatchMouseEvent",
                         {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})
        time.sleep(0.7)

    click(1370, 76)  # close the panel's keyboard-shortcuts card
    click(16, 39)  # hide the sidebar
    # Open the groups of CPU 1 (it fails) and CPU 2 (its backup takes over), and every track in them.
    opened = browser.call("Runtime.evaluate", {"expression": """(async () => {
      const Timeline = await import('./panels/timeline/timeline.js');
      const chart = Timeline.TimelinePanel.TimelinePanel.instance().flameChart.getMainFlameChart();
      const groups = chart.timelineData().groups;
      let inside = false;
      groups.forEach((g, i) => {
        if (g.style.nestingLevel === 0) inside = /^cpu [12] /.test(g.name);
        if (inside) chart.expandGroup(i);
      });
      return groups.filter(g => g.expanded).map(g => g.name);
    })()""", "awaitPromise": True, "returnByValue": True})
    print("opened:", ", ".join(opened["result"].get("value") or []))
    time.sleep(1)
    shot = browser.call("Page.captureScreenshot",
                        {"format": "png", "clip": {"x": 0, "y": 0, "width": 1400, "height": 500, "scale": 1}})
    with open(out, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print("wrote", out)
finally:
    browser.close()
