"""Cold start and memory: `streamlit run app.py` -> first page ready to draw -> a first stroke answered -> every model.

Prints, from the server's start: health, the Home pad drawable in headless chromium (launched before the
clock starts, like a browser that is already open), a stroke drawn at that moment answered with the dense
AE's copy, the five core models and every model opened (from the server's log), and the server's resident
memory with every model open (the training worker is a separate process and not counted).
Targets (ONNX Runtime serving): first page <= 3 s, every model <= 2 s after the first page, a cold first stroke
<= 1 s after the pad is drawable, server RSS <= 300 MB. Run: python bench/bench_coldstart.py [--runs 3]
"""
from __future__ import annotations

import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import _common  # noqa: F401
from _common import REPO, rss_mb

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from conftest import CHROMIUM, CHROMIUM_ARGS, SEVEN, draw, start_server, stop_server  # noqa: E402

#: The same figures measured with TensorFlow serving in the server (README, 2026-11-26), for comparison.
BEFORE = {"first page": "3.6-4.4 s", "every model": "15.6-17.0 s", "first stroke": "waited for TensorFlow",
          "rss": "759 MB"}


class LineWatch(threading.Thread):
    """Notes the moment (seconds from t0) a pattern first appears in the server log, while the browser works."""

    def __init__(self, log_path: Path, pattern: str, t0: float, timeout: float = 180):
        super().__init__(daemon=True)
        self.log_path, self.pattern, self.t0, self.timeout, self.seen = log_path, pattern, t0, timeout, None

    def run(self) -> None:
        deadline = time.perf_counter() + self.timeout
        while time.perf_counter() < deadline and self.seen is None:
            if re.search(self.pattern, self.log_path.read_text()):
                self.seen = time.perf_counter() - self.t0
            time.sleep(0.02)

    def result(self) -> float | None:
        """The moment seen (waits for it, up to the timeout)."""
        self.join()
        return self.seen


def one_run() -> dict[str, float | None]:
    """One cold start; seconds from `streamlit run` (None where a step was not seen)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)  # already open, as a user's
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        t0 = time.perf_counter()
        proc, url, log = start_server(Path(tempfile.mkdtemp()))
        log_path = Path(log.name)
        watch = LineWatch(log_path, r"models opened in", t0)
        watch.start()
        try:
            out = {"health": time.perf_counter() - t0}
            page.goto(url)
            page.get_by_test_id("ae-canvas").first.wait_for(timeout=60_000)
            out["canvas"] = time.perf_counter() - t0
            draw(page, SEVEN)
            out["pen_up"] = time.perf_counter() - t0
            page.get_by_text("your drawing").first.wait_for(timeout=60_000)
            out["stroke"] = time.perf_counter() - t0
            out["all"] = watch.result()
            found = re.search(r"models opened in ([0-9.]+) s \(core\), ([0-9.]+) s \(all\)", log_path.read_text())
            out["loader_core"], out["loader_all"] = (float(found[1]), float(found[2])) if found else (None, None)
            out["rss"] = rss_mb(proc.pid)
        finally:
            stop_server(proc, log)
            browser.close()
    return out


def _verdict(value: float | None, target: float) -> str:
    return "not seen" if value is None else f"{value:6.2f}  ({'met' if value <= target else 'MISSED'}, target <= {target:g})"


def main() -> None:
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    runs = [one_run() for _ in range(ap.parse_args().runs)]
    print("from `streamlit run app.py` (chromium already running, as a user's browser would be), per run:")
    for i, r in enumerate(runs, 1):
        after_page = None if r["all"] is None else max(0.0, r["all"] - r["canvas"])
        print(f"run {i}: health {r['health']:.2f} s")
        print(f"  first page ready to draw (s):          {_verdict(r['canvas'], 3)}   before: {BEFORE['first page']}")
        print(f"  cold first stroke, after the pad (s):  {_verdict(r['stroke'] - r['canvas'], 1)}   before: {BEFORE['first stroke']}"
              f"  (of which drawing the stroke {r['pen_up'] - r['canvas']:.2f} s; pen-up -> answer {r['stroke'] - r['pen_up']:.2f} s)")
        print(f"  every model open, after the page (s):  {_verdict(after_page, 2)}   "
              f"(loader's own log: core {r['loader_core']} s, all {r['loader_all']} s; before: every model {BEFORE['every model']})")
        print(f"  server RSS, every model open (MB):     {_verdict(r['rss'], 300)}   before: {BEFORE['rss']}")


if __name__ == "__main__":
    main()
