"""Cold start and memory: `streamlit run app.py` -> first page ready to draw in chromium -> every model loaded.

Prints: server health time, time until the Home canvas is drawable in headless chromium, time until the
server has every shipped model loaded (from its log line), and the server's resident memory then.
Targets: first page < 5 s, every model < 10 s, server RSS < 1 GB. Run: python bench/bench_coldstart.py
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401
from _common import REPO

sys.path.insert(0, str(REPO / "tests" / "e2e"))
from conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    from playwright.sync_api import sync_playwright
    t0 = time.perf_counter()
    proc, url, log = start_server(Path(tempfile.mkdtemp()))
    t_health = time.perf_counter() - t0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url)
            page.get_by_test_id("stBidiComponentIsolated").first.locator("canvas.upper-canvas").wait_for(
                timeout=60_000)
            t_canvas = time.perf_counter() - t0
            browser.close()
        log_path = Path(log.name)
        t_models = None
        deadline = time.time() + 120
        while time.time() < deadline and t_models is None:
            m = re.search(r"all models loaded in ([\d.]+) s", log_path.read_text())
            if m:
                t_models = float(m.group(1))
            time.sleep(0.2)
        rss = rss_mb(proc.pid)
    finally:
        stop_server(proc, log)
    print(f"server health ok:            {t_health:6.2f} s")
    print(f"first page ready to draw:    {t_canvas:6.2f} s  (target < 5 s: {'met' if t_canvas < 5 else 'MISSED'})")
    if t_models is not None:
        print(f"every model loaded (server): {t_models:6.2f} s after the registry started "
              f"(target < 10 s: {'met' if t_models < 10 else 'MISSED'})")
    else:
        print("every model loaded: not seen in the server log within 120 s")
    print(f"server resident memory:      {rss:6.0f} MB (target < 1024 MB: {'met' if rss < 1024 else 'MISSED'})")


if __name__ == "__main__":
    main()
