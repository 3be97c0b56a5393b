"""A 儿童主任 on a phone: logs in, sees their village's children due, records a visit, all within the screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from minzheng.accounts.roles import Role
from minzheng.care.models import Group, Visit
from minzheng.care.services import files
from minzheng.core import browser
from minzheng.registry import idnumber
from minzheng.registry import services as registry
from minzheng.registry.models import HukouType, Relation
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.skipif(not browser.available(), reason="chromium/chromedriver not installed"),
    pytest.mark.django_db(transaction=True),
]


def _family(officer: Any, village: Any, born: dt.date, seq: int) -> Any:
    hh = registry.create_household(actor=officer, division=village, hukou_type=HukouType.RURAL, address="关爱路",
                                   head={"name": "祖母" + "甲乙丙丁戊己庚辛壬癸"[seq % 10], "id_number": idnumber.make("350702", dt.date(1950, 1, 1), seq)})
    registry.add_person(actor=officer, household=hh, name="童童" + "甲乙丙丁戊己庚辛壬癸"[seq // 10 % 10], id_number=idnumber.make("350702", born, seq + 2),
                        relation=Relation.GRANDCHILD)
    return hh


def test_the_child_director_records_a_visit_on_a_phone(live_server: Any, browse: Callable[..., Any],
                                                       make_user: Callable[..., Any],
                                                       meishan: Any, zhongshan: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait


    director = make_user(Role.CHILD_DIRECTOR, zhongshan, username="j_ertong")
    officer = make_user(Role.TOWNSHIP_OFFICER, meishan, username="j_meishan")
    hh = _family(officer, zhongshan, dt.date(2015, 6, 1), 811)
    f = files.open_file(actor=officer, person=hh.members.order_by("-birth_date").first(), group=Group.CHILD)
    other = _family(officer, meishan.children.exclude(pk=zhongshan.pk).order_by("code").first(),
                    dt.date(2014, 6, 1), 821)
    hidden = files.open_file(actor=officer, person=other.members.order_by("-birth_date").first(), group=Group.CHILD)

    drv = browse(390, 844, phone=True)
    browser.login(drv, live_server.url, director.username, TEST_PASSWORD)
    drv.get(live_server.url + "/care/mine/")
    body = drv.find_element(By.TAG_NAME, "body").text
    assert f.person.name in body and hidden.person.name not in body
    assert drv.execute_script("return document.documentElement.scrollWidth") <= 392
    drv.find_element(By.LINK_TEXT, "记录走访").click()
    for code in ("seen_child", "guardian_present"):
        drv.find_element(By.CSS_SELECTOR, f"input[name=a_{code}][value='1']").click()
    drv.find_element(By.CSS_SELECTOR, "input[name=a_safety_risk][value='0']").click()
    Select(drv.find_element(By.NAME, "a_schooling")).select_by_visible_text("正常就学")
    Select(drv.find_element(By.NAME, "a_living")).select_by_visible_text("良好")
    assert drv.execute_script("return document.documentElement.scrollWidth") <= 392
    drv.find_element(By.CSS_SELECTOR, "#visit-form button").click()
    WebDriverWait(drv, 15).until(lambda d: "已记录对" in d.page_source)
    assert Visit.objects.get(file=f).visitor_id == director.pk
