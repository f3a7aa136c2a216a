"""Server capacity: N sessions drawing on the Draw page, each a client speaking Streamlit's own websocket protocol.

bench_load.py drives real pages in one headless chromium; on these 2 cores those pages take most of the CPU
(chromium ~1.6 of 2 cores at 20 sessions, the server ~0.2), so its figures say more about the load generator
than about the server. Here each session is what a browser's tab sends and receives, without the rendering
(in a talk the audience's browsers run on their own devices): it opens /draw, then sends each stroke the way
the drawing pad does (the whole pad as a PNG data URL once the pen lifts, Clear every fourth action) and times
the span from sending it to the server's "script finished" with every reconstruction received. Same pacing as
bench_load (0.2-0.6 s after each answer; --pause sets another). Errors: no answer within 30 s, a Streamlit exception, no
reconstructions in the answer, /_stcore/health not answering afterwards.

Run: python bench/bench_sessions.py [--sessions 1,20,50] [--seconds 40] [--train] [--pause 0.2,0.6] [--page draw|home]
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
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import _common  # noqa: F401
from _common import REPO, cpu_seconds_by_group, health_ok, rss_mb

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from conftest import start_server, stop_server  # noqa: E402

ANSWER_TIMEOUT_S = 30
#: Pages with a drawing pad, by url path ("" = Home), and the images an answer must hold: Draw shows the input
#: and each of the five models' reconstruction and error map; Home the input and the dense AE's copy.
MIN_FIGURES = {"draw": 11, "": 2}
#: The same phases with TensorFlow serving in the server (README, 2026-11-26, Draw page, 0.2-0.6 s pauses),
#: printed beside today's figures: {sessions: (median ms, p95 ms)}.
BEFORE = {1: (34, None), 20: (225, 522), 50: (1170, 1580)}
#: The capacity summary: the largest session count whose pen-up answers have p95 at most this, with no errors.
CAPACITY_P95_MS = 250
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

    @classmethod
    async def open(cls, url: str, page: str) -> Session:
        import websockets
        ws = await websockets.connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                      max_size=None, open_timeout=60)
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


def answered_with_reconstructions(deltas: list, page: str) -> str | None:
    """None if the answer shows the reconstructions and no exception; else what is wrong."""
    kinds = [d.new_element.WhichOneof("type") for d in deltas]
    if "exception" in kinds:
        return "Streamlit exception in the answer"
    figures = sum(d.new_element.html.body.count("ae-fig") for d in deltas if d.new_element.WhichOneof("type") == "html")
    if figures < MIN_FIGURES[page]:
        return f"the answer has {figures} images, not the input and its reconstructions"
    return None


async def session(url: str, seconds: float, seed: int, stats: SessionStats, pause: tuple[float, float] = (0.2, 0.6),
                  page: str = "draw") -> None:
    """Open the page, then stroke (and Clear every fourth action) until `seconds` have passed."""
    rng = random.Random(seed)
    try:
        tab = await Session.open(url, page)
    except Exception as e:  # noqa: BLE001  (a session that cannot open is an error to count)
        stats.errors.append(f"could not open /{page}: {type(e).__name__}: {e}")
        return
    if tab.pad_id is None:
        stats.errors.append(f"no drawing pad on /{page}")
        return
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
                deltas = await tab.rerun(page, {tab.pad_id: value}, tab.pad_fragment)
            except TimeoutError:
                stats.errors.append(f"no answer within {ANSWER_TIMEOUT_S} s")
                continue
            ms = (time.perf_counter() - t0) * 1000
            problem = answered_with_reconstructions(deltas, page) if strokes else None
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


async def run_phase(url: str, n: int, seconds: float, pid: int, pause: tuple[float, float] = (0.2, 0.6),
                    page: str = "draw") -> tuple[list[SessionStats], str]:
    """n sessions at once for `seconds`; returns their stats and the CPU split."""
    stats = [SessionStats() for _ in range(n)]
    cpu0, own0, t0 = cpu_seconds_by_group(pid), time.process_time(), time.monotonic()
    await asyncio.gather(*(session(url, seconds, i, s, pause, page) for i, s in enumerate(stats)))
    cpu1, own1, wall = cpu_seconds_by_group(pid), time.process_time(), time.monotonic() - t0
    note = "CPU (cores busy, of 2): " + ", ".join(f"{k} {(cpu1[k] - cpu0[k]) / wall:.2f}" for k in cpu1)
    note += f", these {n} clients {(own1 - own0) / wall:.2f}; server RSS after: {rss_mb(pid):.0f} MB"
    return stats, note


async def main_async(counts: list[int], seconds: float, train: bool, pause: tuple[float, float], page: str) -> None:
    proc, url, log = start_server(Path(tempfile.mkdtemp()))
    results: dict[int, tuple[float, float, int]] = {}
    try:
        await run_phase(url, 1, 5, proc.pid)  # warm-up: the Draw page waits for the models to open
        base = None
        trainer = None
        if train:
            trainer = await start_training(url)
            print("(a 21st session trains a dense AE on the Train page, in chromium, during every phase)")
        for n in counts:
            stats, note = await run_phase(url, n, seconds, proc.pid, pause, page)
            med, p95 = summary(f"{n} session{'s' if n > 1 else ''}", stats, base, note)
            if page == "draw" and pause == (0.2, 0.6) and n in BEFORE:
                b_med, b_p95 = BEFORE[n]
                print(f"    before (TensorFlow in the server): median {b_med} ms" + (f", p95 {b_p95} ms" if b_p95 else ""))
            results[n] = (med, p95, sum(len(s.errors) for s in stats))
            if n == 1:
                base = med
        if trainer is not None:
            pw, browser, page = trainer
            state = "still training" if await page.get_by_role("button", name="Stop training").count() else "NOT training"
            print(f"the training page at the end: {state}")
            await browser.close()
            await pw.stop()
        print(f"/_stcore/health after the run: {'ok' if health_ok(url) else 'NOT OK'}")
        verdicts = [f"{n} sessions p95 < 1 s: {'met' if p95 < 1000 else 'MISSED'} ({p95:.0f} ms, {e} errors)"
                    for n, (_, p95, e) in results.items() if n > 1]
        if 1 in results:
            verdicts.insert(0, f"one session < 250 ms: {'met' if results[1][0] < 250 else 'MISSED'}")
        print("targets: " + "; ".join(verdicts))
        held = [n for n, (_, p95, e) in results.items() if p95 <= CAPACITY_P95_MS and e == 0]
        print(f"capacity: the largest session count here with p95 <= {CAPACITY_P95_MS} ms and 0 errors: "
              + (f"{max(held)}" if held else "none") + " (of " + ", ".join(
                  f"{n}: p95 {p95:.0f} ms, {e} errors" for n, (_, p95, e) in results.items()) + ")")
        print("    (these sessions speak the protocol without a browser, so the server answers every pen-up with "
              "its own images, as for a browser without WebAssembly)")
    finally:
        stop_server(proc, log)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", default="1,20,50", help="comma-separated session counts, one phase each")
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--train", action="store_true", help="keep a training running on the same server throughout")
    ap.add_argument("--pause", default="0.2,0.6", help="seconds between an answer and the next stroke: low,high")
    ap.add_argument("--page", default="draw", choices=["draw", "home"], help="the page whose pad is drawn on")
    args = ap.parse_args()
    lo, hi = (float(v) for v in args.pause.split(","))
    if not 0 <= lo <= hi:
        ap.error("--pause needs 0 <= low <= high")
    page = "" if args.page == "home" else args.page
    print(f"page: {args.page}; pause between strokes: {lo}-{hi} s")
    asyncio.run(main_async([int(n) for n in args.sessions.split(",")], args.seconds, args.train, (lo, hi), page))


if __name__ == "__main__":
    main()
