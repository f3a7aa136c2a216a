"""Browser-test fixtures: one throw-away `streamlit run app.py` server and Debian's headless chromium.

Adapted from ../shared/recipes/browser-tests (Playwright's own browser download does not work here).
Screenshots go to .e2e-shots/ (git-ignored).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SHOTS_DIR", REPO / ".e2e-shots"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

expect.set_options(timeout=120_000)  # 2 cores, TensorFlow and a browser side by side


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start_server(tmp_home: Path, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str, object]:
    """Start the app headless on a free port; returns (process, base url, log file)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (bash scripts/setup.sh --dev installs it)")
    port = _free_port()
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = open(SHOTS / f"server-{port}.log", "w")
    env = {**os.environ, "AE_LAB_HOME": str(tmp_home), "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
           "--server.runOnSave", "false", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True, preexec_fn=_die_with_parent)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early rc={proc.returncode}; see {log.name}")
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("streamlit /_stcore/health not ok after 90 s")
        time.sleep(0.2)
    return proc, url, log


def stop_server(proc: subprocess.Popen, log) -> None:
    """Stop exactly the server process group we started."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    log.close()


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory):
    proc, url, log = start_server(tmp_path_factory.mktemp("ae-home"))
    try:
        yield url
    finally:
        stop_server(proc, log)


@pytest.fixture
def fresh_server(tmp_path):
    """A server of its own, for tests about a server's very first request."""
    proc, url, log = start_server(tmp_path / "ae-home")
    try:
        yield url
    finally:
        stop_server(proc, log)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, streamlit_server):
    return {**browser_context_args, "base_url": streamlit_server, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture
def app_page(page: Page, streamlit_server):
    """A page that records JS errors and every request; asserts no error and no foreign host afterwards."""
    errors: list[str] = []
    foreign: list[str] = []
    requests = {"own": 0}
    own_host = urlparse(streamlit_server).netloc

    def on_request(req):
        parsed = urlparse(req.url)
        if parsed.scheme in ("data", "blob", "about"):
            return
        if parsed.netloc == own_host:
            requests["own"] += 1
        else:
            foreign.append(req.url)

    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", on_request)
    yield page
    assert not errors, f"uncaught JS errors: {errors}"
    assert not foreign, f"requests to other hosts ({len(foreign)}): {foreign[:5]}"
    assert requests["own"] > 0


def wait_idle(page: Page, timeout: float = 180_000) -> None:
    """Wait until Streamlit is connected and no script run is in progress."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]'
                 '[data-test-connection-state="CONNECTED"]').wait_for(timeout=timeout)


def assert_no_exception(page: Page) -> None:
    """No Streamlit exception box and no traceback text on the page."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert "Traceback" not in page.inner_text("body")


def open_page(page: Page, path: str, wait_text: str) -> None:
    """Open a page by URL path and wait for a text on it."""
    page.goto(path)
    expect(page.get_by_text(wait_text).first).to_be_visible()
    wait_idle(page)


def draw(page: Page, stroke: list[tuple[float, float]], nth: int = 0) -> None:
    """Draw a polyline (coordinates as fractions of the canvas) on the nth drawing canvas."""
    canvas = page.get_by_test_id("ae-canvas").nth(nth)
    expect(canvas).to_be_visible()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None, "the canvas has no bounding box"
    pts = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in stroke]
    page.mouse.move(*pts[0])
    page.mouse.down()
    for x, y in pts[1:]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.45, 0.85)]
ONE = [(0.5, 0.15), (0.5, 0.85)]
ZERO = [(0.5, 0.15), (0.72, 0.3), (0.75, 0.6), (0.5, 0.85), (0.28, 0.6), (0.3, 0.3), (0.5, 0.15)]


def wait_drawn(page: Page) -> None:
    """Wait until every visible Plotly chart, drawing pad and live view on the page has been drawn by the browser."""
    charts = page.get_by_test_id("stPlotlyChart")
    for i in range(charts.count()):
        if charts.nth(i).is_visible():
            expect(charts.nth(i).locator(".main-svg").first).to_be_visible()
    components = page.get_by_test_id("stBidiComponentIsolated")  # pads, live views and the session watcher
    for i in range(components.count()):
        expect(components.nth(i).locator(".ae-pad, .ae-live, .ae-inside, .ae-latent, .ae-interp, .ae-watch").first
               ).to_be_attached()


def live_pixels(page: Page) -> dict[str, np.ndarray]:
    """The live view's input and first model's copy as the browser drew them, (28,28) floats in [0,1]."""
    shown = page.evaluate("""() => {
      const live = [...document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')]
        .map((e) => e.shadowRoot || e).map((r) => r.querySelector('.ae-live')).find(Boolean);
      const read = (c) => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data).filter((_, i) => i % 4 === 0);
      const canvases = [...live.querySelectorAll('canvas.ae-px')];
      return { input: read(canvases[0]), first: read(canvases[1]) };
    }""")
    return {k: np.asarray(v, dtype=np.float32).reshape(28, 28) / 255 for k, v in shown.items()}


def shot(page: Page, name: str) -> None:
    """Full-page screenshot into the git-ignored shots folder."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def end_of_journey(page: Page, base_url: str, name: str) -> None:
    """After a journey: no exception box, a screenshot, and the server still answers its health check."""
    assert_no_exception(page)
    shot(page, name)
    assert urllib.request.urlopen(base_url + "/_stcore/health", timeout=5).read() == b"ok"


def presenter_turns_training_off(presenter: Page, visitor: Page) -> None:
    """With AE_LAB_ALLOW=presenter: the visitor is refused with the reason, the presenter may train; the
    presenter's 'No one' then reaches the visitor's Train page too (on its next load)."""
    expect(presenter.get_by_role("button", name="Start training")).to_be_visible()
    expect(visitor.get_by_text("Training is reserved for the presenter in this session.")).to_be_visible()
    expect(visitor.get_by_role("button", name="Start training")).to_have_count(0)
    presenter.get_by_test_id("stSidebar").get_by_text("No one").click()
    wait_idle(presenter)
    expect(presenter.get_by_text("Training is turned off for everyone in this session.")).to_be_visible()
    visitor.reload()
    expect(visitor.get_by_text("Training is turned off for everyone in this session.")).to_be_visible()
