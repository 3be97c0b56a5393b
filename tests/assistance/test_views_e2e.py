"""A township officer takes cases from intake to 公示 in the browser, the approver confirms them: 低保 and 特困
through the pages, with the rules' amounts and explanations on screen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from minzheng.assistance import facts, rules
from minzheng.assistance.models import Application, Publicity, SpotCheck, Status
from minzheng.core import dates

from .wf_fixtures import dibao_family, tekun_elder

TODAY = dates.today()


def act(client: Client, app: Application, action: str, **data: Any) -> Application:
    app.refresh_from_db()
    resp = client.post(f"/assistance/cases/{app.pk}/act/", {"action": action, "version": app.version, **data},
                       follow=True)
    assert resp.status_code == 200
    app.refresh_from_db()
    return app


def publicity_week_passes(app: Application) -> None:
    """The 7 days go by: move this 公示's window into the past (the only shortcut these tests take)."""
    Publicity.objects.filter(application=app).update(start_date=TODAY - dt.timedelta(days=8),
                                                     end_date=TODAY - dt.timedelta(days=2))


def through_county(approver_client: Client, app: Application) -> Application:
    resp = approver_client.get("/assistance/queue/")
    assert app.number in resp.content.decode()
    if SpotCheck.objects.filter(application=app).exists():
        app = act(approver_client, app, "record_spot_check", visited_on=TODAY.isoformat(), visitors="赵一、钱二",
                  findings="与申报一致", confirmed="1")
    return act(approver_client, app, "county_approve", text="同意")


def intake_to_publicity(client: Client, household: Any, applicant: Any, programme: str, **extra: Any) -> Application:
    # find the household, then file the application
    resp = client.get("/assistance/new/", {"q": applicant.name})
    assert resp.status_code == 200 and f"?household={household.pk}" in resp.content.decode()
    data = {"household": household.pk, "programme": programme, "applicant": applicant.pk, "channel": "self",
            "received_on": TODAY.isoformat(), "rule_set": "2021", **extra}
    resp = client.post("/assistance/new/", data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    app = Application.objects.get(household=household, programme__code=programme)
    app = act(client, app, "start_investigation")
    app = act(client, app, "record_investigation", visited_on=TODAY.isoformat(), investigator_1="张伟",
              investigator_2="李娜", investigator_1_signed="1", investigator_2_signed="1", applicant_signed="1",
              neighbour_visits="王五：情况属实", findings="收入低，无大额财产")
    app = act(client, app, "complete_checks", text="民政核对平台无异常")
    assert app.status == Status.TOWNSHIP_REVIEW
    if app.programme.family == "tekun":
        # 特困: the legal supporters investigated (here: none) before the rules can find the person eligible
        resp = client.post(f"/assistance/cases/{app.pk}/supporters/", {"mode": "none"})
        assert resp.status_code == 302
        app.refresh_from_db()
        assert app.supporters_status == "none"
    # the rules explain themselves before the officer agrees
    preview = client.get(f"/assistance/cases/{app.pk}/assess/").content.decode()
    assert "符合条件" in preview and "依据的参数版本" in preview
    app = act(client, app, "township_opinion", text="初审同意")
    assert app.status == Status.PUBLICITY
    return app


@pytest.mark.django_db
def test_dibao_through_the_pages(zhongshan: Any, meishan_officer: Any, approver: Any, login: Any) -> None:
    officer, county = login(meishan_officer), login(approver)
    hh, head, _ = dibao_family(zhongshan)
    app = intake_to_publicity(officer, hh, head, "dibao_urban")
    page = officer.get(f"/assistance/cases/{app.pk}/").content.decode()
    assert "低保标准" in page and str(app.proposed_amount) in page
    # a township officer cannot confirm at county level
    assert act(officer, app, "end_publicity").status == Status.PUBLICITY  # 公示 still running: refused
    publicity_week_passes(app)
    app = act(officer, app, "end_publicity")
    assert app.status == Status.COUNTY_REVIEW
    assert act(officer, app, "county_approve").status == Status.COUNTY_REVIEW
    app = through_county(county, app)
    assert app.status == Status.APPROVED
    params = rules.Params(TODAY, zhongshan)
    expected = rules.dibao_assess(facts.household_facts(hh, on=TODAY, area="urban"), params=params).amount
    assert app.enrollment.monthly_amount == expected
    assert app.enrollment.start_month == (TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    # printable documents
    resp = officer.get(f"/assistance/cases/{app.pk}/form/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert officer.get(f"/assistance/cases/{app.pk}/form/?format=html").status_code == 200


@pytest.mark.django_db
def test_tekun_through_the_pages(xiadao_village: Any, xiadao_officer: Any, approver: Any, login: Any) -> None:
    officer, county = login(xiadao_officer), login(approver)
    hh, elder = tekun_elder(xiadao_village)
    app = intake_to_publicity(officer, hh, elder, "tekun_central", selfcare_failed=["eat", "dress", "bed", "toilet"])
    params = rules.Params(TODAY, xiadao_village)
    expected = rules.tekun_support("full", arrangement="central", area="rural", params=params).amount
    assert app.proposed_amount == expected and expected > Decimal(0)
    publicity_week_passes(app)
    app = act(officer, app, "end_publicity")
    app = through_county(county, app)
    assert app.enrollment.person == elder and app.enrollment.monthly_amount == expected


@pytest.mark.django_db
def test_invalid_transition_is_refused_with_a_message(zhongshan: Any, meishan_officer: Any, login: Any) -> None:
    officer = login(meishan_officer)
    hh, head, _ = dibao_family(zhongshan)
    resp = officer.post("/assistance/new/", {"household": hh.pk, "programme": "dibao_urban", "applicant": head.pk,
                                             "channel": "self", "received_on": TODAY.isoformat()})
    app = Application.objects.get(household=hh)
    resp = officer.post(f"/assistance/cases/{app.pk}/act/", {"action": "township_opinion", "version": app.version},
                        follow=True)
    assert "当前状态为“已受理”，不能执行" in resp.content.decode()
    app.refresh_from_db()
    assert app.status == Status.ACCEPTED
    # a stale version (someone else acted) is refused too
    officer.post(f"/assistance/cases/{app.pk}/act/", {"action": "start_investigation", "version": app.version})
    resp = officer.post(f"/assistance/cases/{app.pk}/act/", {"action": "withdraw", "version": app.version},
                        follow=True)
    assert "已被他人处理" in resp.content.decode()


@pytest.mark.django_db
def test_home_panels_and_tasks(zhongshan: Any, meishan_officer: Any, approver: Any, login: Any) -> None:
    officer = login(meishan_officer)
    hh, head, _ = dibao_family(zhongshan)
    officer.post("/assistance/new/", {"household": hh.pk, "programme": "dibao_urban", "applicant": head.pk,
                                      "channel": "self", "received_on": TODAY.isoformat()})
    home = officer.get("/").content.decode()
    assert "社会救助 · 乡镇经办" in home
    from minzheng.core.tasks import for_user

    assert any(t.kind == "已受理" for t in for_user(meishan_officer))
    assert login(approver).get("/").status_code == 200
