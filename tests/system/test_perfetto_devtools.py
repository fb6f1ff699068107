#!/usr/bin/env python3
"""The timeline file (`run --perfetto`) loaded by a real, maintained consumer of the trace-event format: the
trace engine of Chromium's DevTools Performance panel, which is what opens a trace JSON in Chromium now that
chrome://tracing is gone. Headless Chromium (Debian's) opens its bundled DevTools frontend
(devtools://devtools/bundled/trace_app.html) and, in that page, the engine's own module
(models/trace/trace.js) parses the file's events with every handler, as the Performance panel does with a
file it loads. What it made of them is compared with the file: no console error or warning and no trace
warning; every group and track with its name; every span and instant on its track with its time and length,
nested as deep as the file nests it; the arrows it can draw. A file with overlapping begin/end pairs on two
tracks is loaded too, to show that the engine's complaints do reach the test. Then the Performance panel
itself loads each file as its "Load profile" button does and draws it: its tracks by name, every entry; a
screenshot is kept in the build tree (test-artifacts/perfetto-devtools.png). Without Chromium, or without
the engine or the panel in it, the test fails: tools/install-deps.sh installs Chromium."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from headless_chromium import Chromium  # noqa: E402
from pairsim_test import PAIRSIM, check, done, run, scenario, tmpfile  # noqa: E402

TRACE_APP = "devtools://devtools/bundled/trace_app.html"
ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(PAIRSIM)), "test-artifacts")

# Runs in the DevTools page: parses a trace-event file with the Performance panel's engine and returns what it
# holds. Times stay the file's microseconds.
LOAD = """(async (text) => {
  const Trace = await import('./models/trace/trace.js');
  const doc = JSON.parse(text);
  const model = Trace.TraceModel.Model.createWithAllHandlers();
  await model.parse(doc.traceEvents, {metadata: doc.metadata || {}, isFreshRecording: false});
  const data = model.parsedTrace(model.lastTraceIndex()).data;
  const threads = [];
  for (const [pid, process] of data.Renderer.processes)
    for (const [tid, thread] of process.threads)
      threads.push({pid, tid, name: thread.name, depth: thread.tree ? thread.tree.maxDepth : -1,
                    entries: thread.entries.map(e => [e.name, e.ph, e.ts, e.dur === undefined ? null : e.dur])});
  return {
    generic: data.Meta.traceIsGeneric,
    groups: [...data.Meta.processNames].map(([pid, e]) => [pid, e.args.name]),
    threads,
    flows: data.Flows.flows.map(
        f => f.map(e => [e.name, e.ph, e.pid, e.tid, e.ts, e.dur === undefined ? null : e.dur])),
    warnings: [...data.Warnings.perWarning.keys()],
  };
})"""


# Runs in the DevTools page: the Performance panel loads a file as its "Load profile" button does and draws
# it; returns the flame chart's groups (a process, then its threads, each "NAME (ID)") and its entry count.
PANEL = """(async (text, fileName) => {
  const UI = await import('./ui/legacy/legacy.js');
  await UI.ViewManager.ViewManager.instance().showView('timeline');
  const Timeline = await import('./panels/timeline/timeline.js');
  const panel = Timeline.TimelinePanel.TimelinePanel.instance();
  panel.loadFromFile(new File([text], fileName, {type: 'application/json'}));
  const drawn = () => {
    if (!panel.hasActiveTrace()) return null;
    const data = panel.getFlameChart().getMainDataProvider().timelineData();
    return data && data.entryLevels.length ? data : null;
  };
  for (let waited = 0; !drawn() && waited < 30000; waited += 100)
    await new Promise(r => setTimeout(r, 100));
  const data = drawn();
  if (!data) return null;
  // For the screenshot: the notice that this frontend has no page to debug closed, the CPU groups open.
  if (UI.Dialog.Dialog.hasInstance()) UI.Dialog.Dialog.getInstance().hide();
  const chart = panel.getFlameChart().getMainFlameChart();
  data.groups.forEach((g, i) => { if (g.style.nestingLevel === 0 && !g.expanded) chart.toggleGroupExpand(i); });
  await new Promise(r => setTimeout(r, 300));
  return {groups: data.groups.map(g => [g.name, g.style.nestingLevel]), entries: data.entryLevels.length};
})"""


def ns(us):
    return round(us * 1000)


def expected(doc):
    """What the engine should hold for a file: group names, track names, each track's spans and instants,
    its nesting depth, and its arrows as the engine keeps them (see below)."""
    ev = doc["traceEvents"]
    groups = {e["pid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
    entries, depth = {}, {}
    for e in ev:
        if e["ph"] in "XI":
            entries.setdefault((e["pid"], e["tid"]), []).append(
                (e["name"], e["ph"], ns(e["ts"]), ns(e["dur"]) if e["ph"] == "X" else None))
    for track, items in entries.items():
        enclosing, deepest = [], 0
        for _, _, begin, dur in sorted(items, key=lambda x: (x[2], -(x[3] or 0))):
            end = begin + (dur or 0)
            while enclosing and enclosing[-1] <= begin:
                enclosing.pop()
            enclosing.append(end)
            deepest = max(deepest, len(enclosing))
        depth[track] = deepest
    # The engine binds a flow's point to the slice that begins at that instant on that track in the flow's
    # category, and keeps a flow's points by time: a flow with every point at one instant (a checkpoint, sent
    # and received at once) is no arrow for it.
    points = {}
    for e in ev:
        if e["ph"] in "stf":
            points.setdefault(e["id"], {})[ns(e["ts"])] = (e["pid"], e["tid"], ns(e["ts"]))
    flows = sorted(tuple(sorted(p.values(), key=lambda x: x[2])) for p in points.values() if len(p) > 1)
    return groups, names, {t: sorted(v) for t, v in entries.items()}, depth, flows, len(points)


def load(browser, text):
    """The engine's view of a file, and the console's complaints while it parsed it."""
    browser.events.clear()
    r = browser.call("Runtime.evaluate", {"expression": f"{LOAD}({json.dumps(text)})", "returnByValue": True,
                                          "awaitPromise": True})
    if "exceptionDetails" in r:
        return None, [f"exception: {json.dumps(r['exceptionDetails'])[:500]}"]
    return r["result"].get("value"), browser.complaints()


def compare(name, doc, got, complaints):
    groups, names, entries, depth, flows, all_flows = expected(doc)
    check(not complaints, f"{name}: the engine parses it with no console error or warning: {complaints[:5]}")
    check(got["warnings"] == [], f"{name}: and no trace warning ({got['warnings']})")
    check(got["generic"] is True, f"{name}: read as a generic trace-event file, not a Chrome recording")
    check(dict(got["groups"]) == groups, f"{name}: every group by its name ({sorted(dict(got['groups']).values())})")
    threads = {(t["pid"], t["tid"]): t for t in got["threads"]}
    check(set(threads) == set(entries), f"{name}: a track for each of the file's {len(entries)} tracks with "
          f"something on it ({len(threads)}: {sorted(t['name'] for t in threads.values())})")
    wrong_names = [(k, threads[k]["name"], names.get(k)) for k in threads if threads[k]["name"] != names.get(k)]
    check(not wrong_names, f"{name}: each track by its name ({wrong_names[:5]})")
    wrong = []
    for track, items in entries.items():
        seen = sorted((e[0], e[1], ns(e[2]), None if e[3] is None else ns(e[3]))
                      for e in threads.get(track, {"entries": []})["entries"])
        if seen != items:
            wrong.append((names.get(track), len(seen), len(items), [x for x in items if x not in seen][:3]))
    total = sum(len(v) for v in entries.values())
    check(not wrong, f"{name}: every span and instant ({total}) on its track, at its time, of its length: {wrong[:3]}")
    wrong_depth = [(names.get(t), threads[t]["depth"], d) for t, d in depth.items()
                   if t in threads and threads[t]["depth"] != d]
    check(not wrong_depth, f"{name}: each track nested as deep as the file nests it ({wrong_depth[:5]})")
    seen_flows = sorted(tuple((f[2], f[3], ns(f[4])) for f in flow) for flow in got["flows"])
    check(seen_flows == flows, f"{name}: {len(flows)} of its {all_flows} arrows drawn, each through its points "
          f"(the rest have every point at one instant) ({len(seen_flows)})")
    # Where a path error is noted at the instant of a send, the engine binds the arrow to that instant (the
    # first event there in the arrow's category), not to the send's slice: the same place and time.
    ends = [f for flow in got["flows"] for f in flow]
    unbound = [f for f in ends if not (f[1] == "X" and f[5] == 0 or f[1] == "I")]
    on_instants = sum(1 for f in ends if f[1] == "I")
    check(not unbound, f"{name}: every point of an arrow on a zero-length slice or an instant of its track "
          f"({len(ends)} points, {on_instants} on instants; {unbound[:3]})")


def panel(browser, name, doc, text):
    """The Performance panel loads the file and draws a track for each group and thread, every entry on them."""
    browser.open(TRACE_APP)
    browser.events.clear()
    r = browser.call("Runtime.evaluate", {"expression": f"{PANEL}({json.dumps(text)}, {json.dumps(name + '.json')})",
                                          "returnByValue": True, "awaitPromise": True})
    drawn = None if "exceptionDetails" in r else r["result"].get("value")
    complaints = browser.complaints()
    check(drawn is not None, f"{name}: the Performance panel loads the file and draws it "
          f"({json.dumps(r.get('exceptionDetails', ''))[:300]})")
    if not drawn:
        return
    check(not complaints, f"{name}: the panel loads it with no console error or warning: {complaints[:5]}")
    groups, names, entries, _, _, _ = expected(doc)
    want = sorted([f"{groups[pid]} ({pid})" for pid in {t[0] for t in entries}] +
                  [f"{names[t]} ({t[1]})" for t in entries])
    got = sorted(g[0] for g in drawn["groups"])
    check(got == want, f"{name}: the panel's tracks, a group per CPU (and the scenario, the volumes) with a track "
          f"per thread, each by its name ({got})")
    total = sum(len(v) for v in entries.values())
    check(drawn["entries"] == total, f"{name}: the panel draws every span and instant ({drawn['entries']} of {total})")
    if name == "takeover-demo":
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, "perfetto-devtools.png")
        with open(shot, "wb") as f:
            f.write(browser.screenshot())
        print(f"the panel with the file loaded: {shot}")


def as_begin_end(doc):
    """The file with each span as a begin and an end, in time order (how it was once written)."""
    lines = []
    for i, e in enumerate(doc["traceEvents"]):
        if e["ph"] == "X" and e["dur"] > 0:
            b = {k: v for k, v in e.items() if k != "dur"}
            lines.append((e["ts"], 2, i, dict(b, ph="B")))
            lines.append((e["ts"] + e["dur"], 0, i, {k: b[k] for k in ("name", "cat", "pid", "tid")} |
                          {"ph": "E", "ts": e["ts"] + e["dur"]}))
        elif e["ph"] != "M":
            lines.append((e["ts"], 1, i, e))
    meta = [e for e in doc["traceEvents"] if e["ph"] == "M"]
    return {"traceEvents": meta + [x[3] for x in sorted(lines, key=lambda x: x[:3])]}


files = {}
for name in ("takeover-demo", "pair-bank", "bank-disk-faults"):
    out = tmpfile(".json")
    p = run("run", scenario(name + ".scn"), "--perfetto", out)
    with open(out, encoding="utf-8") as f:
        text = f.read()
    os.unlink(out)
    check(p.returncode in (0, 1) and text.startswith("{"), f"{name}: --perfetto writes a file (exit {p.returncode})")
    files[name] = text

chromium = shutil.which("chromium")
check(chromium is not None, "Debian's chromium is installed (tools/install-deps.sh installs it)")
if chromium:
    browser = Chromium(chromium)
    try:
        browser.open(TRACE_APP)
        title = browser.evaluate("document.title")
        check(title == "DevTools", f"Chromium opens its bundled DevTools frontend ({TRACE_APP}: {title!r})")
        engine = browser.call("Runtime.evaluate", {
            "expression": "import('./models/trace/trace.js')"
                          ".then(m => typeof m.TraceModel.Model.createWithAllHandlers)",
            "returnByValue": True, "awaitPromise": True})
        check(engine.get("result", {}).get("value") == "function",
              f"the Performance panel's trace engine is in it (models/trace/trace.js): {json.dumps(engine)[:300]}")
        for name, text in files.items():
            doc = json.loads(text)
            got, complaints = load(browser, text)
            check(got is not None, f"{name}: the engine parses the file: {complaints}")
            if got:
                compare(name, doc, got, complaints)
            if name == "takeover-demo":
                cpu1 = [t for t in (got or {}).get("threads", []) if t["name"] == "cpu 1"]
                states = [e[:4] for e in cpu1[0]["entries"]] if len(cpu1) == 1 else None
                check(states == [["up", "X", 0, 420000], ["down", "X", 420000, 1080000]],
                      f"takeover-demo: CPU 1 up until 420 ms, then down until the run ends ({states})")
                instants = {e[0] for t in (got or {}).get("threads", []) for e in t["entries"] if e[1] == "I"}
                moments = {"fault: fail cpu 1", "declared cpu 1 down", "takeover from cpu 1 (processor failed)"}
                check(moments <= instants, "takeover-demo: the fault, the detection and the takeover, as instants")
                # The engine's complaints reach this test: spans as begin/end pairs that overlap on two tracks
                # are paired on one stack by the engine, which says so.
                _, complaints = load(browser, json.dumps(as_begin_end(doc)))
                check(any("Begin/End events mismatch" in c for c in complaints),
                      f"takeover-demo as begin/end pairs: the engine's complaint is seen ({complaints[:2]})")
        for name, text in files.items():
            panel(browser, name, json.loads(text), text)
    finally:
        browser.close()
done()
