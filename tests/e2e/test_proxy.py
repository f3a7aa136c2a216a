"""A deployment of scripts/serve.sh (two replicas behind nginx) in headless chromium: sticky sessions on
different replicas that draw, upload and download; the presenter setting holds across replicas; a replica killed
and started again; SIGTERM stops it all."""
from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from deploy.nginx_conf import COOKIE
from tests.e2e.conftest import (CHROMIUM, REPO, SEVEN, SHOTS, assert_no_exception, draw, open_page,
                               presenter_turns_training_off, shot, stop_server, wait_idle)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RESTART_DELAY_S = 10  # long enough to see the killed replica's tabs served by the other one
MSE = re.compile(r"MSE \d\.\d{4}")
RELOADED = "The page was reloaded."
PRESENTER_KEY = "e2e-proxy-presenter-key-0123456789"
JS_ERRORS: list[str] = []  # uncaught errors in any tab of these tests


@dataclass
class Deployment:
    """A running scripts/serve.sh: its process, the URL people open and its run folder."""

    proc: subprocess.Popen
    url: str
    run_dir: Path
    log: Path

    def replica_pid(self, name: str) -> int:
        """The pid of replica `name` (r1, r2) as serve.sh recorded it."""
        return int((self.run_dir / f"replica-{name[1:]}.pid").read_text())

    def wait_log(self, text: str, timeout: float = 120) -> None:
        """Wait until serve.sh's output contains `text`."""
        deadline = time.monotonic() + timeout
        while text not in self.log.read_text():
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve.sh exited ({self.proc.returncode}): {self.log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"serve.sh did not say {text!r}: {self.log.read_text()[-2000:]}")
            time.sleep(0.2)


def _three_free_ports() -> int:
    """A port P with P+1 and P+2 free too (nginx on P, the replicas on the next two)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            for p in (port, port + 1, port + 2):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
    raise RuntimeError("no three consecutive free ports")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (bash scripts/setup.sh --dev installs it)")
    if not Path(NGINX).exists():
        pytest.skip("nginx not installed (bash scripts/setup.sh --serve or --dev installs Debian's)")
    home = tmp_path_factory.mktemp("ae-home")
    (home / "models").mkdir()
    for f in ("dense.keras", "dense.json"):  # a saved model both replicas list (one user data folder)
        shutil.copy(REPO / "assets" / "models" / f, home / "models" / f)
    run_dir = tmp_path_factory.mktemp("serve")
    port = _three_free_ports()
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = SHOTS / f"serve-{port}.log"
    env = {**os.environ, "AE_LAB_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "2",
           "AE_LAB_ALLOW": "presenter", "AE_LAB_PRESENTER_KEY": PRESENTER_KEY}
    out = log.open("w")
    proc = subprocess.Popen(["bash", str(REPO / "scripts" / "serve.sh"), "--replicas", "2", "--port", str(port),
                             "--run-dir", str(run_dir), "--restart-delay", str(RESTART_DELAY_S)],
                            cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    dep = Deployment(proc, f"http://127.0.0.1:{port}", run_dir, log)
    try:
        dep.wait_log("serve.sh: ready")
        yield dep
    finally:
        stop_server(proc, out)  # serve.sh and, should it not stop them itself, its process group


def replica_of(context: BrowserContext) -> str | None:
    """The replica nginx's cookie sends this browser to."""
    return next((c["value"] for c in context.cookies() if c["name"] == COOKIE), None)


def served_by(url: str, cookie: str | None = None) -> str:
    """Which replica answers a request for `url` (nginx's X-AE-Lab-Replica header), with this cookie."""
    req = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
        return resp.headers["X-AE-Lab-Replica"]


def open_tab(browser: Browser, dep: Deployment, cookie: str | None = None, path: str = "/draw",
             title: str = "Draw & reconstruct") -> tuple[BrowserContext, Page]:
    """A new browser (its own cookies; nginx's replica cookie set to `cookie` if given) on a page."""
    context = browser.new_context(base_url=dep.url, viewport={"width": 1400, "height": 1000})
    if cookie:
        context.add_cookies([{"name": COOKIE, "value": cookie, "url": dep.url}])
    page = context.new_page()
    page.on("pageerror", lambda e: JS_ERRORS.append(f"{e}"))
    response = page.goto(path)
    assert response is not None and response.headers["x-ae-lab-replica"] in ("r1", "r2")
    expect(page.get_by_text(title).first).to_be_visible()
    wait_idle(page)
    assert replica_of(context) == response.headers["x-ae-lab-replica"]
    return context, page


def draw_and_see(page: Page) -> None:
    """Draw a seven on the Draw page and wait for every model's answer."""
    draw(page, SEVEN)
    expect(page.get_by_text(MSE).first).to_be_visible()
    wait_idle(page)


