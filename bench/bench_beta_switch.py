"""The Latent page's beta switch in the browser: click -> the new model's map decoded, beside a z-slider step.

One server, one headless chromium (Debian's). Each click on a beta (0.25 / 1 / 4 in turn) is timed from the
click until the live map has decoded with the new model; the baseline, in the same run, is an ArrowRight on
the z1 slider (the same kind of script rerun, the decoder moved, the model kept). The first visit of each beta
also encodes and caches its 3,000 test codes, so it is reported apart.
Run: python bench/bench_beta_switch.py [--rounds 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401
from _common import REPO

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server, wait_idle  # noqa: E402

LIVE = "((window.__aeLabStats && window.__aeLabStats.latent) || {frames: 0})"
BETAS = ("β = 4", "β = 0.25", "β = 1")


def timed(page, act) -> float:
    """Seconds from `act()` until the live map has decoded once more and the script run is over."""
    frames = page.evaluate(f"() => {LIVE}.frames")
    t0 = time.perf_counter()
    act()
    page.wait_for_function(f"() => {LIVE}.frames > {frames}", timeout=60_000)
    elapsed = time.perf_counter() - t0
    wait_idle(page)
    page.wait_for_timeout(300)
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]} (of {os.cpu_count()} cores)")
    from playwright.sync_api import sync_playwright
    proc, url, log = start_server(Path(tempfile.mkdtemp()))
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url + "/latent")
            page.get_by_text("5-NN accuracy").first.wait_for(timeout=180_000)
            page.wait_for_function(f"() => {LIVE}.frames > 0", timeout=120_000)
            wait_idle(page)
            group = page.get_by_test_id("stButtonGroup")
            slider = page.get_by_test_id("stSlider").filter(has_text="z1 (left - right)").get_by_role("slider")

            def click(label: str):
                return lambda: group.get_by_text(label, exact=True).click()

            def step_slider() -> None:
                slider.focus()
                page.keyboard.press("ArrowRight")

            first = [timed(page, click(b)) for b in BETAS]  # each beta's codes encoded and cached here
            switch, baseline = [], []
            for _ in range(args.rounds):
                for b in BETAS:
                    switch.append(timed(page, click(b)))
                    baseline.append(timed(page, step_slider))
            browser.close()
    finally:
        stop_server(proc, log)
    ms = lambda v: f"{1000 * v:.0f} ms"  # noqa: E731
    print(f"first switch to each beta (encodes its 3,000 codes): {', '.join(ms(v) for v in first)}")
    print(f"beta switch, click -> new model's map decoded: median {ms(statistics.median(switch))}, "
          f"max {ms(max(switch))} ({len(switch)} switches)")
    print(f"baseline, z1 slider step -> decoded (same kind of rerun, same model): median "
          f"{ms(statistics.median(baseline))}, max {ms(max(baseline))}")


if __name__ == "__main__":
    main()
