"""A real headless browser logs in through the form and sees the bureau, the user's division and the role's home.
Skipped where Debian's chromium and chromium-driver are not installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minzheng.accounts.roles import Role
from minzheng.core import browser
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.skipif(not browser.available(), reason="chromium/chromedriver not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def _argon_off(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_login_and_home_pages_in_a_real_browser(live_server: Any, make_user: Any, meishan: Any, county: Any,
                                                tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    users = [make_user(Role.TOWNSHIP_OFFICER, meishan, username="b_meishan"),
             make_user(Role.DISTRICT_APPROVER, county, username="b_qu"),
             make_user(Role.AUDIT_ADMIN, None, username="b_audit")]
    for width in (1366, 390):
        drv = browser.driver(width, 800)
        try:
            drv.get(live_server.url + "/accounts/login/")
            assert "登录" in drv.title
            drv.save_screenshot(str(tmp_path / f"login-{width}.png"))
            for u in users:
                drv.delete_all_cookies()
                browser.login(drv, live_server.url, u.username, TEST_PASSWORD)
                body = drv.find_element(By.TAG_NAME, "body").text
                assert "南平市延平区民政局" in body
                assert u.role_label in body
                if u.division:
                    assert u.division.name in body
                shot = tmp_path / f"home-{u.username}-{width}.png"
                drv.save_screenshot(str(shot))
                assert shot.stat().st_size > 5000
                # no script errors under the strict CSP
                logs = [e for e in drv.get_log("browser") if e["level"] == "SEVERE"]
                assert not [e for e in logs if "Content Security Policy" in e["message"]], logs
        finally:
            drv.quit()
