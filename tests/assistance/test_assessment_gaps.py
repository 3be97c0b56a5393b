"""The assessment gaps of issue 14: 特困 legal supporters, 孤儿 first, 支出型临时救助, coded income items, the
低保边缘 register, parameter bounds and the holiday-data warning on a case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from minzheng.assistance import rules, services
from minzheng.assistance.models import EdgeRecord, LegalSupporter
from minzheng.assistance.services.supporters import record_supporters
from minzheng.assistance.workflow import WorkflowError
from minzheng.audit.models import AuditEntry
from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.registry import services as registry
from minzheng.registry.models import Income

from .wf_fixtures import dibao_family, household, income, person, tekun_elder

pytestmark = pytest.mark.django_db
DAY = dt.date(2024, 5, 6)


def tekun_case(village: Any, officer: Any) -> Any:
    hh, elder = tekun_elder(village)
    return services.create_application(actor=officer, programme_code="tekun_dispersed", household=hh,
                                       applicant=elder, received_on=DAY, selfcare_failed=["bathe"])


def test_tekun_needs_the_supporters_investigated(xiadao_village: Any, xiadao_officer: Any) -> None:
    app = tekun_case(xiadao_village, xiadao_officer)
    d = services.assess(app, on=DAY)
    assert not d["eligible"] and "尚未登记法定赡养、抚养、扶养义务人情况" in d["explanation"]
    app = record_supporters(app, actor=xiadao_officer, supporters=[], none=True)
    d = services.assess(app, on=DAY)
    assert d["eligible"] and "经调查无法定赡养、抚养、扶养义务人" in d["explanation"]


def test_a_capable_supporter_refuses_and_an_unable_one_does_not(xiadao_village: Any, xiadao_officer: Any) -> None:
    app = tekun_case(xiadao_village, xiadao_officer)
    record_supporters(app, actor=xiadao_officer, supporters=[{"name": "黄大儿", "relation": "child", "age": 45}])
    d = services.assess(app, on=DAY)
    assert not d["eligible"] and "有具备履行义务能力的义务人：黄大儿" in d["explanation"]
    record_supporters(app, actor=xiadao_officer,
                      supporters=[{"name": "黄大儿", "relation": "child", "age": 45, "imprisoned": "1"}])
    d = services.assess(app, on=DAY)
    assert d["eligible"] and "黄大儿：在监狱服刑" in d["explanation"]


def test_bad_supporter_rows_write_nothing(xiadao_village: Any, xiadao_officer: Any) -> None:
    app = tekun_case(xiadao_village, xiadao_officer)
    rows = [{"name": "甲", "relation": "child", "age": 40}, {"name": "乙", "relation": "邻居", "age": 40}]
    with pytest.raises(ValidationError, match="第 2 位义务人（乙）：与申请人关系应为"):
        record_supporters(app, actor=xiadao_officer, supporters=rows)
    with pytest.raises(ValidationError, match="年龄应为整数"):
        record_supporters(app, actor=xiadao_officer, supporters=[{"name": "甲", "relation": "child", "age": "四十"}])
    app.refresh_from_db()
    assert not LegalSupporter.objects.exists() and app.supporters_status == ""


def test_orphan_goes_to_orphan_support_first(xiadao_village: Any, xiadao_officer: Any) -> None:
    hh, _ = tekun_elder(xiadao_village)
    child = person(hh, "黄小宝", dt.date(2015, 1, 1), "20")
    app = services.create_application(actor=xiadao_officer, programme_code="tekun_dispersed", household=hh,
                                      applicant=child, person=child, received_on=DAY)
    app = record_supporters(app, actor=xiadao_officer, supporters=[], none=True, orphan_criteria=True)
    d = services.assess(app, on=DAY)
    assert not d["eligible"] and "同时符合孤儿条件，应纳入孤儿基本生活保障" in d["explanation"]


def linshi_case(village: Any, officer: Any, expense: str | None) -> Any:
    hh, head, _ = dibao_family(village)
    return services.create_application(actor=officer, programme_code="linshi", household=hh, applicant=head,
                                       received_on=DAY, linshi_type="expense", months=6,
                                       expense_amount=Decimal(expense) if expense else None, reason="住院")


def test_expenditure_linshi_uses_bands_cap_and_income_limit(zhongshan: Any, meishan_officer: Any) -> None:
    params = rules.Params(DAY, zhongshan)
    # 3,000 元 self-paid: the lowest band (1 month), and the amount is capped at the expense
    app = linshi_case(zhongshan, meishan_officer, "3000")
    d = services.assess(app, on=DAY)
    full = rules.linshi_amount("expenditure", persons=3, months=1, params=params).amount
    assert d["eligible"] and Decimal(d["amount"]) == min(full, Decimal("3000.00"))
    assert "自付支出 3000.00 元，属于 0.00 元以上档，救助 1 个月" in d["explanation"]
    # 25,000 元: the 20,000 band, 4 months, not the 6 asked
    app.expense_amount = Decimal("25000")
    app.save()
    d = services.assess(app, on=DAY)
    assert Decimal(d["amount"]) == rules.linshi_amount("expenditure", persons=3, months=4, params=params).amount
    # a family above the income limit is refused
    income(app.household, app.applicant, "20000")
    d = services.assess(app, on=DAY)
    assert not d["eligible"] and "不低于上年人均可支配收入月均" in d["explanation"]


def test_expenditure_linshi_without_the_expense_is_refused_clearly(zhongshan: Any, meishan_officer: Any) -> None:
    app = linshi_case(zhongshan, meishan_officer, None)
    with pytest.raises(WorkflowError, match="支出型临时救助须填写家庭自付支出金额"):
        services.assess(app, on=DAY)


def test_income_items_are_coded_and_exclusion_comes_from_the_parameter(zhongshan: Any, meishan_officer: Any) -> None:
    hh = household(zhongshan)
    head = person(hh, "陈一", dt.date(1970, 1, 1))
    with pytest.raises(ValidationError, match="收入项目代码“bonus”不在收入项目代码表中"):
        registry.add_income(actor=meishan_officer, household=hh, category="", code="bonus", monthly_amount="100",
                            period_start=DAY, person=head)
    assert not Income.objects.exists()
    registry.add_income(actor=meishan_officer, household=hh, category="", code="youdai", monthly_amount="300",
                        period_start=dt.date(2024, 1, 1), person=head)
    registry.add_income(actor=meishan_officer, household=hh, category="", code="wage", monthly_amount="500",
                        period_start=dt.date(2024, 1, 1), person=head)
    income(hh, head, "50", "transfer", "村里过节慰问")      # a legacy free-text item nobody coded
    got = Income.objects.get(code="youdai")
    assert got.category == "transfer" and got.item == "优待抚恤金"
    from minzheng.assistance import facts

    found = facts.household_facts(hh, on=DAY)
    d = rules.per_capita_income(found.incomes, member_keys=[str(head.pk)], params=rules.Params(DAY, zhongshan))
    assert d.amount == Decimal("550.00")
    assert "优待抚恤金不计入家庭收入" in d.explanation and "未编码的收入项目（已计入" in d.explanation
    # the district makes 优待抚恤金 count: a parameter version, not a text match
    policy.add_version(key="income.excluded_codes.dibao", value=["scholarship"], effective_from=dt.date(2024, 5, 1),
                       source_document="测试")
    d = rules.per_capita_income(found.incomes, member_keys=[str(head.pk)], params=rules.Params(DAY, zhongshan))
    assert d.amount == Decimal("850.00")


def test_edge_result_is_recorded_on_case_and_household_register(zhongshan: Any, meishan_officer: Any, approver: Any,
                                                                login: Any) -> None:
    std = rules.Params(DAY, zhongshan).get("dibao.standard.urban").decimal
    hh = household(zhongshan)
    head = person(hh, "边一", dt.date(1970, 1, 1))
    income(hh, head, str(std + 100))    # above the standard, below 1.5 × the standard
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY)
    services.township_refuse(app, actor=meishan_officer, reasons="收入超过低保标准", today=DAY)
    app.refresh_from_db()
    assert app.decision["edge"]["band"] == "edge"
    rec = EdgeRecord.objects.get(household=hh)
    assert rec.active and rec.per_capita_income == std + 100 and rec.application == app
    county = login(approver)
    page = county.get("/assistance/edge/").content.decode()
    assert "边一户" in page
    resp = county.get("/assistance/edge/export/")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action="export.低保边缘家庭名册").exists()


def test_parameter_bounds_refuse_a_version(db: None) -> None:
    with pytest.raises(ValidationError, match=r"不得低于低保标准的 1\.3 倍"):
        policy.add_version(key="tekun.basic_ratio", value="1.2", effective_from=dt.date(2024, 1, 1),
                           source_document="测试")
    policy.add_version(key="tekun.basic_ratio", value="1.4", effective_from=dt.date(2024, 1, 1),
                       source_document="测试")
    with pytest.raises(ValidationError, match="超出省定范围"):
        policy.add_version(key="linshi.standard_ratio", value="1.5", effective_from=dt.date(2024, 1, 1),
                           source_document="测试")


def test_case_page_warns_when_the_year_has_no_holiday_data(zhongshan: Any, meishan_officer: Any,
                                                           login: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    far = dt.date(2039, 3, 1)
    assert not dates.has_holiday_data(2039)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=far)
    page = login(meishan_officer).get(f"/assistance/cases/{app.pk}/").content.decode()
    assert "2039 年的法定节假日安排尚未录入" in page
    near = services.create_application(actor=meishan_officer, programme_code="linshi", household=hh,
                                       applicant=head, received_on=DAY, linshi_type="urgent", months=1)
    assert "法定节假日安排尚未录入" not in login(meishan_officer).get(f"/assistance/cases/{near.pk}/").content.decode()
