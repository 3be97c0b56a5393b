"""`minzheng init` then `minzheng serve`: a real WSGI server (waitress) answering pages and static files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine_only


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str, client: str) -> int:
    req = urllib.request.Request(url, headers={"X-Forwarded-For": client})
    try:
        return urllib.request.urlopen(req, timeout=5).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_init_then_serve_on_a_fresh_home(tmp_path: Path) -> None:
    env = {**os.environ, "MINZHENG_HOME": str(tmp_path), "DATABASE_URL": ""}
    env.pop("MINZHENG_DEMO", None)
    cli = [sys.executable, "-m", "minzheng"]
    init = subprocess.run([*cli, "init", "--no-input"], env=env, capture_output=True, text=True, timeout=600)
    assert init.returncode == 0, init.stderr
    assert "延平" in init.stdout or "行政区划" in init.stdout
    assert (tmp_path / "minzheng.sqlite3").exists()
    again = subprocess.run([*cli, "init", "--no-input"], env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "跳过" in again.stdout

    assert (tmp_path / "audit_key").stat().st_mode & 0o777 == 0o600
    port = _free_port()
    env["MINZHENG_PUBLIC_RATE"] = "2/60"
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--trusted-proxy", "127.0.0.1",
                               "--processes", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        # the task worker runs beside the server, as its child process (long jobs never run in the web process)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        assert any(b"worker" in Path(f"/proc/{c}/cmdline").read_bytes() for c in children)
        # one web process per core (here 2), all answering on the one port the parent bound
        web = [c for c in children if b"--child-fd" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert len(web) == 2
        login = urllib.request.urlopen(base + "/accounts/login/", timeout=5)
        assert login.status == 200 and "登录" in login.read().decode()
        assert login.headers["Server"] == "minzheng"  # waitress, not Django's runserver
        css = urllib.request.urlopen(base + "/static/minzheng/app.css", timeout=5)
        assert css.status == 200 and b"--red" in css.read()
        htmx = urllib.request.urlopen(base + "/static/django_htmx/htmx-2.min.js", timeout=5)
        assert htmx.status == 200
        # behind a proxy the public pages are limited per client, not per proxy — and not per process: the
        # processes share the counters
        assert [_status(base + "/public/assistance/", "10.0.0.5") for _ in range(3)] == [200, 200, 429]
        assert _status(base + "/public/assistance/", "10.0.0.6") == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    # and stops with it
    assert not any(Path(f"/proc/{c}").exists() for c in children)
    # the audit chain the server and init wrote is intact
    verify = subprocess.run([*cli, "audit", "verify"], env=env, capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stderr
