"""`minzheng demo` serves the login page while it builds the demo data, with the progress on every page.

A real `minzheng demo` process on a free port in a fresh home (SQLite, tiny scale); runs once, not per database.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sqlite_only, pytest.mark.slow]

BANNER = "演示数据正在后台加载"


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return str(resp.read().decode())
    except OSError:
        return None


def test_login_page_is_served_before_the_demo_data_is_built(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, MINZHENG_HOME=str(tmp_path), MINZHENG_DEMO="1", DATABASE_URL="",
               PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "minzheng", "demo", "--port", str(port), "--scale", "0.005"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/accounts/login/"
    try:
        t0 = time.monotonic()
        first = None
        while time.monotonic() - t0 < 240 and first is None:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            first = _get(url)
            time.sleep(0.5)
        assert first is not None, "the login page never answered"
        served_after = time.monotonic() - t0
        assert "用户名" in first and BANNER in first, first[:500]
        # … and the banner goes once the demo data is there
        page = first
        while BANNER in page and time.monotonic() - t0 < 600:
            time.sleep(2)
            page = _get(url) or page
        assert BANNER not in page and "演示数据加载失败" not in page
        assert time.monotonic() - t0 > served_after  # the data came after the page, not before it
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
