"""Cold start and memory: `streamlit run app.py` -> first page ready to draw in chromium -> every model loaded.

Prints, from the server's start: health, the Home canvas drawable in headless chromium (launched before the
clock starts, like a browser that is already open), the five core models and every model loaded (seen in
the server's log), and the server's resident memory then.
Targets: first page < 5 s, every model < 10 s, server RSS < 1 GB. Run: python bench/bench_coldstart.py
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401
from _common import REPO, rss_mb

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402


def wait_for_line(log_path: Path, pattern: str, t0: float, timeout: float = 180) -> float | None:
    """Seconds from t0 until `pattern` appears in the server log (None if it never does)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if re.search(pattern, log_path.read_text()):
            return time.perf_counter() - t0
        time.sleep(0.1)
    return None


def main() -> None:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)  # already open, as a user's
        page = browser.new_page()
        t0 = time.perf_counter()
        proc, url, log = start_server(Path(tempfile.mkdtemp()))
        try:
            t_health = time.perf_counter() - t0
            page.goto(url)
            page.get_by_test_id("ae-canvas").first.wait_for(
                timeout=60_000)
            t_canvas = time.perf_counter() - t0
            log_path = Path(log.name)
            t_core = wait_for_line(log_path, r"core models loaded in", t0)
            t_all = wait_for_line(log_path, r"all models loaded in", t0)
            stages = re.findall(r"all models loaded in .*", log_path.read_text())
            rss = rss_mb(proc.pid)
        finally:
            stop_server(proc, log)
            browser.close()
    print("from `streamlit run app.py` (chromium already running, as a user's browser would be):")
    print(f"server health ok:            {t_health:6.2f} s")
    print(f"first page ready to draw:    {t_canvas:6.2f} s  (target < 5 s: {'met' if t_canvas < 5 else 'MISSED'})")
    for label, t, target in (("core five models loaded:", t_core, None), ("every model loaded:", t_all, 10)):
        if t is None:
            print(f"{label:28s} not seen in the server log within 180 s")
        else:
            verdict = f"  (target < {target} s: {'met' if t < target else 'MISSED'})" if target else ""
            print(f"{label:28s} {t:6.2f} s{verdict}")
    if stages:
        print(f"  the loader's own log (from its creation at the first page): {stages[0]}")
    print(f"server resident memory:      {rss:6.0f} MB (target < 1024 MB: {'met' if rss < 1024 else 'MISSED'})")


if __name__ == "__main__":
    main()
