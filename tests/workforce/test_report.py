"""The bureau report reproduces the 2018 report's own tables from the demo data."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest

from minzheng.core import dates
from minzheng.payments.models import WORK_FUNDS, FundEntry
from minzheng.payments.selectors import work_funds_by_township
from minzheng.workforce import demo
from minzheng.workforce.models import NeedReport, StaffMember


def cell(html: str, label: str) -> int:
    m = re.search(rf'data-cell="{re.escape(label)}">(\d+)<', html)
    assert m, f"no cell {label}"
    return int(m.group(1))


@pytest.mark.django_db
def test_bureau_report_reproduces_the_report_tables(login: Any, district_admin: Any) -> None:
    # given: the demo generator at a small scale
    demo.load(io.StringIO(), scale=0.01)
    # when: the bureau opens the report
    resp = login(district_admin).get("/workforce/report/")
    html = resp.content.decode()
    # then: 21 office heads — 大专以上 8, 中专 8, 初中 5; 50+ 8, 40–50 9, under 40 4
    assert resp.status_code == 200
    assert (cell(html, "大专以上"), cell(html, "中专(高中)"), cell(html, "初中")) == (8, 8, 5)
    assert (cell(html, "50岁及以上"), cell(html, "40至50岁"), cell(html, "40岁以下")) == (8, 9, 4)
    # and the first 助老协理员 cohort (2015): 70% gone within three years
    assert re.search(r'data-cohort="助老协理员-2015">70\.0%<', html)


@pytest.mark.django_db
def test_report_api_and_idempotent_demo(login: Any, district_admin: Any) -> None:
    demo.load(io.StringIO(), scale=0.01)
    before = (StaffMember.objects.count(), NeedReport.objects.count())
    demo.load(io.StringIO(), scale=0.01)
    assert (StaffMember.objects.count(), NeedReport.objects.count()) == before
    data = login(district_admin).get("/api/workforce/report").json()
    assert data["heads"] == 21
    assert data["heads_by_education"] == {"大专以上": 8, "中专(高中)": 8, "初中": 5}
    assert data["heads_by_age"] == {"50岁及以上": 8, "40至50岁": 9, "40岁以下": 4}
    c2015 = next(c for c in data["cohorts"] if c["cohort"] == 2015 and c["kind"] == "助老协理员")
    assert (c2015["recruited"], c2015["gone_within_window"]) == (20, 14)


@pytest.mark.django_db
def test_demo_pages_render_for_every_role(login: Any, district_admin: Any, meishan_officer: Any, coordinator: Any,
                                          make_user: Any, county: Any) -> None:
    demo.load(io.StringIO(), scale=0.01)
    head = make_user("bureau_head", county)
    pages = ["/workforce/", "/workforce/staffing/", "/workforce/posts/", "/workforce/training/",
             "/workforce/assessment/", "/workforce/coordinators/", "/workforce/needs/", "/workforce/needs/stats/",
             "/workforce/circulars/", "/workforce/report/", "/"]
    from minzheng.workforce.models import AssessmentScheme

    pages.append(f"/workforce/assessment/{AssessmentScheme.objects.order_by('year').first().year}/")
    for u in (district_admin, meishan_officer, head):
        c = login(u)
        for p in pages:
            assert c.get(p).status_code == 200, (u.role, p)
    c = login(coordinator)
    for p in ("/", "/workforce/needs/mine/", "/workforce/needs/new/", "/workforce/circulars/"):
        assert c.get(p).status_code == 200, p


@pytest.mark.django_db
def test_work_funds_come_from_the_payments_ledger(login: Any, district_admin: Any, meishan: Any) -> None:
    year = dates.today().year
    for kind, amount in (("budget", "12000.00"), ("allocation", "3000.00"), ("expense", "1200.50")):
        FundEntry.objects.create(fund=WORK_FUNDS, source="county", kind=kind, township=meishan,
                                 month=dt.date(year, 3, 1), amount=Decimal(amount))
    assert work_funds_by_township([meishan], year).get(meishan.pk) == {"budget": Decimal("12000.00"), "paid": Decimal("3000.00"),
                                         "spent": Decimal("1200.50")}
    assert work_funds_by_township([meishan], year - 1).get(meishan.pk) is None  # no entry that year: the pages show “—”
    page = login(district_admin).get(f"/workforce/?year={year}").content.decode()
    assert "12000.00" in page and "1200.50" in page
    report = login(district_admin).get("/workforce/report/").content.decode()
    funds_section = report.split('id="funds"', 1)[1]
    assert "12000.00" in funds_section and "<title>" not in funds_section.split("</section>")[0]
