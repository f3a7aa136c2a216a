"""The nginx configuration of a deployment (scripts/serve.sh): deploy/nginx.conf.template filled in for its replicas."""
from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
COOKIE = "aelab_replica"  # the sticky-session cookie: the name (r1, r2, ...) of the replica a browser is on
UPLOAD_SLACK_MB = 1  # a multipart upload's headers and boundaries on top of the file itself
FAILS = "max_fails=1 fail_timeout=5s"  # passive health: one refused connection takes a replica out for 5 s


def max_upload_mb(config: Path = REPO / ".streamlit" / "config.toml") -> int:
    """The app's upload limit in MB (server.maxUploadSize; Streamlit's default 200 when unset)."""
    with config.open("rb") as f:
        return int(tomllib.load(f).get("server", {}).get("maxUploadSize", 200))


def replica_names(upstreams: list[str]) -> list[str]:
    """The cookie value of each upstream, in order: r1, r2, ..."""
    return [f"r{i + 1}" for i in range(len(upstreams))]


def render(upstreams: list[str], listen: str, run_dir: Path, access_log: str = "off") -> str:
    """The whole nginx.conf for these upstreams (host:port each), listening on `listen` (port or address:port)."""
    if not upstreams:
        raise ValueError("at least one upstream is needed")
    for u in upstreams:
        if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+:\d+", u):
            raise ValueError(f"an upstream is host:port, not {u!r}")
    names = replica_names(upstreams)
    blocks = []
    # One pool per replica, the others its backups: a browser stays on its replica while that one lives.
    for name, addr in zip(names, upstreams):
        backups = "".join(f"        server {other} {FAILS} backup;\n" for other in upstreams if other != addr)
        blocks.append(f"    upstream ae_{name} {{\n        server {addr} {FAILS};\n{backups}    }}")
    every = "".join(f"        server {addr} {FAILS};\n" for addr in upstreams)
    blocks.append(f"    upstream ae_any {{\n{every}    }}")
    values = {
        # Started by root, nginx would run its workers as nobody; the deployment runs as whoever starts it.
        "user": "user root;\n" if os.geteuid() == 0 else "",
        "run_dir": str(run_dir),
        "access_log": "off" if access_log == "off" else f"{access_log} ae_lab",
        "cookie": COOKIE,
        "pool_map": "\n".join(f"        {name} ae_{name};" for name in names),
        "served_map": "\n".join(f'        "~(^|[ ,]){re.escape(addr)}$" {name};' for name, addr in zip(names, upstreams)),
        "upstreams": "\n".join(blocks),
        "listen": listen,
        "max_body": f"{max_upload_mb() + UPLOAD_SLACK_MB}m",
        "static_dir": str((REPO / "static").resolve()),
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    left = re.findall(r"\{\{\w+\}\}", text)
    if left:
        raise ValueError(f"the template has placeholders no one fills: {left}")
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--upstreams", required=True, help="host:port of every replica, comma-separated")
    ap.add_argument("--listen", required=True, help="port (or address:port) nginx listens on")
    ap.add_argument("--run-dir", required=True, type=Path, help="folder for nginx's pid, logs and temp files")
    ap.add_argument("--access-log", default="off", help="access log path, or off")
    args = ap.parse_args()
    try:
        sys.stdout.write(render(args.upstreams.split(","), args.listen, args.run_dir.resolve(), args.access_log))
    except ValueError as e:
        sys.exit(f"nginx_conf: {e}")


if __name__ == "__main__":
    main()
