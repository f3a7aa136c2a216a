"""Live views in the browser: what onnxruntime-web in one headless chromium tab costs and how fast it answers.

One server, one headless chromium (Debian's), on this machine. Prints each figure beside its target and beside
"before" (the same interactions answered by the server, measured before the live views; from the issue):
  1. Draw page, in-page compute per frame (all five models and their error maps; live-results.js's workMs: the
     work itself; and computeMs: request -> reply, waits included): median and p95; then each model run alone through window.__aeLabRuntime (worker round trip and the
     worker's own session.run time).
  2. Draw page, pointer move -> repainted reconstructions (live-results.js's latencyMs: from the newest pointer
     event in a frame to the frame after its repaint), over strokes drawn at a hand's speed (a mouse event every
     ~8 ms, a few px apart, ~1000 px/s).
  3. Latent page, hover -> decoded digit repainted, measured in the page: from the real pointermove's
     timeStamp (a capturing listener on window) to the first animation frame after live-latent.js counted the
     decoded frame. Also the same from Python around page.mouse.move + wait_for_function (includes Playwright's
     round trip).
  4. Server CPU while the pen moves and on pen-up (from /proc), the websocket messages the page sends while the
     pen is down and on pen-up, and the CPU split (server / chromium / Playwright's driver / this process).
Run: python bench/bench_live.py [--strokes 10] [--hovers 40]
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401
from _common import REPO, cpu_seconds_split, health_ok

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from conftest import CHROMIUM, CHROMIUM_ARGS, ONE, SEVEN, ZERO, start_server, stop_server, wait_idle  # noqa: E402

READY = '[data-testid="stBidiComponentIsolated"] .ae-live[data-ready="1"]'
MAP = '[data-testid="ae-latent-map"]'
Z_TEXT = '[data-testid="ae-latent-z"]'
#: The same interactions answered by the server, before the live views (the issue's figures).
BEFORE = {
    "draw": "pen-up -> all eleven images 53 ms median (server-answered)",
    "latent": "latent click -> decoded digit 182 ms, cross 467 ms (server-answered)",
    "sliders": "noise / z slider 74 / 87 ms after release (server-answered)",
    "cpu": "server CPU 19-122 ms per interaction",
}
FOUR = [(0.6, 0.15), (0.25, 0.6), (0.8, 0.6)]
TWO = [(0.25, 0.3), (0.5, 0.15), (0.75, 0.3), (0.25, 0.85), (0.8, 0.85)]
L_SHAPE = [(0.65, 0.15), (0.6, 0.85)]
#: Strokes, each drawn on a cleared pad.
STROKES = [SEVEN, ONE, ZERO, FOUR, TWO, L_SHAPE, SEVEN, ZERO, TWO, ONE]
#: A pointer move every 16 ms (Chromium delivers pointer events once per frame anyway), 8 px apart (~500 px/s,
#: a digit stroke in about half a second). Playwright's move waits for the page to take the event, so when the
#: page's frames are longer the moves come slower: the printed interval is the one achieved.
EVENT_MS = 16.0
STEP_PX = 8.0
#: Detach the Look inside view (the conv AE's every layer, also live on the Draw page) from the pad, so that the
#: five models' figures can be told apart from its share; Streamlit re-attaches it whenever it re-renders.
DETACH_INSIDE_JS = """() => {
  let n = 0;
  for (const e of document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')) {
    const r = (e.shadowRoot || e).querySelector('.ae-inside');
    if (r) { if (r.padListener) window.removeEventListener('ae-lab:drawing', r.padListener); r.padListener = null; n += 1; }
  }
  return n;
}"""


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * (len(s) - 1)))] if s else float("nan")


def verdict(value: float, target: float) -> str:
    return f"{'met' if value <= target else 'MISSED'}, target <= {target:g} ms"


def live_stroke(page, box, points, sent: list, detach_inside: bool = False) -> dict:
    """Draw one stroke with the mouse at a hand's pace; what happened while the pen was down and on pen-up."""
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    path = [xy[0]]
    for (x0, y0), (x1, y1) in zip(xy, xy[1:]):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / STEP_PX))
        path += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(1, n + 1)]
    page.mouse.move(*path[0])
    if detach_inside and not page.evaluate(DETACH_INSIDE_JS):
        raise RuntimeError("no Look inside view to detach")
    lat0, frames0 = page.evaluate("() => [window.__aeLabStats.latencyMs.length, window.__aeLabStats.frames]")
    sent0, cpu0, t0 = len(sent), cpu_seconds_split(SERVER_PID), time.perf_counter()
    page.mouse.down()
    next_at = time.perf_counter()
    for x, y in path[1:]:
        next_at += EVENT_MS / 1000
        time.sleep(max(0.0, next_at - time.perf_counter()))
        page.mouse.move(x, y)
    time.sleep(0.1)  # the pen rests a moment before lifting: the last frames repaint
    down_s = time.perf_counter() - t0
    cpu1, sent_down = cpu_seconds_split(SERVER_PID), len(sent) - sent0
    page.mouse.up()
    t_up = time.perf_counter()
    for _ in range(100):  # the pen-up sends the drawing
        if len(sent) > sent0 + sent_down:
            break
        page.wait_for_timeout(20)
    wait_idle(page)
    page.wait_for_timeout(300)
    cpu2, up_s = cpu_seconds_split(SERVER_PID), time.perf_counter() - t_up
    lat = page.evaluate(f"() => window.__aeLabStats.latencyMs.slice({lat0})")
    frames = page.evaluate("() => window.__aeLabStats.frames") - frames0
    return {"lat": lat, "frames": frames, "events": len(path) - 1, "down_s": down_s, "moves_s": down_s - 0.1, "up_s": up_s,
            "sent_down": sent_down, "sent_up": len(sent) - sent0 - sent_down,
            "cpu_down": {k: cpu1[k] - cpu0[k] for k in cpu0}, "cpu_up": {k: cpu2[k] - cpu1[k] for k in cpu1}}


