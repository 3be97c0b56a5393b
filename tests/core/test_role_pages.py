"""Pages shaped by role: each role's menu holds what that role does, and its home starts with its own work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from minzheng.accounts.roles import Role
from minzheng.core import nav
from minzheng.registry.idnumber import make

pytestmark = pytest.mark.django_db

OFFICE_ONLY = {"政策参数", "节假日", "行政区划", "灾情校验规则", "资金台账", "资金发放", "津贴补贴", "救灾物资",
               "公示管理", "身份证号校验"}


def labels(user: Any) -> list[str]:
    return [i["label"] for i in nav.for_user(user)]


def test_coordinator_menu_is_the_field_work(make_user: Callable[..., Any], zhongshan: Any) -> None:
    menu = labels(make_user(Role.VILLAGE_COORDINATOR, zhongshan))
    assert not OFFICE_ONLY & set(menu), OFFICE_ONLY & set(menu)
    assert "新建家庭" not in menu
    assert "受理申请" in menu  # 主动发现: a coordinator files an application for a family they found
    # the main action leads the menu, right after the to-do list
    assert menu[:2] == ["我的待办", "上报民情"]
    assert {"家庭档案", "人员查询", "民情直通车"} <= set(menu)


def test_township_officer_keeps_the_desk_work(make_user: Callable[..., Any], meishan: Any) -> None:
    menu = set(labels(make_user(Role.TOWNSHIP_OFFICER, meishan)))
    assert {"受理申请", "新建家庭", "导入台账", "资金台账", "公示管理", "政策参数"} <= menu
    assert "上报民情" not in menu and "花名册审批" not in menu


def test_social_organisation_sees_no_records_of_households(make_user: Callable[..., Any], county: Any) -> None:
    menu = set(labels(make_user(Role.SOCIAL_ORG, county)))
    assert not {"家庭档案", "人员查询", "救助案件", "核对疑点"} & menu
    assert not OFFICE_ONLY & menu


@pytest.mark.parametrize("role,text", [
    (Role.SYS_ADMIN, "角色待安全管理员确认"),
    (Role.SEC_ADMIN, "待确认角色"),
    (Role.AUDIT_ADMIN, "今日登录失败"),
])
def test_admin_homes_show_their_work_and_no_division_placeholder(
        make_user: Callable[..., Any], login: Callable[[Any], Any], role: str, text: str) -> None:
    page = login(make_user(role)).get("/").content.decode()
    assert text in page
    assert "未绑定区划" not in page


def test_coordinator_phone_home_puts_reporting_first(make_user: Callable[..., Any], login: Callable[[Any], Any],
                                                     zhongshan: Any) -> None:
    page = login(make_user(Role.VILLAGE_COORDINATOR, zhongshan)).get("/").content.decode()
    report = page.index("上报民情</a>", page.index("<main"))
    # nothing but the heading comes before the main action
    assert "今日工作" in page and report < page.index("今日工作")
    assert "辖区档案" not in page  # statistics are the office's, not the coordinator's


def test_township_home_starts_with_todays_work(make_user: Callable[..., Any], login: Callable[[Any], Any],
                                               meishan: Any) -> None:
    page = login(make_user(Role.TOWNSHIP_OFFICER, meishan)).get("/").content.decode()
    main = page[page.index("<main"):]
    assert main.index("今日工作") < main.index("辖区档案")


def test_household_page_shows_its_cases_and_offers_intake(make_user: Callable[..., Any], login: Callable[[Any], Any],
                                                          meishan: Any, zhongshan: Any) -> None:
    from minzheng.assistance import services as assistance
    from minzheng.registry import services as registry

    officer = make_user(Role.TOWNSHIP_OFFICER, meishan)
    hh = registry.create_household(actor=officer, division=zhongshan, hukou_type="urban", address="中山路1号",
                                   head={"name": "林大山", "id_number": make("350702", dt.date(1980, 1, 1), 11)})
    app = assistance.create_application(actor=officer, programme_code="dibao_urban", household=hh,
                                        applicant=hh.head)
    page = login(officer).get(f"/registry/households/{hh.pk}/").content.decode()
    assert app.number in page and "救助申请" in page
    assert f"/assistance/new/?household={hh.pk}" in page


def test_intake_search_accepts_pinyin_initials(make_user: Callable[..., Any], login: Callable[[Any], Any],
                                              meishan: Any, zhongshan: Any) -> None:
    from minzheng.registry import services as registry

    officer = make_user(Role.TOWNSHIP_OFFICER, meishan)
    hh = registry.create_household(actor=officer, division=zhongshan, hukou_type="urban", address="中山路2号",
                                   head={"name": "林小溪", "id_number": make("350702", dt.date(1980, 1, 2), 12)})
    page = login(officer).get("/assistance/new/?q=lxx").content.decode()
    assert f"household={hh.pk}" in page or f'value="{hh.pk}"' in page
