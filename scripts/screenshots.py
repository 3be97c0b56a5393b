"""Screenshots of the login page and every role's home page, at 1366×768 and at phone width, from a real
headless Chromium against a running minzheng (default http://127.0.0.1:8000 started by `./dev.sh demo`).

    .venv/bin/python scripts/screenshots.py [--url URL] [--out DIR] [--pages /extra/path ...]
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
django.setup()

from selenium.webdriver.common.by import By  # noqa: E402

from minzheng.core import browser  # noqa: E402
from minzheng.core.demo_accounts import ACCOUNTS, DEMO_PASSWORD  # noqa: E402

# Each role's daily pages, beyond its home (the review set of issue 17).
ROLE_PAGES = {
    "meishan": ["/registry/", "/assistance/", "/assistance/new/", "/payments/", "/workforce/needs/", "/disaster/",
                "/registry/import/", "/assistance/ledger-checks/", "/stats/dibao/", "/care/files/",
                "/care/overview/", "/field/devices/"],
    "zhongshan": ["/field/", "/workforce/needs/new/", "/registry/"],
    "ertong": ["/care/mine/"],
    "qu_shenpi": ["/assistance/queue/", "/payments/approvals/", "/policy/", "/policy/raises/"],
    "juzhang": ["/workforce/report/", "/crosscheck/summary/", "/stats/", "/stats/trends/", "/stats/flags/"],
    "shenji": ["/payments/funds/report/"],
    "auditadmin": ["/audit/"],
    "qu_admin": ["/policy/", "/crosscheck/datasets/", "/purchased/", "/stats/indicators/"],
    "pinggu": ["/purchased/evaluations/"],
    "shehui": ["/purchased/"],
}
# Python values or codes where words belong: reported, so a reviewer sees them without reading every PNG.
RAW = re.compile(r"\bTrue\b|\bFalse\b|\bNone\b|\[\s*'|\bdibao\.\w|auth\.\w+ accounts\.user")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--out", default="var/screenshots")
    ap.add_argument("--pages", nargs="*", default=[], help="extra paths to capture for each account")
    ap.add_argument("--accounts", nargs="*", default=[a.username for a in ACCOUNTS])
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    raw_hits: list[str] = []
    for width, height, tag in [(1366, 768, "desktop"), (390, 844, "phone")]:
        drv = browser.driver(width, height)
        try:
            drv.get(args.url.rstrip("/") + "/accounts/login/")
            drv.save_screenshot(str(out / f"login-{tag}.png"))
            for username in args.accounts:
                drv.delete_all_cookies()
                browser.login(drv, args.url, username, DEMO_PASSWORD)
                drv.save_screenshot(str(out / f"home-{username}-{tag}.png"))
                for page in [*args.pages, *ROLE_PAGES.get(username, [])]:
                    drv.get(args.url.rstrip("/") + page)
                    name = page.strip("/").replace("/", "_") or "root"
                    shot = out / f"{name}-{username}-{tag}.png"
                    drv.save_screenshot(str(shot))
                    text = drv.find_element(By.TAG_NAME, "body").text
                    if hit := RAW.search(text):
                        raw_hits.append(f"{shot.name}: {hit.group(0)!r}")
        finally:
            drv.quit()
    print(f"screenshots in {out}")
    print("raw codes on pages: " + ("none" if not raw_hits else "\n  " + "\n  ".join(raw_hits)))


if __name__ == "__main__":
    main()