PER_MODEL_JS = """async (reps) => {
  const rt = await window.__aeLabRuntime;
  const models = window.__aeLabManifest.models;
  const x = new Float32Array(784).map((_, i) => ((i % 28) > 8 && (i % 28) < 20 && i > 150 && i < 650) ? 1 : 0);
  const out = {};
  for (const [name, m] of Object.entries(models)) {
    const jobs = [];
    if (m.is_vae) jobs.push([name, ["encoder", "decoder"]]);
    else if (m.files.model) jobs.push([name, ["model"]]);
    if (m.files.activations && name === "conv") jobs.push(["conv, every layer (Look inside)", ["activations"]]);
    for (const [key, roles] of jobs) {
    const wall = [], worker = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      let ms = 0, input = x, dims = [1, 28, 28, 1];
      for (const role of roles) {
        const res = await rt.run(name, role, input, dims);
        ms += res.ms;
        input = res.outputs[0].data; dims = [1, input.length];
      }
      wall.push(performance.now() - t0); worker.push(ms);
    }
    out[key] = { roles, wall, worker, label: m.label };
  }
  }
  return out;
}"""

#: The five models of one frame sent as one worker chain (as live-results.js does) against one message per run
#: (encoder and decoder apart; as it did before), interleaved, on the same digit in the same page.
CHAIN_VS_RUNS_JS = """async (reps) => {
  const rt = await window.__aeLabRuntime;
  const models = window.__aeLabManifest.models;
  const x = new Float32Array(784).map((_, i) => ((i % 28) > 8 && (i % 28) < 20 && i > 150 && i < 650) ? 1 : 0);
  const names = ["dense", "conv", "denoising", "vae2", "vae16"].filter((n) => models[n]);
  const steps = [];
  for (const n of names) {
    if (models[n].is_vae) steps.push({ name: n, role: "encoder" }, { name: n, role: "decoder", from: [steps.length, 0] });
    else steps.push({ name: n, role: "model" });
  }
  const apart = async (n) => {
    if (!models[n].is_vae) return rt.run(n, "model", x, [1, 28, 28, 1]);
    const z = (await rt.run(n, "encoder", x, [1, 28, 28, 1])).outputs[0].data;
    return rt.run(n, "decoder", z, [1, z.length]);
  };
  const chain = [], runs = [];
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    await rt.chain(steps, x, [1, 28, 28, 1]);
    chain.push(performance.now() - t0);
    t0 = performance.now();
    await Promise.all(names.map(apart));
    runs.push(performance.now() - t0);
  }
  return { chain, runs, messages: [1, steps.length] };
}"""

