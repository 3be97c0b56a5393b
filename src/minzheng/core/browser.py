"""Headless Chromium (Selenium + the system chromedriver) for screenshots of what a person sees.

Used by `scripts/screenshots.py` and the browser test. Nothing is downloaded: Debian's chromium and
chromium-driver must be installed (`apt-get install chromium chromium-driver`).
"""

from __future__ import annotations

import shutil
import tempfile
from typing import Any

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--lang=zh-CN",
]


def available() -> bool:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return bool(shutil.which("chromedriver") and (shutil.which("chromium") or shutil.which("chromium-browser")))


def driver(width: int = 1366, height: int = 768) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--window-size={width},{height}")
    opts.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='mz-chrome-')}")
    opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)


def login(drv: Any, base_url: str, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    drv.get(base_url.rstrip("/") + "/accounts/login/")
    drv.find_element(By.NAME, "username").send_keys(username)
    drv.find_element(By.NAME, "password").send_keys(password)
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(drv, 15).until(lambda d: "/accounts/login/" not in d.current_url or d.find_elements(
        By.CSS_SELECTOR, ".errorlist"))
