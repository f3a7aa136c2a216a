"""One training at a time across the machine: an exclusive flock that the worker holds for its whole life.

The manager takes the lock first (so a second start is refused at once) and hands the very same open file to
the child (`pass_fds`), then closes its copy: no window in which another start could slip in, and the kernel
drops the lock when the worker exits, however it exits (SIGKILL included).
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ae_core.paths import user_data_dir

def lock_path() -> Path:
    """The lock file every training holds."""
    return user_data_dir() / "training.lock"

def try_lock(path: Path | None = None) -> int | None:
    """Open and exclusively flock `path` without waiting; the fd if we got it, else None."""
    path = path or lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def lock_is_free(path: Path | None = None) -> bool:
    """Whether no process holds the training lock right now (briefly takes and drops it)."""
    fd = try_lock(path)
    if fd is None:
        return False
    os.close(fd)
    return True


def pid_alive(pid: int, job_id: str | None = None) -> bool:
    """Whether `pid` is a live (non-zombie) process, and, where /proc tells, the worker of `job_id`."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path(f"/proc/{pid}")
    try:
        stat = (proc / "stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return False
        if job_id:
            return job_id in (proc / "cmdline").read_bytes().decode("utf-8", "replace")
    except (OSError, IndexError):
        pass
    return True
