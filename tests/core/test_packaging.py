"""A wheel built from a clean checkout carries the front-end assets its pages load, or the build refuses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.engine_only]


def _clean_checkout(tmp_path: Path) -> Path:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    dest = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(dest)], check=True)
    assert not (dest / "src/minzheng/static/vendor").exists()  # untracked: a clean clone has no assets
    return dest


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is needed to build the wheel")
def test_wheel_from_a_clean_checkout_ships_echarts(tmp_path: Path) -> None:
    src = _clean_checkout(tmp_path)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path / "out"), str(src)], check=True, capture_output=True)
    wheel = next((tmp_path / "out").glob("minzheng-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "minzheng/static/vendor/echarts/echarts.min.js" in names
    assert "minzheng/static/vendor/echarts/LICENSE" in names


def test_build_without_npm_and_assets_refuses_with_a_message(tmp_path: Path) -> None:
    src = _clean_checkout(tmp_path)
    python_only = tmp_path / "bin"
    python_only.mkdir()
    (python_only / "python3").symlink_to(sys.executable)
    env = {**os.environ, "PATH": str(python_only)}
    done = subprocess.run([sys.executable, "scripts/vendor_assets.py"], cwd=src, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 1
    assert "npm" in done.stderr and "ECharts" in done.stderr
