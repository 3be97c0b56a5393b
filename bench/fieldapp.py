"""Benchmark: is the field app light? The app shell and its scripts gzipped (budget 150 KB), and its first load —
empty cache, nothing installed — in Debian's chromium under Chrome DevTools' "Slow 3G" profile (2,000 ms latency,
400 kbit/s each way) emulated through CDP (budget 5 s, until the sign-in form is on screen).

Runs `minzheng init` into a temporary MINZHENG_HOME and `minzheng serve` (waitress + WhiteNoise, as deployed) on a
free port. Last line:

fieldapp: shell_kb_gz=… first_load_3g_s=…
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 400 * 1000 / 8, "uploadThroughput": 400 * 1000 / 8}
SHELL_BUDGET_KB, LOAD_BUDGET_S = 150, 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def shell_urls(base: str) -> list[str]:
    """What the service worker caches: the shell page, the manifest and every script and style it loads."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    django.setup()
    from minzheng.fieldapp import views

    return [base + "/field/", base + "/field/manifest.webmanifest", base + "/field/sw.js",
            *(base + u for u in views.shell_files())]


def shell_size(urls: list[str]) -> tuple[int, int, list[tuple[str, int, int]]]:
    rows = []
    for u in urls:
        body = urllib.request.urlopen(u, timeout=30).read()
        rows.append((u.split("/", 3)[-1], len(body), len(gzip.compress(body, 9))))
    return sum(r[1] for r in rows), sum(r[2] for r in rows), rows


def first_load(base: str, runs: int) -> list[float]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from minzheng.core import browser

    times = []
    for _ in range(runs):
        opts = webdriver.ChromeOptions()
        for flag in browser.CHROMIUM_FLAGS:
            opts.add_argument(flag)
        opts.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='mz-bench-')}")  # empty cache every run
        opts.binary_location = shutil.which("chromium") or ""
        opts.page_load_strategy = "none"
        drv = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
        try:
            drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
            drv.execute_cdp_cmd("Network.enable", {})
            drv.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
            drv.execute_cdp_cmd("Network.emulateNetworkConditions", SLOW_3G)
            t0 = time.perf_counter()
            drv.get(base + "/field/")
            WebDriverWait(drv, 60, poll_frequency=0.05).until(
                lambda d: d.find_elements(By.CSS_SELECTOR, "input[name=username]"))
            times.append(time.perf_counter() - t0)
        finally:
            drv.quit()
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    home = tempfile.mkdtemp(prefix="mz-bench-fieldapp-")
    env = {**os.environ, "MINZHENG_HOME": home, "DATABASE_URL": "", "PYTHONPATH": str(ROOT / "src")}
    py = sys.executable
    subprocess.run([py, "-m", "minzheng", "init"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([py, "-m", "minzheng", "serve", "--no-worker", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        os.environ["MINZHENG_HOME"] = home
        raw, gz, rows = shell_size(shell_urls(base))
        for path, size, zipped in rows:
            print(f"  {path:<40} {size / 1024:7.1f} KB  gzip {zipped / 1024:6.1f} KB")
        print(f"shell: {raw / 1024:.1f} KB, gzip {gz / 1024:.1f} KB (budget {SHELL_BUDGET_KB} KB)")
        times = first_load(base, args.runs)
        print("first load, Slow 3G, empty cache: " + ", ".join(f"{t:.2f} s" for t in times)
              + f" (budget {LOAD_BUDGET_S} s)")
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(home, ignore_errors=True)
    print(f"fieldapp: shell_kb_gz={gz / 1024:.1f} first_load_3g_s={max(times):.2f}")


if __name__ == "__main__":
    main()
