"""Draw the stroke digits of ae_core.data.drawn through the app's own pad in headless chromium; keep what it sends.

Run: python scripts/capture_pad_digits.py [--per-class 10] [--out DIR]   (default DIR: ae_core.data.drawn.pad_cache_dir())
The pad (assets/web/js/pad.js) is mounted on a blank page and drawn on with the mouse, stroke by stroke, as a user
would; each PNG is the pad's message to the server (its 128x128 data URL). bench/bench_drawn.py measures them as a
third drawn-like source when the folder exists. Nothing is committed: the folder is a cache, rebuilt by this script.
"""
from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ae_core.data.drawn import STROKES, moved_strokes, pad_cache_dir  # noqa: E402
from ae_core.files import atomic_write_bytes  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "http://pad.invalid"
PAGE = f"""<!doctype html><html><body style="margin:0;background:#fff">
<div id="host"></div>
<script type="module">
import {{ mountPad }} from "{ORIGIN}/js/pad.js";
window.sent = [];
window.mount = (size) => {{
  const host = document.getElementById("host");
  host.innerHTML = "";
  mountPad(host, {{ size, label: "pad", key: "pad", send: (k, v) => {{ if (k === "image") window.sent.push(v); }} }});
}};
window.ready = true;
</script></body></html>"""


def _serve(route) -> None:
    """Serve the app's web assets (pad.js and what it imports) and the blank page."""
    path = route.request.url.removeprefix(ORIGIN)
    if path.startswith("/js/"):
        file = REPO / "assets" / "web" / path.lstrip("/")
        route.fulfill(status=200, body=file.read_bytes(), content_type="text/javascript")
    else:
        route.fulfill(status=200, body=PAGE, content_type="text/html")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--per-class", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    out = args.out or pad_cache_dir()
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import draw
    rng = np.random.default_rng(args.seed)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 600, "height": 600})
        page.route(f"{ORIGIN}/**", _serve)
        page.goto(f"{ORIGIN}/")
        page.wait_for_function("window.ready === true")
        n = 0
        for i in range(args.per_class):
            for digit in range(10):
                ways = STROKES[digit]
                size = 420 if i % 4 == 3 else 280  # presenter mode draws on a larger pad
                page.evaluate(f"window.mount({size}); window.sent = [];")
                for stroke in moved_strokes(ways[i % len(ways)], rng):
                    draw(page, [tuple(p) for p in stroke])  # the browser tests' mouse strokes
                page.wait_for_function(f"window.sent.length >= {len(ways[i % len(ways)])}")
                url = page.evaluate("window.sent[window.sent.length - 1]")
                atomic_write_bytes(out / f"{digit}_{i:03d}.png", base64.b64decode(url.split(",", 1)[1]))
                n += 1
        browser.close()
    print(f"{n} pad drawings in {out}")


if __name__ == "__main__":
    main()
