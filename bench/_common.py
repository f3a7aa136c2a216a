"""Helpers shared by the benchmarks: timing and the models to time."""
from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def median_ms(fn: Callable[[], object], n: int = 200, warmup: int = 5) -> tuple[float, float]:
    """(median, p95) wall time of fn() in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def shipped_or_untrained():
    """The five core models: shipped where present, else untrained stand-ins of the same design."""
    from ae_core.serving.runners import SHIPPED_MODELS, LoadedModel, load_models
    from ae_core.models.builders import build_model
    loaded, errors = load_models()
    for name in SHIPPED_MODELS:
        if name not in loaded:
            kind = "vae" if name.startswith("vae") else name
            model = build_model(kind, latent_dim=int(name[3:]) if kind == "vae" else 2)
            loaded[name] = LoadedModel(name, model)
            print(f"  note: {name} not shipped yet; timing an untrained model of the same design")
    return {n: loaded[n] for n in SHIPPED_MODELS}


def cpu_seconds_by_group(server_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) so far of: the app server, its child processes (training worker), chromium."""
    procs = _proc_table()
    groups = {"server": 0.0, "server children": 0.0, "chromium": 0.0}
    for pid, (_, comm, cpu) in procs.items():
        if pid == server_pid:
            groups["server"] += cpu
        elif _under(procs, pid, server_pid):
            groups["server children"] += cpu
        elif "chrom" in comm.lower():
            groups["chromium"] += cpu
    return groups


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def health_ok(url: str) -> bool:
    """Whether a Streamlit server at `url` answers its health check."""
    import urllib.request
    try:
        return urllib.request.urlopen(url + "/_stcore/health", timeout=10).read() == b"ok"
    except OSError:
        return False


def cpu_seconds_deployment(serve_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) so far of a scripts/serve.sh deployment: its app replicas (with their
    training workers), nginx, and serve.sh itself (its supervision and health checks)."""
    procs = _proc_table()
    groups = {"replicas": 0.0, "nginx": 0.0, "serve.sh": 0.0}
    for pid, (_, comm, cpu) in procs.items():
        if pid == serve_pid:
            groups["serve.sh"] += cpu
        elif _under(procs, pid, serve_pid):
            groups["nginx" if comm.startswith("nginx") else "serve.sh" if comm in ("bash", "sleep") else "replicas"] += cpu
    return groups


def _under(procs: dict[int, tuple[int, str, float]], pid: int, root: int) -> bool:
    """Whether `pid` is `root` or one of its descendants in this process table."""
    while pid > 1:
        if pid == root:
            return True
        pid = procs.get(pid, (0, "", 0.0))[0]
    return False


def _proc_table() -> dict[int, tuple[int, str, float]]:
    """{pid: (parent pid, command name, CPU seconds so far)} of every process /proc shows."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1: stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        procs[int(entry.name)] = (int(fields[1]), comm, (int(fields[11]) + int(fields[12])) / tick)
    return procs


def cpu_seconds_split(server_pid: int, client_pid: int | None = None) -> dict[str, float]:
    """CPU seconds (user + system) so far of: the app server, its children, and of the client side only the
    processes under `client_pid` (default: this process): its chromium, Playwright's driver, this process.
    Unlike cpu_seconds_by_group, chromium started by anyone else on the machine (other tests) is not counted."""
    client_pid = client_pid or os.getpid()
    procs = _proc_table()
    groups = {"server": 0.0, "server children": 0.0, "chromium": 0.0, "playwright driver": 0.0, "bench": 0.0}
    for pid, (_, comm, cpu) in procs.items():
        if pid == server_pid:
            groups["server"] += cpu
        elif _under(procs, pid, server_pid):
            groups["server children"] += cpu
        elif pid == client_pid:
            groups["bench"] += cpu
        elif _under(procs, pid, client_pid):
            groups["chromium" if "chrom" in comm.lower() else "playwright driver"] += cpu
    return groups
