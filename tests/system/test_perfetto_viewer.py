#!/usr/bin/env python3
"""The timeline file (`run --perfetto`) loaded by a real viewer of the trace-event format: the trace engine of
Chromium's DevTools Performance panel (the panel that opens a trace JSON file in Chrome), run in Debian's
headless Chromium from its bundled DevTools front end. ui.perfetto.dev cannot be reached from a test; this
engine is the other maintained reader of the format. It must parse the file without an error or a warning,
and find what the file holds: every process and thread by its name, every slice on its thread, the run's
span, and every message as a flow from its sender through the bus to its receiver. A checkpoint's flow has
one time at both ends (the trace has one time for it); the engine keeps no flow whose ends share a time,
so checkpoints are left out of the flow count here (Perfetto draws them). Without Chromium the test fails:
tools/install-deps.sh installs it."""
import json
import os
import shutil
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
from pairsim_test import check, done, run, scenario, tmpfile  # noqa: E402
from chromium_cdp import Chromium  # noqa: E402

ENGINE_PAGE = "devtools://devtools/bundled/trace_app.html"

# In the DevTools page: the trace engine (models/trace) parses the events, and what it found comes back as
# plain JSON.
LOAD = """(async () => {
  const Trace = await import('./models/trace/trace.js');
  const file = %s;
  const model = Trace.TraceModel.Model.createWithAllHandlers();
  await model.parse(file.traceEvents, {metadata: {}, isFreshRecording: false});
  const parsed = model.parsedTrace(0);
  const d = parsed.data || parsed;
  const threads = [];
  for (const [pid, proc] of d.Renderer.processes)
    for (const [tid, thread] of proc.threads)
      threads.push({pid, tid, name: thread.name, entries: thread.entries.length});
  return {
    generic: d.Meta.traceIsGeneric,
    min: d.Meta.traceBounds.min,
    max: d.Meta.traceBounds.max,
    processes: [...d.Meta.processNames.entries()].map(([pid, e]) => [pid, e.args.name]),
    threads,
    flows: d.Flows.flows.map(f => f.map(e => [e.ph, e.pid, e.tid, e.ts])),
    warnings: [...d.Warnings.perWarning.keys()],
  };
})()"""


def expected(events):
    """What a reader of the format must find in our events: names, slices per thread, message flows."""
    processes = {e["pid"]: e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"}
    thread_names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
                    if e["ph"] == "M" and e["name"] == "thread_name"}
    slices = Counter((e["pid"], e["tid"]) for e in events if e["ph"] in ("X", "B"))
    message_ids = {e["id"] for e in events if e["ph"] == "s" and e.get("cat") == "message"}
    message_flows = Counter(e["id"] for e in events if e["ph"] in ("s", "t", "f") and e["id"] in message_ids)
    ends = [e["ts"] for e in events if e["ph"] in ("X", "E", "i")] + \
           [e["ts"] + e.get("dur", 0) for e in events if e["ph"] == "X"]
    return processes, thread_names, slices, message_flows, max(ends)


chromium = shutil.which("chromium")
check(chromium is not None, "Debian's chromium is installed (tools/install-deps.sh installs it)")
if chromium:
    browser = Chromium(chromium)
    try:
        browser.open(ENGINE_PAGE)
        for name, run_end_us in (("pair-bank.scn", 500_000), ("takeover-demo.scn", 1_500_000)):
            path = tmpfile(".json")
            p = run("run", scenario(name), "--perfetto", path)
            check(p.returncode == 0, f"{name} --perfetto: exit 0 (got {p.returncode}: {p.stderr.strip()[:300]})")
            with open(path) as f:
                text = f.read()
            os.unlink(path)
            events = json.loads(text)["traceEvents"]
            processes, thread_names, slices, message_flows, last = expected(events)
            browser.events.clear()
            got = browser.evaluate(LOAD % text, await_promise=True)
            complaints = browser.complaints()
            check(not complaints, f"{name}: the engine parses it with no console error: " + "; ".join(complaints))
            check(got["generic"], f"{name}: taken as a trace of its own kind, not as a Chrome recording")
            check(not got["warnings"], f"{name}: the engine has no warning about it ({got['warnings']})")
            check(abs(got["max"] - run_end_us) < 1 and abs(last - run_end_us) < 1,
                  f"{name}: the trace spans the run to its end, {run_end_us} µs (engine {got['max']}, file {last})")
            check(sorted(map(tuple, got["processes"])) == sorted(processes.items()),
                  f"{name}: every process by its name ({got['processes']})")
            found = {(t["pid"], t["tid"]): t for t in got["threads"]}
            check(set(found) == set(slices), f"{name}: a thread for every track with slices "
                  f"(engine {sorted(found)}, file {sorted(slices)})")
            wrong_names = [k for k in found if found[k]["name"] != thread_names.get(k)]
            check(not wrong_names, f"{name}: every thread by its name (wrong: {wrong_names})")
            wrong_counts = {k: (found[k]["entries"], slices[k]) for k in found if found[k]["entries"] != slices[k]}
            check(not wrong_counts, f"{name}: every slice on its thread (engine, file: {wrong_counts})")
            # Each flow comes back as the slices it binds, in time order: as many as the file's points.
            lengths = sorted(len(f) for f in got["flows"])
            in_order = all(all(a[3] <= b[3] for a, b in zip(f, f[1:])) for f in got["flows"])
            check(lengths == sorted(message_flows.values()) and in_order,
                  f"{name}: every message a flow through all its points, in time order ({len(lengths)} flows, "
                  f"{len(message_flows)} messages in the file)")
            if name == "pair-bank.scn":
                check(len(message_flows) > 100, f"{name}: the bank's traffic is there ({len(message_flows)} messages)")
                crossing = [f for f in got["flows"] if len({(e[1], e[2]) for e in f}) >= 2]
                check(len(crossing) == len(got["flows"]), f"{name}: each flow goes from one thread to another")
    finally:
        browser.close()

done()
