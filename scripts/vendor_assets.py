"""Copy the front-end libraries from npm (package.json + package-lock.json) into the package's static files.

One definition used by `./dev.sh setup` and by the wheel/sdist build (setup.py), so an install from a clean
checkout always ships ECharts — or the build stops with a message saying what is missing. Nothing is fetched at
run time: the copied files are served by WhiteNoise from inside the package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "src" / "minzheng" / "static" / "vendor"
# package in node_modules → files shipped (relative to the package folder) → folder under static/vendor/
ASSETS = {
    "echarts": (["dist/echarts.min.js", "LICENSE", "NOTICE"], "echarts"),
    # IndexedDB made usable, for the offline field app (fieldapp/static/fieldapp/store.js).
    "idb": (["build/umd.js", "LICENSE"], "idb"),
}


class AssetsMissing(RuntimeError):
    pass


def missing() -> list[Path]:
    return [DEST / folder / Path(f).name for files, folder in ASSETS.values() for f in files
            if not (DEST / folder / Path(f).name).is_file()]


def ensure() -> None:
    """Make sure every shipped asset is present, running `npm ci` once when one is not."""
    if not missing():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsMissing("缺少前端资源（ECharts、idb）且找不到 npm：请先安装 npm（仅构建时需要一次），"
                            "或运行 ./dev.sh setup / front-end assets are missing and npm is not installed")
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT,
                   check=True)
    for package, (files, folder) in ASSETS.items():
        (DEST / folder).mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copy2(ROOT / "node_modules" / package / f, DEST / folder / Path(f).name)
    if still := missing():
        raise AssetsMissing(f"前端资源复制后仍缺少 / still missing: {', '.join(map(str, still))}")


if __name__ == "__main__":
    try:
        ensure()
    except (AssetsMissing, subprocess.CalledProcessError) as exc:
        print(exc, file=sys.stderr)
        sys.exit(1)
