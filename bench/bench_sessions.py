"""Server capacity: N sessions drawing on the Draw page, each a client speaking Streamlit's own websocket protocol.

bench_load.py drives real pages in one headless chromium; on these 2 cores those pages take most of the CPU
(chromium ~1.6 of 2 cores at 20 sessions, the server ~0.2), so its figures say more about the load generator
than about the server. Here each session is what a browser's tab sends and receives, without the rendering
(in a talk the audience's browsers run on their own devices): it opens /draw, then sends each stroke the way
the drawing pad does (the whole pad as a PNG data URL once the pen lifts, Clear every fourth action) and times
the span from sending it to the server's "script finished" with every reconstruction received. Same pacing as
bench_load (0.2-0.6 s after each answer; --pause sets another). Errors: no answer within 30 s, a Streamlit exception, no
reconstructions in the answer, /_stcore/health not answering afterwards.

Through the proxy (--replicas 1,2): each count is a scripts/serve.sh deployment (that many replicas behind nginx,
even one), and each session first fetches the page as a browser would (nginx's replica cookie), then opens its
websocket with that cookie. Saturating pace (--pause 0,0): strokes served per second, and the ratio of the last
count to the first (target >= 1.6x for 2 vs 1 replica). Human pace (--pause 2,4): the largest session count with p95
<= 250 ms and 0 errors (target >= 300). --runtime browser: each session says its browser runs the models itself (as
a phone with WebAssembly does), so a pen-up costs the server only its rerun; by default the server draws every
answer (a browser without WebAssembly). The load generator runs on the same 2 cores: its CPU is printed too.

Run: python bench/bench_sessions.py [--sessions 1,20,50] [--seconds 40] [--train] [--pause 0.2,0.6] [--page draw|home]
         [--replicas 1,2] [--runtime server|browser]
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import random
import statistics
import sys
import os
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import _common  # noqa: F401
from _common import REPO, cpu_seconds_by_group, cpu_seconds_deployment, health_ok, rss_mb

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from conftest import _free_port, start_server, stop_server  # noqa: E402

from deploy.nginx_conf import COOKIE  # noqa: E402

ANSWER_TIMEOUT_S = 30
#: Pages with a drawing pad, by url path ("" = Home), and the images an answer must hold: Draw shows the input
#: and each of the five models' reconstruction and error map; Home the input and the dense AE's copy.
MIN_FIGURES = {"draw": 11, "": 2}
#: The same phases with TensorFlow serving in the server (README, 2026-11-26, Draw page, 0.2-0.6 s pauses),
#: printed beside today's figures: {sessions: (median ms, p95 ms)}.
BEFORE = {1: (34, None), 20: (225, 522), 50: (1170, 1580)}
#: The capacity summary: the largest session count whose pen-up answers have p95 at most this, with no errors.
CAPACITY_P95_MS = 250
CAPACITY_TARGET = 300  # sessions at a human pace the deployment should hold (issue 13)
SCALING_TARGET = 1.6  # strokes served per second, 2 replicas over 1, at a saturating pace (issue 13)
#: What a live view's component reports once its browser has loaded onnxruntime-web (pages/shared/live_views.py).
BROWSER_RUNTIME_OK = json.dumps({"runtime": {"ok": True, "reason": ""}})
SENT_PX = 128  # the pad sends its drawing at this size (pages/shared/canvas.js)


@dataclass
class SessionStats:
    """What one protocol session saw."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    clears: int = 0


