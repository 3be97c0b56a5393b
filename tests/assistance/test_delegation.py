"""审核确认 delegated to townships (民发〔2021〕57号 "有条件的地方"), small 临时救助 approved by the township
(民发〔2018〕23号), and the county's reproducible after-the-fact spot-check sample."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given
from hypothesis import strategies as st

from minzheng.assistance import services
from minzheng.assistance.models import Application, Investigation, SpotCheck, Status
from minzheng.assistance.workflow import WorkflowError
from minzheng.policy import services as policy
from minzheng.policy.models import Parameter

from .test_views_e2e import TODAY, act, intake_to_publicity, publicity_week_passes
from .wf_fixtures import advance_to_publicity, dibao_family, household, person

DAY = dt.date(2024, 5, 6)


def delegate(division: Any) -> None:
    """The district delegates 审核确认 to this township (a versioned parameter for the division)."""
    Parameter.objects.create(key="assistance.confirmation_delegated", division=division,
                             effective_from=dt.date(2021, 7, 1), value=True,
                             source_document="最低生活保障审核确认办法（民发〔2021〕57号）", certainty="V-sec")


@pytest.mark.django_db
def test_delegated_dibao_confirmed_by_the_township_and_sampled_after(zhongshan: Any, meishan: Any,
                                                                    meishan_officer: Any, approver: Any,
                                                                    login: Any) -> None:
    delegate(meishan)
    officer, county = login(meishan_officer), login(approver)
    hh, head, _ = dibao_family(zhongshan)
    app = intake_to_publicity(officer, hh, head, "dibao_urban")
    publicity_week_passes(app)
    app = act(officer, app, "end_publicity")
    # then: the township gives the 审核确认 itself; the county queue does not hold the case
    assert app.status == Status.COUNTY_REVIEW and app.confirm_level == "township"
    assert app.confirm_basis["param"]["key"] == "assistance.confirmation_delegated"
    page = officer.get(f"/assistance/cases/{app.pk}/").content.decode()
    assert "乡镇审核确认（批准）" in page and "退回乡镇" not in page
    assert app.number not in county.get("/assistance/queue/").content.decode()
    county_page = county.get(f"/assistance/cases/{app.pk}/").content.decode()
    assert "等待乡镇(街道)审核确认" in county_page and 'value="county_approve"' not in county_page
    app = act(officer, app, "county_approve", text="经授权审核确认")
    assert app.status == Status.APPROVED and app.enrollment is not None
    # the first confirmation of the month in the township is always sampled (minimum per township per period)
    check = SpotCheck.objects.get(application=app)
    assert check.after_decision and check.ratio["shortfall"] and check.ratio["period"] == f"{TODAY:%Y-%m}"
    queue = county.get("/assistance/queue/").content.decode()
    assert app.number in queue and "事后入户抽查" in queue
    # the township cannot record the county's visit; the county records it through the page
    assert act(officer, app, "record_spot_check", visitors="甲、乙", confirmed="1").spot_check_record.visited_on \
        is None
    app = act(county, app, "record_spot_check", visited_on=TODAY.isoformat(), visitors="赵一、钱二",
              findings="与申报一致", confirmed="1")
    check.refresh_from_db()
    assert check.done and check.confirmed
    inv = Investigation.objects.get(application=app, by_county=True)
    assert {inv.investigator_1, inv.investigator_2} == {"赵一", "钱二"}
    assert app.number not in county.get("/assistance/queue/").content.decode()
    resp = county.get(f"/assistance/cases/{app.pk}/survey/?investigation={inv.pk}")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_not_delegated_the_county_confirms(zhongshan: Any, meishan_officer: Any, approver: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY, rule_set="2021")
    app = advance_to_publicity(app, meishan_officer, DAY)
    app = services.end_publicity(app, actor=meishan_officer, today=DAY + dt.timedelta(days=8))
    assert app.confirm_level == "county"
    with pytest.raises(PermissionDenied):
        services.county_approve(app, actor=meishan_officer, today=DAY + dt.timedelta(days=9))


@pytest.mark.django_db
def test_delegated_kinship_case_needs_the_county_visit_before_the_township_confirms(
        zhongshan: Any, meishan: Any, meishan_officer: Any, approver: Any) -> None:
    delegate(meishan)
    hh, head, wife = dibao_family(zhongshan)
    services.register_kinship(actor=meishan_officer, division=meishan, staff_name="王主任",
                              staff_id_number=person(household(zhongshan), "王主任", dt.date(1970, 1, 1)).id_number,
                              staff_role="village", relative_name=wife.name, relative_id_number=wife.id_number,
                              relation=services.kin_relation_labels()[0])
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY, rule_set="2021")
    assert app.kinship_flag
    app = advance_to_publicity(app, meishan_officer, DAY)
    app = services.end_publicity(app, actor=meishan_officer, today=DAY + dt.timedelta(days=8))
    assert app.confirm_level == "township"
    assert SpotCheck.objects.get(application=app).reason == "kinship"
    with pytest.raises(WorkflowError, match="县级入户核查"):
        services.county_approve(app, actor=meishan_officer, today=DAY + dt.timedelta(days=9))
    services.record_spot_check(app, actor=approver, visited_on=DAY + dt.timedelta(days=9), visitors="赵一、钱二",
                               findings="属实", confirmed=True, today=DAY + dt.timedelta(days=9))
    app.refresh_from_db()
    app = services.county_approve(app, actor=meishan_officer, today=DAY + dt.timedelta(days=9))
    assert app.status == Status.APPROVED
    assert SpotCheck.objects.filter(application=app).count() == 1  # visited before; no second draw


def single(village: Any) -> tuple[Any, Any]:
    hh = household(village, "urban")
    return hh, person(hh, "独居者", dt.date(1960, 1, 1), "02")


@pytest.mark.django_db
def test_small_linshi_is_approved_by_the_township(zhongshan: Any, meishan_officer: Any, approver: Any,
                                                  login: Any) -> None:
    officer = login(meishan_officer)
    limit = policy.resolve("linshi.township_approval_max", on=TODAY, division=zhongshan).decimal
    hh, head = single(zhongshan)
    resp = officer.post("/assistance/new/", {"household": hh.pk, "programme": "linshi", "applicant": head.pk,
                                             "channel": "self", "received_on": TODAY.isoformat(),
                                             "linshi_type": "urgent", "months": 1, "reason": "火灾"})
    assert resp.status_code == 302
    app = Application.objects.get(household=hh)
    page = officer.get(f"/assistance/cases/{app.pk}/").content.decode()
    assert "乡镇可直接审批" in page  # the rule explains itself before the officer acts
    app = act(officer, app, "township_opinion", text="先行救助")
    assert app.proposed_amount <= limit
    assert app.status == Status.COUNTY_REVIEW and app.confirm_level == "township"
    assert app.confirm_basis["param"]["key"] == "linshi.township_approval_max"
    app = act(officer, app, "county_approve", text="乡镇审批")
    assert app.status == Status.APPROVED and app.enrollment.monthly_amount == app.proposed_amount


@pytest.mark.django_db
def test_larger_linshi_goes_to_the_county(zhongshan: Any, meishan_officer: Any, approver: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="linshi", household=hh, applicant=head,
                                      received_on=DAY, linshi_type="urgent", months=3, reason="重病")
    app = services.township_opinion(app, actor=meishan_officer, today=DAY)
    assert app.proposed_amount > policy.resolve("linshi.township_approval_max", on=DAY, division=zhongshan).decimal
    assert app.confirm_level == "county"
    with pytest.raises(PermissionDenied):
        services.county_approve(app, actor=meishan_officer, today=DAY)


def replay(numbers: list[str], ratio: Decimal, minimum: int) -> set[str]:
    """The sampling rule written out independently: the same decisions in the same order give the same sample."""
    sampled: set[str] = set()
    for n, number in enumerate(numbers, start=1):
        need = min(n, max(minimum, math.ceil(ratio * n)))
        if len(sampled) < need or services.draw(number) < float(ratio):
            sampled.add(number)
    return sampled


@pytest.mark.django_db
def test_after_the_fact_sample_is_reproducible_and_keeps_the_ratio(zhongshan: Any, meishan: Any,
                                                                   meishan_officer: Any) -> None:
    delegate(meishan)
    ratio = policy.resolve("workflow.spot_check_ratio", on=DAY, division=zhongshan).decimal
    minimum = int(policy.value("assistance.spot_check_min", on=DAY, division=zhongshan))
    decided: list[str] = []
    for i in range(12):
        hh, head, _ = dibao_family(zhongshan)
        app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                          applicant=head, received_on=DAY, rule_set="2021")
        app = advance_to_publicity(app, meishan_officer, DAY)
        app = services.end_publicity(app, actor=meishan_officer, today=DAY + dt.timedelta(days=8))
        app = services.county_approve(app, actor=meishan_officer, today=DAY + dt.timedelta(days=9 + i % 3))
        decided.append(app.number)
        # at every moment the township's share for the month is at least the ratio and the minimum
        n_sampled = SpotCheck.objects.filter(application__township=meishan, after_decision=True).count()
        assert n_sampled >= min(len(decided), max(minimum, math.ceil(ratio * len(decided))))
    actual = set(SpotCheck.objects.filter(after_decision=True).values_list("application__number", flat=True))
    assert actual == replay(decided, ratio, minimum)
    for check in SpotCheck.objects.filter(after_decision=True).select_related("application"):
        assert check.ratio["draw"] == round(services.draw(check.application.number), 6)


@pytest.mark.engine_only
@given(st.text(min_size=1, max_size=20))
def test_draw_is_a_stable_number_in_the_unit_interval(number: str) -> None:
    value = services.draw(number)
    assert 0.0 <= value < 1.0 and services.draw(number) == value


@pytest.mark.django_db
def test_intake_errors_are_shown_next_to_the_field(zhongshan: Any, meishan_officer: Any, login: Any) -> None:
    officer = login(meishan_officer)
    hh, head, _ = dibao_family(zhongshan)
    # the form opens with today's date (in the ISO form a date input can show) and the household head
    page = officer.get(f"/assistance/new/?household={hh.pk}").content.decode()
    assert f'value="{TODAY.isoformat()}"' in page and f'value="{head.pk}" selected' in page
    # 委托 without the person entrusted, and 临时救助 without its type: both refused, each message at its field
    resp = officer.post("/assistance/new/", {"household": hh.pk, "programme": "dibao_urban", "applicant": head.pk,
                                             "channel": "entrusted", "received_on": TODAY.isoformat()})
    html = resp.content.decode()
    assert resp.status_code == 200 and not Application.objects.filter(household=hh).exists()
    field = html[html.index('name="entrusted_to"') - 600:html.index('name="entrusted_to"')]
    assert "委托申请须填写受委托人" in field
    resp = officer.post("/assistance/new/", {"household": hh.pk, "programme": "linshi", "applicant": head.pk,
                                             "channel": "self", "received_on": TODAY.isoformat()})
    html = resp.content.decode()
    field = html[html.index('name="linshi_type"') - 600:html.index('name="linshi_type"')]
    assert "请选择临时救助类型" in field


@pytest.mark.django_db
def test_delegated_confirmation_through_the_api(zhongshan: Any, meishan: Any, meishan_officer: Any, approver: Any,
                                                login: Any) -> None:
    from .test_api_e2e import act as api_act
    from .test_api_e2e import to_county

    delegate(meishan)
    officer, county = login(meishan_officer), login(approver)
    hh, head, _ = dibao_family(zhongshan)
    case = to_county(officer, hh, head, "dibao_urban")
    assert case["confirm_level"] == "township" and case["status_label"] == "乡镇审核确认（授权）"
    assert "county_return" not in case["allowed_actions"]
    case = api_act(officer, case, "county_approve", text="经授权审核确认")
    assert case["status"] == "approved" and case["spot_check"]["after_decision"]
    assert case["allowed_actions"] == ["record_spot_check"]
    queue = county.get("/api/assistance/queue").json()
    assert case["number"] in {c["number"] for c in queue}
    case = api_act(county, case, "record_spot_check", visited_on=str(TODAY), visitors="赵一、钱二", confirmed=True)
    assert case["spot_check"]["confirmed"] is True and case["allowed_actions"] == []


@pytest.mark.django_db
def test_township_home_and_list_show_cases_awaiting_its_confirmation(zhongshan: Any, meishan: Any,
                                                                     meishan_officer: Any, login: Any) -> None:
    delegate(meishan)
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY, rule_set="2021")
    app = advance_to_publicity(app, meishan_officer, DAY)
    app = services.end_publicity(app, actor=meishan_officer, today=DAY + dt.timedelta(days=8))
    officer = login(meishan_officer)
    assert "待乡镇审核确认" in officer.get("/").content.decode()
    listing = officer.get("/assistance/?status=&flag=township_confirm").content.decode()
    assert app.number in listing and "乡镇审核确认（授权）" in listing
    from minzheng.core.tasks import for_user

    assert any(t.kind == "乡镇审核确认（授权）" for t in for_user(meishan_officer))
