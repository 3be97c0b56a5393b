"""树形选择: villages grouped under their township, searchable by name and pinyin, in forms and list filters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from minzheng.accounts.roles import Role
from minzheng.core import browser
from minzheng.regions.picker import search_keys
from tests.conftest import TEST_PASSWORD


def test_search_keys_hold_initials_and_full_pinyin() -> None:
    assert search_keys("夏道镇") == "xdz xiadaozhen"


@pytest.mark.django_db
def test_new_household_form_offers_villages_as_a_tree(make_user: Callable[..., Any], login: Callable[[Any], Any],
                                                       county: Any) -> None:
    page = login(make_user(Role.DISTRICT_ADMIN, county)).get("/registry/households/new/").content.decode()
    assert 'class="division-picker"' in page
    assert '<optgroup label="夏道镇">' in page and '<optgroup label="梅山街道">' in page
    assert "zssqjwh" in page  # 中山社区居委会 by its initials


@pytest.mark.django_db
def test_household_list_filter_is_a_tree_too(make_user: Callable[..., Any], login: Callable[[Any], Any],
                                             meishan: Any) -> None:
    page = login(make_user(Role.TOWNSHIP_OFFICER, meishan)).get("/registry/").content.decode()
    assert '<optgroup label="梅山街道">' in page and '<optgroup label="夏道镇">' not in page  # jurisdiction


@pytest.mark.skipif(not browser.available(), reason="chromium/chromedriver not installed")
@pytest.mark.django_db(transaction=True)
def test_typing_pinyin_initials_narrows_the_choice(live_server: Any, make_user: Callable[..., Any],
                                                   county: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    user = make_user(Role.DISTRICT_ADMIN, county, username="picker_admin")
    drv = browser.driver(1366, 800)
    try:
        browser.login(drv, live_server.url, user.username, TEST_PASSWORD)
        drv.get(live_server.url + "/registry/households/new/")
        box = drv.find_element(By.CSS_SELECTOR, "input.division-search")
        box.send_keys("zssqjwh")
        select = drv.find_element(By.CSS_SELECTOR, "select.division-picker")
        visible = [o.text.strip() for o in select.find_elements(By.TAG_NAME, "option")
                   if o.get_attribute("value") and not o.get_property("hidden")]
        assert visible and all("中山社区" in t for t in visible), visible
        assert "中山社区" in Select(select).first_selected_option.text
    finally:
        drv.quit()