class Session:
    """One browser tab's side of Streamlit's websocket protocol, on one page of the app."""

    def __init__(self, ws):
        self.ws = ws
        self.pad_id: str | None = None
        self.pad_fragment: str = ""  # set when the pad sits in an st.fragment: its strokes rerun only that
        self.live_ids: set[str] = set()  # the page's live views (components that run the models in the browser)

    @classmethod
    async def open(cls, url: str, page: str, cookie: str | None = None) -> Session:
        import websockets
        ws = await websockets.connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=None, open_timeout=60,
                                      additional_headers={"Cookie": cookie} if cookie else None)
        session = cls(ws)
        await session.rerun(page, {})
        return session

    async def rerun(self, page: str, widgets: dict[str, str], fragment: str = "") -> list:
        """Send a rerun (of one fragment, if given) with these widget values (json); return its deltas."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        msg = BackMsg()
        msg.rerun_script.page_name = page
        msg.rerun_script.fragment_id = fragment
        for wid, value in widgets.items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id, state.json_value = wid, value
        await self.ws.send(msg.SerializeToString())
        deltas = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), ANSWER_TIMEOUT_S))
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                element = fwd.delta.new_element
                if element.WhichOneof("type") == "bidi_component" and "drawing_pad" in element.bidi_component.component_name:
                    self.pad_id = element.bidi_component.id
                    self.pad_fragment = fwd.delta.fragment_id
                elif element.WhichOneof("type") == "bidi_component" and ".live_" in element.bidi_component.component_name:
                    self.live_ids.add(element.bidi_component.id)
                deltas.append(fwd.delta)
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return deltas  # (a run that ended in st.rerun() is followed by the run it asked for)

    async def close(self) -> None:
        await self.ws.close()


def pad_value(strokes: list[list[tuple[float, float]]]) -> str:
    """The pad's state as its frontend sends it: the drawing (white ink on black, 128 px) as a PNG data URL."""
    from PIL import Image, ImageDraw
    if not strokes:
        return json.dumps({"image": None})
    im = Image.new("RGBA", (SENT_PX, SENT_PX), (0, 0, 0, 255))
    draw = ImageDraw.Draw(im)
    for pts in strokes:  # the pad's ink is 1/16 of its side wide
        draw.line([(x * SENT_PX, y * SENT_PX) for x, y in pts], fill=(255, 255, 255, 255), width=SENT_PX // 16,
                  joint="curve")
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return json.dumps({"image": "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()})


def first_visit(url: str) -> str | None:
    """Fetch the page as a browser's first request does; the replica cookie nginx set, as a Cookie header."""
    with urllib.request.urlopen(url + "/", timeout=60) as resp:
        for header in resp.headers.get_all("Set-Cookie") or []:
            if header.startswith(COOKIE + "="):
                return header.split(";")[0]
    return None


def answered_with_reconstructions(deltas: list, page: str, browser_runtime: bool = False) -> str | None:
    """None if the answer shows the reconstructions (the server's, unless the browser draws them) and no
    exception; else what is wrong."""
    kinds = [d.new_element.WhichOneof("type") for d in deltas]
    if "exception" in kinds:
        return "Streamlit exception in the answer"
    if browser_runtime:
        return None
    figures = sum(d.new_element.html.body.count("ae-fig") for d in deltas if d.new_element.WhichOneof("type") == "html")
    if figures < MIN_FIGURES[page]:
        return f"the answer has {figures} images, not the input and its reconstructions"
    return None


async def session(url: str, seconds: float, seed: int, stats: SessionStats, pause: tuple[float, float] = (0.2, 0.6),
                  page: str = "draw", browser_runtime: bool = False) -> None:
    """Open the page, then stroke (and Clear every fourth action) until `seconds` have passed."""
    rng = random.Random(seed)
    try:
        cookie = await asyncio.to_thread(first_visit, url)
        tab = await Session.open(url, page, cookie)
    except Exception as e:  # noqa: BLE001  (a session that cannot open is an error to count)
        stats.errors.append(f"could not open /{page}: {type(e).__name__}: {e}")
        return
    if tab.pad_id is None:
        stats.errors.append(f"no drawing pad on /{page}")
        return
    live = {lid: BROWSER_RUNTIME_OK for lid in tab.live_ids} if browser_runtime else {}
    if browser_runtime:
        await tab.rerun(page, live)  # the live views report their runtime once they have loaded it
    strokes: list[list[tuple[float, float]]] = []
    await asyncio.sleep(rng.uniform(0, pause[1]))  # sessions open together but do not all draw at the same instant
    end = time.monotonic() + seconds
    action = 0
    try:
        while time.monotonic() < end:
            action += 1
            if action % 4 == 0:
                strokes = []
                stats.clears += 1
            else:
                strokes.append([(rng.uniform(0.2, 0.8), rng.uniform(0.15, 0.85)) for _ in range(rng.randint(3, 5))])
            value = pad_value(strokes)
            t0 = time.perf_counter()
            try:
                deltas = await tab.rerun(page, {**live, tab.pad_id: value}, tab.pad_fragment)
            except TimeoutError:
                stats.errors.append(f"no answer within {ANSWER_TIMEOUT_S} s")
                continue
            ms = (time.perf_counter() - t0) * 1000
            problem = answered_with_reconstructions(deltas, page, browser_runtime) if strokes else None
            if problem:
                stats.errors.append(problem)
            elif strokes:
                stats.latencies_ms.append(ms)
            await asyncio.sleep(rng.uniform(*pause))  # a pause between strokes (bench_load's by default)
    except Exception as e:  # noqa: BLE001
        stats.errors.append(f"{type(e).__name__}: {str(e).splitlines()[0][:120]}")
    finally:
        await tab.close()


async def start_training(url: str):
    """A chromium page that starts a long dense-AE training on the Train page (as in bench_load)."""
    from playwright.async_api import async_playwright
    from bench_load import start_training as start_in_browser
    from conftest import CHROMIUM, CHROMIUM_ARGS
    pw = await async_playwright().start()
    browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = await start_in_browser(await browser.new_context(), url)
    return pw, browser, page


def summary(label: str, stats: list[SessionStats], base: float | None, note: str) -> tuple[float, float]:
    """Print one phase's figures; returns (median, p95) in ms."""
    lat = sorted(x for s in stats for x in s.latencies_ms)
    errors = [e for s in stats for e in s.errors]
    if not lat:
        print(f"{label}: no stroke answered; errors: {errors[:3]}")
        return float("nan"), float("nan")
    med, p95 = statistics.median(lat), lat[int(0.95 * (len(lat) - 1))]
    ratio = f"  (median {med / base:.1f}x, p95 {p95 / base:.1f}x the one-session median)" if base else ""
    print(f"{label}: {len(lat)} strokes, {sum(s.clears for s in stats)} Clears, {len(errors)} errors; "
          f"stroke sent -> every reconstruction received: median {med:.0f} ms, p95 {p95:.0f} ms{ratio}")
    print(f"    {note}")
    for e in sorted(set(errors))[:5]:
        print(f"    error: {e} (x{errors.count(e)})")
    return med, p95


@dataclass
class Target:
    """What the sessions talk to: one app process, or a serve.sh deployment (replicas behind nginx)."""

    label: str
    url: str
    cpu: Callable[[], dict[str, float]]  # CPU seconds so far, by group
    rss: Callable[[], str]  # resident memory, as printed


def single_server(proc: subprocess.Popen, url: str) -> Target:
    """One `streamlit run app.py` process, as started by the browser tests' start_server."""
    return Target("one app process (no proxy)", url, lambda: cpu_seconds_by_group(proc.pid),
                  lambda: f"server RSS after: {rss_mb(proc.pid):.0f} MB")


@asynccontextmanager
async def deployment(replicas: int) -> AsyncIterator[Target]:
    """scripts/serve.sh with `replicas` app processes behind nginx (even one), on free ports; stopped after."""
    run_dir = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    port = _free_port()
    env = {**os.environ, "AE_LAB_HOME": str(run_dir / "home"), "TF_CPP_MIN_LOG_LEVEL": "2"}
    log = (run_dir / "serve.log").open("w")
    proc = subprocess.Popen(["bash", str(REPO / "scripts" / "serve.sh"), "--proxy", "--replicas", str(replicas),
                             "--port", str(port), "--first-port", str(_free_port()), "--run-dir", str(run_dir),
                             "--no-restart"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while "serve.sh: ready" not in (run_dir / "serve.log").read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("serve.sh did not start: " + (run_dir / "serve.log").read_text()[-1500:])
            await asyncio.sleep(0.3)

        def rss() -> str:
            pids = [int(f.read_text()) for f in sorted(run_dir.glob("replica-*.pid"))]
            return "replica RSS after: " + ", ".join(f"{rss_mb(p):.0f}" for p in pids) + " MB"

        yield Target(f"{replicas} replica{'s' if replicas > 1 else ''} behind nginx", f"http://127.0.0.1:{port}",
                     lambda: cpu_seconds_deployment(proc.pid), rss)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


async def run_phase(target: Target, n: int, seconds: float, pause: tuple[float, float] = (0.2, 0.6),
                    page: str = "draw", browser_runtime: bool = False) -> tuple[list[SessionStats], str]:
    """n sessions at once for `seconds`; returns their stats and the CPU split."""
    stats = [SessionStats() for _ in range(n)]
    cpu0, own0, t0 = target.cpu(), time.process_time(), time.monotonic()
    await asyncio.gather(*(session(target.url, seconds, i, s, pause, page, browser_runtime)
                           for i, s in enumerate(stats)))
    cpu1, own1, wall = target.cpu(), time.process_time(), time.monotonic() - t0
    note = "CPU (cores busy, of 2): " + ", ".join(f"{k} {(cpu1[k] - cpu0[k]) / wall:.2f}" for k in cpu1)
    note += f", these {n} clients (this process) {(own1 - own0) / wall:.2f}; {target.rss()}"
    actions = sum(len(s.latencies_ms) + s.clears for s in stats)
    if actions:  # what one stroke or Clear costs, whatever share of the cores the scheduler gave each side
        note += ("\n    CPU per stroke or Clear answered: " + ", ".join(
            f"{k} {(cpu1[k] - cpu0[k]) * 1000 / actions:.1f} ms" for k in cpu1 if cpu1[k] > cpu0[k])
            + f", clients {(own1 - own0) * 1000 / actions:.1f} ms")
    return stats, note


async def measure(target: Target, counts: list[int], seconds: float, train: bool, pause: tuple[float, float],
                  page: str, browser_runtime: bool) -> dict[int, tuple[float, float, int, float]]:
    """Every phase against one target; returns {sessions: (median ms, p95 ms, errors, strokes per second)}."""
    results: dict[int, tuple[float, float, int, float]] = {}
    print(f"== {target.label} (load average before: {os.getloadavg()[0]:.1f}: other work on the machine)")
    await run_phase(target, 1, 5, page=page, browser_runtime=browser_runtime)  # warm-up: the models open
    base = None
    trainer = None
    if train:
        trainer = await start_training(target.url)
        print("(a 21st session trains a dense AE on the Train page, in chromium, during every phase)")
    for n in counts:
        stats, note = await run_phase(target, n, seconds, pause, page, browser_runtime)
        med, p95 = summary(f"{n} session{'s' if n > 1 else ''}", stats, base, note)
        served = sum(len(s.latencies_ms) for s in stats) / seconds
        print(f"    strokes served: {served:.1f} per second")
        if page == "draw" and pause == (0.2, 0.6) and n in BEFORE and not browser_runtime:
            b_med, b_p95 = BEFORE[n]
            print(f"    before (TensorFlow in the server): median {b_med} ms" + (f", p95 {b_p95} ms" if b_p95 else ""))
        results[n] = (med, p95, sum(len(s.errors) for s in stats), served)
        if n == 1:
            base = med
    if trainer is not None:
        pw, browser, tab = trainer
        state = "still training" if await tab.get_by_role("button", name="Stop training").count() else "NOT training"
        print(f"the training page at the end: {state}")
        await browser.close()
        await pw.stop()
    print(f"/_stcore/health after the run: {'ok' if health_ok(target.url) else 'NOT OK'}; "
          f"load average after: {os.getloadavg()[0]:.1f}")
    verdicts = [f"{n} sessions p95 < 1 s: {'met' if p95 < 1000 else 'MISSED'} ({p95:.0f} ms, {e} errors)"
                for n, (_, p95, e, _) in results.items() if n > 1]
    if 1 in results:
        verdicts.insert(0, f"one session < 250 ms: {'met' if results[1][0] < 250 else 'MISSED'}")
    print("targets: " + "; ".join(verdicts))
    held = [n for n, (_, p95, e, _) in results.items() if p95 <= CAPACITY_P95_MS and e == 0]
    print(f"capacity: the largest session count here with p95 <= {CAPACITY_P95_MS} ms and 0 errors: "
          + (f"{max(held)}" if held else "none") + " (of " + ", ".join(
              f"{n}: p95 {p95:.0f} ms, {e} errors" for n, (_, p95, e, _) in results.items()) + ")"
          + (f"; target at a human pace (2-4 s): >= {CAPACITY_TARGET} "
             f"{'met' if held and max(held) >= CAPACITY_TARGET else 'MISSED'}" if pause == (2.0, 4.0) else ""))
    return results


async def main_async(counts: list[int], seconds: float, train: bool, pause: tuple[float, float], page: str,
                     replicas: list[int] | None, browser_runtime: bool) -> None:
    if not replicas:
        proc, url, log = start_server(Path(tempfile.mkdtemp()))
        try:
            await measure(single_server(proc, url), counts, seconds, train, pause, page, browser_runtime)
        finally:
            stop_server(proc, log)
    else:
        served: dict[int, float] = {}
        for n in replicas:
            async with deployment(n) as target:
                results = await measure(target, counts, seconds, train, pause, page, browser_runtime)
            served[n] = max(r[3] for r in results.values())
        if len(replicas) > 1:
            lo, hi = replicas[0], replicas[-1]
            ratio = served[hi] / served[lo] if served[lo] else float("nan")
            print(f"scaling: strokes served per second, {hi} replicas {served[hi]:.1f} / {lo} replica{'s' if lo > 1 else ''} "
                  f"{served[lo]:.1f} = {ratio:.2f}x" + (f" (target >= {SCALING_TARGET}x at a saturating pace: "
                                                       f"{'met' if ratio >= SCALING_TARGET else 'MISSED'})"
                                                       if (lo, hi) == (1, 2) else ""))
    print("    (these sessions speak the protocol without a browser; " + (
        "each says its browser runs the models, so the server only reruns the page at a pen-up)" if browser_runtime else
        "the server answers every pen-up with its own images, as for a browser without WebAssembly)")
          + "; the load generator shares the machine's 2 cores with the server")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", default="1,20,50", help="comma-separated session counts, one phase each")
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--train", action="store_true", help="keep a training running on the same server throughout")
    ap.add_argument("--pause", default="0.2,0.6", help="seconds between an answer and the next stroke: low,high")
    ap.add_argument("--page", default="draw", choices=["draw", "home"], help="the page whose pad is drawn on")
    ap.add_argument("--replicas", default="", help="through the proxy: comma-separated replica counts, one "
                    "scripts/serve.sh deployment each (e.g. 1,2); default: one app process, no proxy")
    ap.add_argument("--runtime", default="server", choices=["server", "browser"],
                    help="who draws the reconstructions: the server (no WebAssembly) or the browser")
    args = ap.parse_args()
    lo, hi = (float(v) for v in args.pause.split(","))
    if not 0 <= lo <= hi:
        ap.error("--pause needs 0 <= low <= high")
    page = "" if args.page == "home" else args.page
    print(f"page: {args.page}; pause between strokes: {lo}-{hi} s")
    replicas = [int(n) for n in args.replicas.split(",")] if args.replicas else None
    print(f"runtime: {args.runtime}" + (f"; replicas: {args.replicas} (through nginx)" if replicas else ""))
    asyncio.run(main_async([int(n) for n in args.sessions.split(",")], args.seconds, args.train, (lo, hi), page,
                           replicas, args.runtime == "browser"))


if __name__ == "__main__":
    main()
