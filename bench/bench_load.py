"""Load and concurrency: sessions drawing real strokes on the Draw page of one server, in one headless chromium.

For each stroke the page itself times, on its own clock, the span from the mouse button going up to the moment
every image on the page (the preprocessed input, each reconstruction and error map) shows new pixels: a
MutationObserver waits for all their sources to change, then for them to decode and for the next paint.
Every fourth action is a click on Clear. Phases (each one server, fresh sessions):
  1. one session alone (the baseline),
  2. N sessions at once,
  3. one session while another session trains a model on the Train page,
  4. N sessions at once while another session trains.
Errors: a stroke whose images never update (timeout), a Streamlit exception box, an uncaught page error, or
/_stcore/health not answering afterwards. Targets: N=20 p95 < 1 s; one session alone < 250 ms; drawing
stays usable while a training runs. On these 2 cores the browsers compete with the server, so the ratios
against the baseline are printed too.

Run: python bench/bench_load.py [--sessions 20] [--seconds 60] [--phases one,onetrain,many,train]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import _common  # noqa: F401
from _common import REPO, cpu_seconds_by_group, health_ok

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
CANVAS = '[data-testid="ae-canvas"]'
STROKE_TIMEOUT_MS = 30_000

# Installed in every page: `armStroke()` before a stroke; the returned promise resolves with the ms from the
# next pointerup to all images (outside the canvas) showing new, decoded pixels, painted.
WATCH_JS = """
() => {
  window.armStroke = (timeoutMs) => new Promise((resolve) => {
    const imgs = () => Array.from(document.querySelectorAll('figure.ae-fig img'));
    const before = new Set(imgs().map((i) => i.src));
    let tUp = null;
    const onUp = () => { tUp = performance.now(); };
    document.addEventListener('pointerup', onUp, {capture: true, once: true});
    const done = (value) => { obs.disconnect(); clearTimeout(timer); resolve(value); };
    const check = async () => {
      const now = imgs();
      if (tUp === null || now.length === 0 || now.some((i) => before.has(i.src))) return;
      obs.disconnect();
      try { await Promise.all(now.map((i) => i.decode())); } catch (e) { /* replaced while decoding */ }
      requestAnimationFrame(() => done(performance.now() - tUp));
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
    const timer = setTimeout(() => done(-1), timeoutMs);
  });
}
"""


@dataclass
class SessionStats:
    """What one browser session saw."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    clicks: int = 0


async def open_draw_page(context, url: str):
    """A new page on /draw, idle, with the stroke watcher installed."""
    page = await context.new_page()
    page.set_default_timeout(180_000)
    await page.goto(url + "/draw")
    await page.locator(CANVAS).first.wait_for()
    await page.locator(IDLE).wait_for()
    await page.evaluate(WATCH_JS)
    return page


async def stroke(page, rng: random.Random) -> None:
    """A digit-like polyline of 3-5 points drawn with the mouse inside the canvas."""
    canvas = page.locator(CANVAS).first
    await canvas.scroll_into_view_if_needed()
    box = await canvas.bounding_box()
    if box is None:
        raise RuntimeError("the canvas is not on screen")
    pts = [(box["x"] + box["width"] * rng.uniform(0.2, 0.8), box["y"] + box["height"] * rng.uniform(0.15, 0.85))
           for _ in range(rng.randint(3, 5))]
    await page.mouse.move(*pts[0])
    await page.mouse.down()
    for x, y in pts[1:]:
        await page.mouse.move(x, y, steps=6)
    await page.mouse.up()


async def session(page, seconds: float, seed: int, stats: SessionStats, page_errors: list[str]) -> None:
    """Draw strokes (and click Clear every fourth action) until `seconds` have passed."""
    rng = random.Random(seed)
    end = time.monotonic() + seconds
    action = 0
    while time.monotonic() < end:
        action += 1
        try:
            if action % 4 == 0:
                await page.get_by_role("button", name="Clear").first.click()
                stats.clicks += 1
                await page.locator(CANVAS).first.wait_for()
                await page.locator(IDLE).wait_for()
                await page.evaluate(WATCH_JS)
                continue
            pending = page.evaluate(f"window.armStroke({STROKE_TIMEOUT_MS})")
            waiter = asyncio.ensure_future(pending)
            await asyncio.sleep(0.05)  # let the watcher arm before the pointer goes up
            await stroke(page, rng)
            ms = await waiter
            if ms < 0:
                stats.errors.append("images did not update within 30 s of a stroke")
            else:
                stats.latencies_ms.append(ms)
            if await page.get_by_test_id("stException").count():
                stats.errors.append("Streamlit exception box on the page")
            await asyncio.sleep(rng.uniform(0.2, 0.6))  # a human pause between strokes
        except Exception as e:  # noqa: BLE001  (any failure of a session is an error to count)
            stats.errors.append(f"{type(e).__name__}: {str(e).splitlines()[0][:120]}")
            await asyncio.sleep(1)
    stats.errors.extend(page_errors)


async def start_training(context, url: str):
    """Another session starts a dense-AE training long enough to outlast the phase (500 epochs); returns its page."""
    page = await context.new_page()
    page.set_default_timeout(180_000)
    await page.goto(url + "/train")
    await page.get_by_role("button", name="Start training").wait_for()
    box = page.get_by_label("Epochs", exact=True)
    await box.fill("500")
    await box.press("Enter")
    await page.locator(IDLE).wait_for()
    await page.get_by_role("button", name="Start training").click()
    await page.get_by_role("button", name="Stop training").wait_for()
    return page


async def phase(browser, url: str, n: int, seconds: float, train: bool, server_pid: int = 0
                ) -> tuple[list[SessionStats], str]:
    """Run n drawing sessions for `seconds` (optionally next to a training); returns stats and a note."""
    contexts = [await browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(n)]
    trainer_ctx = trainer = None
    note = ""
    try:
        if train:
            trainer_ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
            trainer = await start_training(trainer_ctx, url)
        pages = []
        for ctx in contexts:  # open one by one: 20 first loads at once would time out on 2 cores
            pages.append(await open_draw_page(ctx, url))
        page_errors = [[] for _ in pages]
        for p, errs in zip(pages, page_errors):
            p.on("pageerror", lambda e, errs=errs: errs.append(f"page error: {e}"))
        stats = [SessionStats() for _ in pages]
        cpu0, t0 = cpu_seconds_by_group(server_pid), time.monotonic()
        await asyncio.gather(*(session(p, seconds, i, s, e) for i, (p, s, e) in
                               enumerate(zip(pages, stats, page_errors))))
        if server_pid:
            cpu1, wall = cpu_seconds_by_group(server_pid), time.monotonic() - t0
            note = "CPU while drawing (cores busy, of 2): " + ", ".join(
                f"{k} {(cpu1[k] - cpu0[k]) / wall:.2f}" for k in cpu1)
        if trainer is not None:
            try:
                progress = await trainer.get_by_test_id("stProgress").first.inner_text(timeout=30_000)
                note += f"; training progress at the end: {progress.strip().splitlines()[0] if progress else '?'}"
                await trainer.get_by_role("button", name="Stop training").click(timeout=30_000)
            except Exception as e:  # noqa: BLE001  (the drawing figures still stand)
                note += f"; the training page did not answer at the end: {type(e).__name__}"
    finally:
        for ctx in contexts + ([trainer_ctx] if trainer_ctx else []):
            await ctx.close()
    return stats, note


def summary(label: str, stats: list[SessionStats], base: float | None) -> float:
    """Print one phase's figures; returns its median latency."""
    lat = sorted(x for s in stats for x in s.latencies_ms)
    errors = [e for s in stats for e in s.errors]
    if not lat:
        print(f"{label}: no stroke completed; errors: {errors[:3]}")
        return float("nan")
    med = statistics.median(lat)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    ratio = f"  (median {med / base:.1f}x, p95 {p95 / base:.1f}x the one-session median)" if base else ""
    print(f"{label}: {len(lat)} strokes, {sum(s.clicks for s in stats)} Clear clicks, {len(errors)} errors; "
          f"stroke -> all images on screen median {med:.0f} ms, p95 {p95:.0f} ms{ratio}")
    for e in sorted(set(errors))[:5]:
        print(f"    error: {e} (x{errors.count(e)})")
    return med


async def main_async(n: int, seconds: float, phases: set[str]) -> None:
    from playwright.async_api import async_playwright
    proc, url, log = start_server(Path(tempfile.mkdtemp()))
    one, many, busy = [], [], []
    base = med_n = float("nan")
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            await phase(browser, url, 1, 5, False)  # loads the models, traces the compiled calls
            if "one" in phases:
                one, note = await phase(browser, url, 1, seconds, False, proc.pid)
                base = summary("1 session alone", one, None)
                print(f"    {note}")
            if "many" in phases:
                many, note = await phase(browser, url, n, seconds, False, proc.pid)
                med_n = summary(f"{n} sessions", many, base if one else None)
                print(f"    {note}")
            if "onetrain" in phases:
                solo, note = await phase(browser, url, 1, seconds, True, proc.pid)
                summary("1 session + 1 training", solo, base if one else None)
                print(f"    {note}")
                busy += solo
            if "train" in phases:
                crowd, note = await phase(browser, url, n, seconds, True, proc.pid)
                busy += crowd
                summary(f"{n} sessions + 1 training", crowd, base if one else None)
                print(f"    {note}")
            await browser.close()
        print(f"/_stcore/health after the run: {'ok' if health_ok(url) else 'NOT OK'}")
        p95 = lambda st: sorted(x for s in st for x in s.latencies_ms)[int(0.95 * (sum(len(s.latencies_ms) for s in st) - 1))]  # noqa: E731
        targets = []
        if one:
            targets.append(f"one session < 250 ms: {'met' if base < 250 else 'MISSED'}")
        if many:
            targets.append(f"{n} sessions p95 < 1 s: {'met' if p95(many) < 1000 else 'MISSED'} (median {med_n:.0f} ms)")
        targets.append(f"errors: {sum(len(s.errors) for s in one + many + busy)} (target 0)")
        print("targets: " + "; ".join(targets))
    finally:
        stop_server(proc, log)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--phases", default="one,onetrain,many,train",
                    help="which of one, onetrain (one session next to a training), many, train to run")
    args = ap.parse_args()
    asyncio.run(main_async(args.sessions, args.seconds, set(args.phases.split(","))))


if __name__ == "__main__":
    main()
