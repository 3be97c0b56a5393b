"""A village coordinator on a phone (390 px wide) reports a need in a real browser: big category buttons, no
sideways scrolling, and the report reaches the township. Skipped where chromium/chromedriver are not installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minzheng.core import browser
from minzheng.workforce.models import NeedReport
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.skipif(not browser.available(), reason="chromium/chromedriver not installed"),
    pytest.mark.django_db(transaction=True),
]


def test_coordinator_reports_from_a_phone(live_server: Any, coordinator: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    drv = browser.driver(390, 844)
    # Desktop Chromium will not shrink a window below ~500 px: emulate the phone's viewport instead.
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        browser.login(drv, live_server.url, coordinator.username, TEST_PASSWORD)
        drv.get(live_server.url + "/workforce/needs/new/")
        # no sideways scrolling at phone width, and the category buttons are big enough to tap
        assert drv.execute_script("return window.innerWidth") == 390
        assert drv.execute_script("return document.documentElement.scrollWidth") <= 390
        tile = drv.find_element(By.CSS_SELECTOR, "label[for=id_category_0]")
        assert tile.size["height"] >= 40 and tile.size["width"] >= 140
        tile.click()
        drv.find_element(By.NAME, "description").send_keys("中山社区有一户老人独居，生活困难")
        drv.save_screenshot(str(tmp_path / "need-new-390.png"))
        drv.find_element(By.CSS_SELECTOR, "#need-form button").click()
        WebDriverWait(drv, 15).until(lambda d: "/workforce/needs/new/" not in d.current_url)
        assert "发现困难家庭" in drv.find_element(By.TAG_NAME, "body").text
        logs = [e for e in drv.get_log("browser") if e["level"] == "SEVERE" and "Content Security" in e["message"]]
        assert not logs
    finally:
        drv.quit()
    r = NeedReport.objects.get()
    assert r.category == "hardship" and r.reported_by_id == coordinator.pk and r.source == "coordinator"
