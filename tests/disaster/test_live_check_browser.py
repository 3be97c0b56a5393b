"""The 初报 form checks figures while they are typed: 校验通过 never stands beside an invalid figure.
Real headless Chromium; skipped where Debian's chromium and chromium-driver are not installed."""

from __future__ import annotations

import time
from typing import Any

import pytest

from minzheng.core import browser
from minzheng.disaster import services
from minzheng.disaster.models import RoundKind
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.skipif(not browser.available(), reason="chromium/chromedriver not installed"),
    pytest.mark.django_db(transaction=True),
]


def _summary(drv: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(drv.find_element(By.ID, "findings-summary").text)


def test_invalid_figure_is_flagged_before_leaving_the_field(live_server: Any, flood: Any, meishan: Any,
                                                             meishan_officer: Any) -> None:
    from selenium.webdriver.common.by import By

    rep = services.open_report(actor=meishan_officer, round=flood.rounds.get(kind=RoundKind.INITIAL),
                               division=meishan)
    drv = browser.driver(390, 844)
    try:
        browser.login(drv, live_server.url, meishan_officer.username, TEST_PASSWORD)
        drv.get(f"{live_server.url}/disaster/reports/{rep.pk}/")
        field = drv.find_element(By.ID, "f-pop_affected")
        field.clear()
        field.send_keys("abc")  # still in the field: no change event yet
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and "校验通过" in _summary(drv):
            time.sleep(0.2)
        text = _summary(drv)
        assert "校验通过" not in text and text.strip(), text
    finally:
        drv.quit()
