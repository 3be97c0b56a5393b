"""Build hook: the wheel must carry the front-end assets (ECharts) that pages load; see scripts/vendor_assets.py.

All metadata lives in pyproject.toml; this file only runs the asset step before the package files are collected.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist


def _ensure_assets() -> None:
    path = Path(__file__).resolve().parent / "scripts" / "vendor_assets.py"
    spec = importlib.util.spec_from_file_location("vendor_assets", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ensure()


class BuildPyWithAssets(build_py):
    def run(self) -> None:
        _ensure_assets()
        super().run()


class SdistWithAssets(sdist):
    def run(self) -> None:
        _ensure_assets()
        super().run()


setup(cmdclass={"build_py": BuildPyWithAssets, "sdist": SdistWithAssets})
