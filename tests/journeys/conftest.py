"""Journeys in a real browser: each test gets `browse(width, height)`; on failure every open page is saved as a PNG
under $MINZHENG_JOURNEY_SHOTS (default var/journey-failures) for whoever reads the CI log."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from minzheng.core import browser

SHOTS = Path(os.environ.get("MINZHENG_JOURNEY_SHOTS", "var/journey-failures"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def browse(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    drivers: list[Any] = []

    def open_browser(width: int = 1366, height: int = 768, *, phone: bool = False) -> Any:
        drv = browser.driver(width, height)
        if phone:  # desktop Chromium will not shrink a window below ~500 px: emulate the phone's viewport
            drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
        drivers.append(drv)
        return drv

    yield open_browser
    failed = request.node.stash.get(_FAILED, False)
    for i, drv in enumerate(drivers):
        try:
            if failed:
                SHOTS.mkdir(parents=True, exist_ok=True)
                path = SHOTS / f"{request.node.name}-{i}.png"
                drv.save_screenshot(str(path))
                print(f"journey failed: screenshot {path} of {drv.current_url}")
        finally:
            drv.quit()
