"""The nginx configuration scripts/serve.sh generates: complete, accepted by nginx, and routing as documented."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deploy.nginx_conf import COOKIE, max_upload_mb, render

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
UPSTREAMS = ["127.0.0.1:8601", "127.0.0.1:8602", "10.0.0.7:8501"]


def test_every_replica_has_its_pool_with_the_others_as_backups(tmp_path):
    conf = render(UPSTREAMS, "8600", tmp_path)
    assert not re.search(r"\{\{\w+\}\}", conf)
    for i, addr in enumerate(UPSTREAMS, start=1):
        block = conf.split(f"upstream ae_r{i} {{")[1].split("}")[0]
        servers = [line.split()[1] for line in block.splitlines() if "server" in line and "backup" not in line]
        backups = [line.split()[1] for line in block.splitlines() if "backup" in line]
        assert servers == [addr] and sorted(backups) == sorted(o for o in UPSTREAMS if o != addr)
        assert f"r{i} ae_r{i};" in conf
    assert f"map $cookie_{COOKIE} $ae_pool" in conf
    assert not re.search(r"^\s*ip_hash", conf, re.M)  # a lecture hall behind one NAT address would land on one replica


def test_upload_limit_follows_the_app(tmp_path):
    assert f"client_max_body_size {max_upload_mb() + 1}m;" in render(UPSTREAMS[:1], "8600", tmp_path)


@pytest.mark.parametrize("bad", ["", "localhost", "host:port", "a b:1"])
def test_a_malformed_upstream_is_refused(tmp_path, bad):
    with pytest.raises(ValueError):
        render([bad] if bad else [], "8600", tmp_path)


def test_nginx_accepts_it(tmp_path):
    if not Path(NGINX).exists():
        pytest.skip("nginx not installed (bash scripts/setup.sh --serve installs it)")
    (tmp_path / "nginx.conf").write_text(render(UPSTREAMS, "127.0.0.1:8600", tmp_path))
    out = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e",
                          str(tmp_path / "error.log")], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