def digit_png() -> bytes:
    """A white-on-black seven as a PNG file, as someone would upload it."""
    from PIL import Image, ImageDraw
    im = Image.new("L", (112, 112), 0)
    ImageDraw.Draw(im).line([(28, 22), (84, 22), (62, 56), (50, 95)], fill=255, width=9)
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def test_two_sessions_land_on_different_replicas_and_both_draw_upload_and_download(browser: Browser, deployment):
    tabs = [open_tab(browser, deployment) for _ in range(2)]
    assert {replica_of(c) for c, _ in tabs} == {"r1", "r2"}, "new browsers are spread over the replicas"
    saved = (REPO / "assets" / "models" / "dense.keras").read_bytes()
    for context, page in tabs:
        draw_and_see(page)
        page.get_by_test_id("stRadio").get_by_text("Upload", exact=True).click()
        wait_idle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            {"name": "seven.png", "mimeType": "image/png", "buffer": digit_png()})
        expect(page.get_by_text(re.compile(r"input: .*seven\.png")).first).to_be_visible()
        expect(page.get_by_text(MSE).first).to_be_visible()
        wait_idle(page)
        assert_no_exception(page)
        open_page(page, "/train", "Train your own autoencoder")
        with page.expect_download() as info:  # the saved model in the shared user data folder, from this replica
            page.get_by_test_id("stDownloadButton").filter(has=page.get_by_text("Download", exact=True)).first.click()
        assert info.value.suggested_filename == "dense.keras"
        assert Path(info.value.path()).read_bytes() == saved
        assert replica_of(context) in ("r1", "r2")
        shot(page, f"proxy-{replica_of(context)}")
    assert {replica_of(c) for c, _ in tabs} == {"r1", "r2"}, "every request of a tab stayed on its replica"
    for context, _ in tabs:
        context.close()
    assert not JS_ERRORS


def test_the_presenter_setting_refuses_a_training_from_a_second_session_on_another_replica(browser: Browser,
                                                                                            deployment):
    """The deployment starts with AE_LAB_ALLOW=presenter; the presenter's choice is shared by every replica."""
    ctx_p, presenter = open_tab(browser, deployment, "r1", f"/train?key={PRESENTER_KEY}", "Presenter controls")
    ctx_v, visitor = open_tab(browser, deployment, "r2", "/train", "Train your own autoencoder")
    assert (replica_of(ctx_p), replica_of(ctx_v)) == ("r1", "r2")
    presenter_turns_training_off(presenter, visitor)  # the choice made on r1 holds on r2 (one AE_LAB_HOME)
    assert replica_of(ctx_v) == "r2"
    presenter.get_by_test_id("stSidebar").get_by_text("Presenter only", exact=True).click()  # as the deployment started
    wait_idle(presenter)
    for page in (presenter, visitor):
        assert_no_exception(page)
    for context in (ctx_p, ctx_v):
        context.close()
    assert not JS_ERRORS


def test_a_killed_replica_moves_its_tabs_to_another_and_comes_back(browser: Browser, deployment):
    (ctx_a, tab_a), (ctx_b, tab_b) = open_tab(browser, deployment), open_tab(browser, deployment)
    dead, live = replica_of(ctx_a), replica_of(ctx_b)
    assert dead != live
    for tab in (tab_a, tab_b):
        draw_and_see(tab)
    os.kill(deployment.replica_pid(dead), signal.SIGKILL)
    # nginx sends nothing to the dead replica meanwhile: new browsers and the dead one's cookie get the live one.
    for cookie in (None, None, dead):
        assert served_by(deployment.url + "/_stcore/health", cookie) == live
    # The killed replica's tab reconnects through nginx to the live one and says what happened.
    expect(tab_a.get_by_text(RELOADED)).to_be_visible(timeout=60_000)
    wait_idle(tab_a)
    assert replica_of(ctx_a) == live
    draw_and_see(tab_a)
    # The other replica's tab saw nothing.
    tab_b.wait_for_timeout(500)
    expect(tab_b.get_by_text(RELOADED)).to_have_count(0)
    draw_and_see(tab_b)
    assert replica_of(ctx_b) == live
    shot(tab_a, "proxy-after-kill")
    # serve.sh starts the dead replica again; nginx sends its cookie's browsers to it again.
    deployment.wait_log(f"replica {dead[1:]} (port")
    deployment.wait_log("is back", timeout=120)
    assert served_by(deployment.url + "/_stcore/health", dead) == dead
    ctx_c, tab_c = open_tab(browser, deployment, cookie=dead)  # a browser that was sent there before
    assert replica_of(ctx_c) == dead
    draw_and_see(tab_c)
    for context in (ctx_a, ctx_b, ctx_c):
        context.close()
    assert not JS_ERRORS


def test_sigterm_stops_every_process_it_started(deployment):
    pids = [deployment.replica_pid(n) for n in ("r1", "r2")] + [int((deployment.run_dir / "nginx.pid").read_text())]
    deployment.proc.send_signal(signal.SIGTERM)
    assert deployment.proc.wait(timeout=30) == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(OSError):
        urllib.request.urlopen(deployment.url + "/_stcore/health", timeout=5)