#: In-page hover timing on /latent, from the real pointermove's timeStamp: to live-latent.js's painting the decoded
#: canvas (done in JS; on screen with the next frame), and to the first animation frame after that.
HOVER_HOOK_JS = """() => {
  const s = window.__aeLabStats, live = s.latent;
  // from: the newest pointermove when the decoded canvas was painted (both figures are timed from that one)
  const h = (window.__aeBenchHover = { last: 0, from: 0, done: [], painted: [], seen: live.frames });
  // a move's pointerrawupdate (which live-latent.js decodes from) and its pointermove carry the same timeStamp
  for (const type of ['pointerrawupdate', 'pointermove']) window.addEventListener(type, (e) => { h.last = e.timeStamp; }, true);
  // live-latent.js counts a frame (Object.assign, so through this setter) right after painting the decoded canvas
  let frames = live.frames;
  Object.defineProperty(live, 'frames', { configurable: true, enumerable: true, get: () => frames,
    set: (v) => { frames = v; h.from = h.last; if (h.last) h.painted.push(performance.now() - h.last); } });
  const tick = () => {
    if (live.frames !== h.seen) { h.seen = live.frames; if (h.from) h.done.push(performance.now() - h.from); }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def main() -> None:
    global SERVER_PID
    ap = argparse.ArgumentParser()
    ap.add_argument("--strokes", type=int, default=10)
    ap.add_argument("--hovers", type=int, default=40)
    args = ap.parse_args()
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]} (of {os.cpu_count()} cores)")
    from playwright.sync_api import sync_playwright
    proc, url, log = start_server(Path(tempfile.mkdtemp()))
    SERVER_PID = proc.pid
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            sent: list[int] = []
            page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
            page.goto(url + "/draw")
            page.locator(READY).wait_for(timeout=180_000)
            wait_idle(page)
            print(f"onnxruntime-web {page.evaluate('async () => (await window.__aeLabRuntime).version')}, "
                  "single-threaded SIMD WebAssembly in a worker")
            canvas = page.get_by_test_id("ae-canvas").first
            canvas.scroll_into_view_if_needed()
            box = canvas.bounding_box()
            clear = page.locator('[data-testid="stBidiComponentIsolated"] .ae-clear').first
            # warm-up stroke (first runs of each session), not counted
            live_stroke(page, box, SEVEN, sent)
            clear.click()
            wait_idle(page)

            parts: list[list[list[float]]] = []

            def phase(detach: bool) -> tuple[list[dict], list[float], list[float], list[float]]:
                page.evaluate("() => { for (const k of ['computeMs', 'latencyMs', 'workMs', 'workParts']) window.__aeLabStats[k].length = 0; }")
                out = []
                for i in range(args.strokes):
                    out.append(live_stroke(page, box, STROKES[i % len(STROKES)], sent, detach))
                    clear.click()
                    wait_idle(page)
                    page.wait_for_timeout(200)
                parts.append(page.evaluate("() => window.__aeLabStats.workParts.splice(0)"))
                return (out, page.evaluate("() => window.__aeLabStats.computeMs.slice()"),
                        [x for r in out for x in r["lat"]], page.evaluate("() => window.__aeLabStats.workMs.slice()"))

            def report(title: str, results: list[dict], compute: list[float], lat: list[float], work: list[float]) -> None:
                moves = sum(r["events"] for r in results)
                interval = sum(r["moves_s"] for r in results) * 1000 / moves
                print(f"\n== Draw page, {title}: {len(results)} strokes, {moves} pointer moves {STEP_PX:g} px apart, "
                      f"one every {interval:.0f} ms achieved (asked {EVENT_MS:g}), pad {box['width']:.0f} px ==")
                wmed = statistics.median(work)
                print(f"in-page compute per frame, all five models + error maps ({len(work)} frames; the work itself: "
                      f"preprocessing, the runs inside the worker, painting): median {wmed:.1f} ms ({verdict(wmed, 8)}), "
                      f"p95 {pct(work, 0.95):.1f} ms, max {max(work):.1f} ms")
                split = [statistics.median(p[i] for p in parts[-1]) for i in range(3)]
                print(f"    of which (medians): preprocessing {split[0]:.2f} ms, the runs inside the worker {split[1]:.2f} ms, "
                      f"painting {split[2]:.2f} ms")
                med = statistics.median(compute)
                print(f"    request -> reply of the frame's runs (also waiting for the busy worker and page): "
                      f"median {med:.1f} ms ({verdict(med, 8)}), p95 {pct(compute, 0.95):.1f} ms, max {max(compute):.1f} ms")
                print(f"    before: {BEFORE['draw']}: ratio {53 / med:.1f}x (and no server)")
                print(f"pointer move -> repainted reconstructions ({len(lat)} frames, "
                      f"{sum(r['frames'] for r in results)} repaints): median {statistics.median(lat):.1f} ms, "
                      f"p95 {pct(lat, 0.95):.1f} ms ({verdict(pct(lat, 0.95), 33)}), max {max(lat):.1f} ms")
                print(f"    before: {BEFORE['draw']}, nothing while the pen moved; p95 here / 53 ms = {pct(lat, 0.95) / 53:.2f}")

            results, compute, lat, work = phase(False)
            report("as shipped (the five models and the Look inside view follow the pen)", results, compute, lat, work)
            results_b, compute_b, lat_b, work_b = phase(True)
            report("the Look inside view detached by the bench (the five models alone follow the pen)",
                   results_b, compute_b, lat_b, work_b)
            print(f"    the Look inside view's share: compute median {statistics.median(compute):.1f} -> "
                  f"{statistics.median(compute_b):.1f} ms ({statistics.median(compute) / statistics.median(compute_b):.1f}x), "
                  f"move -> repaint p95 {pct(lat, 0.95):.1f} -> {pct(lat_b, 0.95):.1f} ms")

            per = page.evaluate(PER_MODEL_JS, 30)
            print("each model alone through window.__aeLabRuntime (30 runs, a fixed 28x28 digit): "
                  "median worker round trip / session.run in the worker")
            for name, r in per.items():
                print(f"    {name:10s} ({'+'.join(r['roles'])}): {statistics.median(r['wall']):.2f} ms / "
                      f"{statistics.median(r['worker']):.2f} ms   (first run {r['wall'][0]:.2f} ms)")
            total = sum(statistics.median(r["wall"]) for k, r in per.items() if "activations" not in k)
            print(f"    the five models' medians added up: {total:.1f} ms (a live frame sends them together to the one "
                  "worker, which runs them one after another; the Look inside run queues in the same worker)")

            cvr = page.evaluate(CHAIN_VS_RUNS_JS, 40)
            ch, ru = statistics.median(cvr["chain"]), statistics.median(cvr["runs"])
            print(f"one frame's five models, 40 times each way, interleaved: as one worker chain ({cvr['messages'][0]} "
                  f"message) median {ch:.2f} ms, p95 {pct(cvr['chain'], 0.95):.2f} ms; one message per run "
                  f"({cvr['messages'][1]} messages, the live view before) median {ru:.2f} ms, p95 "
                  f"{pct(cvr['runs'], 0.95):.2f} ms; ratio {ru / ch:.2f}x")

            down_s = sum(r["down_s"] for r in results)
            up_n = len(results)
            cpu_down = {k: sum(r["cpu_down"][k] for r in results) for k in results[0]["cpu_down"]}
            cpu_up = {k: sum(r["cpu_up"][k] for r in results) for k in results[0]["cpu_up"]}
            sent_down = [r["sent_down"] for r in results]
            sent_up = [r["sent_up"] for r in results]
            print(f"\n== Server while the pen moves ({down_s:.1f} s pen-down over {up_n} strokes) and on pen-up ==")
            print(f"websocket messages the page sent while the pen was down: {sum(sent_down)} in total "
                  f"(per stroke {sent_down}; target: none)")
            print(f"websocket messages on pen-up (until the rerun finished): per stroke {sent_up} (target: one)")
            print(f"server CPU while the pen moved: {cpu_down['server'] * 1000:.0f} ms in {down_s:.1f} s "
                  f"({cpu_down['server'] * 1000 / up_n:.1f} ms per stroke; /proc ticks are 10 ms)")
            print(f"server CPU per pen-up (the rerun that stores the drawing): "
                  f"{cpu_up['server'] * 1000 / up_n:.1f} ms per stroke; before: {BEFORE['cpu']}")
            print("CPU split, cores busy while the pen moved: "
                  + ", ".join(f"{k} {v / down_s:.2f}" for k, v in cpu_down.items()))
            down_b = sum(r["down_s"] for r in results_b)
            print("CPU split, cores busy while the pen moved, Look inside detached: "
                  + ", ".join(f"{k} {sum(r['cpu_down'][k] for r in results_b) / down_b:.2f}" for k in cpu_down))
            up_s = sum(r["up_s"] for r in results)
            print(f"CPU split, ms per pen-up (pen-up until idle, {up_s / up_n * 1000:.0f} ms each incl. 300 ms rest): "
                  + ", ".join(f"{k} {v * 1000 / up_n:.0f}" for k, v in cpu_up.items()))

            # ---- latent hover ----
            page.goto(url + "/latent")
            page.locator(MAP).wait_for(timeout=180_000)
            page.wait_for_function("() => window.__aeLabStats.latent && window.__aeLabStats.latent.frames > 0",
                                   timeout=180_000)
            wait_idle(page)
            page.locator(MAP).scroll_into_view_if_needed()
            mbox = page.locator(MAP).bounding_box()
            page.evaluate(HOVER_HOOK_JS)
            page.evaluate("() => { window.__aeLabStats.computeMs.length = 0; }")
            import random
            rng = random.Random(1)
            py_ms = []
            z_el = page.locator(Z_TEXT).element_handle()
            sent0 = len(sent)
            for i in range(args.hovers):  # jumps to points on the map, the mouse then rests
                fx, fy = rng.uniform(0.15, 0.85), rng.uniform(0.1, 0.75)
                before_text = z_el.text_content()
                t0 = time.perf_counter()
                page.mouse.move(mbox["x"] + fx * mbox["width"], mbox["y"] + fy * mbox["height"])
                page.wait_for_function("([el, old]) => el.textContent !== old", arg=[z_el, before_text],
                                       polling="raf", timeout=10_000)
                py_ms.append((time.perf_counter() - t0) * 1000)
                page.wait_for_timeout(120)
            jumps = page.evaluate("() => window.__aeBenchHover.done.splice(0)")
            painted = page.evaluate("() => window.__aeBenchHover.painted.splice(0)")
            decode = page.evaluate("() => window.__aeLabStats.computeMs.splice(0)")
            # a continuous sweep across the map, as a hand moves
            y = mbox["y"] + 0.45 * mbox["height"]
            xs = [mbox["x"] + mbox["width"] * (0.1 + 0.8 * i / 120) for i in range(121)]
            page.mouse.move(xs[0], y)
            page.wait_for_timeout(200)
            page.evaluate("() => [window.__aeBenchHover.done.splice(0), window.__aeBenchHover.painted.splice(0)]")
            next_at = time.perf_counter()
            for x in xs[1:] + xs[::-1]:
                next_at += EVENT_MS / 1000
                time.sleep(max(0.0, next_at - time.perf_counter()))
                page.mouse.move(x, y)
            page.wait_for_timeout(300)
            sweep = page.evaluate("() => window.__aeBenchHover.done.splice(0)")
            sweep_painted = page.evaluate("() => window.__aeBenchHover.painted.splice(0)")
            hover_sent = len(sent) - sent0
            print(f"\n== Latent page: hover -> decoded digit repainted (2-d VAE decoder in the browser) ==")
            print(f"in the page, pointermove -> frame after the decoded canvas is painted ({len(jumps)} hovers): "
                  f"median {statistics.median(jumps):.1f} ms ({verdict(statistics.median(jumps), 20)}), "
                  f"p95 {pct(jumps, 0.95):.1f} ms")
            print(f"    pointermove -> decoded canvas painted in JS (on screen with the next frame): median "
                  f"{statistics.median(painted):.1f} ms ({verdict(statistics.median(painted), 20)}), p95 {pct(painted, 0.95):.1f} ms")
            print(f"    decoder alone (live-latent.js's ms): median {statistics.median(decode):.2f} ms")
            print(f"    from Python, page.mouse.move -> z text changed (includes Playwright's round trip, "
                  f"{len(py_ms)} hovers): median {statistics.median(py_ms):.1f} ms, p95 {pct(py_ms, 0.95):.1f} ms")
            print(f"    sweep across the map ({len(xs) * 2 - 2} moves, {EVENT_MS:g} ms apart; {len(sweep)} decodes): "
                  f"to the frame after: median {statistics.median(sweep):.1f} ms, p95 {pct(sweep, 0.95):.1f} ms; to painted: "
                  f"median {statistics.median(sweep_painted):.1f} ms, p95 {pct(sweep_painted, 0.95):.1f} ms")
            print(f"    before: {BEFORE['latent']}: the in-page hover median is "
                  f"{182 / statistics.median(jumps):.0f}x faster than the click, "
                  f"{467 / statistics.median(jumps):.0f}x the cross")
            print(f"    websocket messages sent while hovering: {hover_sent} (target: none)")
            print(f"    (slider figures before, not measured here: {BEFORE['sliders']})")
            browser.close()
        print(f"\n/_stcore/health after the run: {'ok' if health_ok(url) else 'NOT OK'}")
        print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
    finally:
        stop_server(proc, log)


SERVER_PID = 0

if __name__ == "__main__":
    main()
