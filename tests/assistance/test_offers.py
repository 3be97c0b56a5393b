"""The case pages offer only the steps the services accept: a form that is shown works, and a step the server would
refuse is not shown (the village coordinator, read-only roles, a handled objection)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from minzheng.accounts.roles import Role
from minzheng.assistance import services, workflow
from minzheng.assistance.models import Application, Objection, RefusalNotice, ReviewSchedule, Status
from minzheng.core import dates

from .test_workflow_dynamic import enrolled
from .wf_fixtures import advance_to_publicity, dibao_family

pytestmark = pytest.mark.django_db
TODAY = dates.today()


def page(client: Client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200
    return resp.content.decode()


def post_act(client: Client, app: Application, action: str, **data: Any) -> str:
    app.refresh_from_db()
    resp = client.post(f"/assistance/cases/{app.pk}/act/", {"action": action, "version": app.version, **data},
                       follow=True)
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.fixture
def checking_case(zhongshan: Any, coordinator: Any) -> Application:
    """Found and visited by the village coordinator: now at 信息核对, the township officer's step."""
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=coordinator, programme_code="dibao_urban", household=hh,
                                      applicant=head, channel="discovered", received_on=TODAY)
    app = services.start_investigation(app, actor=coordinator, today=TODAY)
    services.record_investigation(app, actor=coordinator, visited_on=TODAY, investigator_1="协管员",
                                  investigator_2="民政助理员", investigator_1_signed=True,
                                  investigator_2_signed=True, applicant_signed=True, today=TODAY)
    app.refresh_from_db()
    assert app.status == Status.CHECKING
    return app


def test_the_coordinator_is_not_offered_the_officers_steps(checking_case: Application, coordinator: Any,
                                                           meishan_officer: Any, login: Any) -> None:
    url = f"/assistance/cases/{checking_case.pk}/"
    # given: the case page as the coordinator, who may still withdraw it but not decide it
    mine = page(login(coordinator), url)
    assert 'id="act-withdraw"' in mine
    assert 'id="act-complete_checks"' not in mine and 'id="act-township_refuse"' not in mine
    assert "添加信息核对结果" not in mine
    # when: they post the step anyway, the server refuses it and nothing moves
    refused = post_act(login(coordinator), checking_case, "complete_checks", text="无异常")
    checking_case.refresh_from_db()
    assert "协管员" in refused and checking_case.status == Status.CHECKING
    # then: the township officer is offered the step, and it works
    officer = login(meishan_officer)
    assert 'id="act-complete_checks"' in page(officer, url)
    post_act(officer, checking_case, "complete_checks", text="民政核对平台无异常")
    checking_case.refresh_from_db()
    assert checking_case.status == Status.TOWNSHIP_REVIEW


def test_the_coordinator_split_has_one_definition() -> None:
    # the services refuse through workflow.step_is_theirs; they keep no list of their own
    assert not hasattr(services, "COORDINATOR_ACTIONS")
    assert workflow.COORDINATOR_STEPS == {"start_investigation", "record_investigation", "withdraw"}


def test_a_read_only_role_is_not_offered_to_record_the_refusal_notice(checking_case: Application,
                                                                      meishan_officer: Any, auditor: Any,
                                                                      login: Any) -> None:
    services.township_refuse(checking_case, actor=meishan_officer, reasons="家庭收入超过标准", today=TODAY)
    url = f"/assistance/cases/{checking_case.pk}/"
    # the 审计员 reads the case and its 告知书, but is not offered 登记送达 (the service refuses them)
    assert "不予批准告知书" in page(login(auditor), url) and "登记送达" not in page(login(auditor), url)
    post_act(login(auditor), checking_case, "issue_notice", issued_on=TODAY.isoformat())
    assert RefusalNotice.objects.get(application=checking_case).issued_on is None
    # the officer is, and it records the delivery
    assert "登记送达" in page(login(meishan_officer), url)
    post_act(login(meishan_officer), checking_case, "issue_notice", issued_on=TODAY.isoformat())
    assert RefusalNotice.objects.get(application=checking_case).issued_on == TODAY


def test_an_objection_is_offered_for_handling_only_to_the_township_while_open(zhongshan: Any,
                                                                               meishan_officer: Any,
                                                                               auditor: Any, login: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=TODAY)
    app = advance_to_publicity(app, meishan_officer, TODAY)
    obj = services.submit_objection(app.publicities.get(), content="该户有一辆小轿车未申报", today=TODAY)
    url = f"/assistance/objections/{obj.pk}/"
    case_url = f"/assistance/cases/{app.pk}/"
    form = 'name="outcome"'
    assert form not in page(login(auditor), url) and url not in page(login(auditor), case_url)
    refused = login(auditor).post(url, {"outcome": "不成立", "upheld": "0", "version": app.version}, follow=True)
    assert refused.status_code == 200 and Objection.objects.get(pk=obj.pk).status == "open"
    officer = login(meishan_officer)
    assert form in page(officer, url) and url in page(officer, case_url)
    officer.post(url, {"outcome": "经核实车辆已于去年转让", "upheld": "0", "version": app.version})
    obj.refresh_from_db()
    assert obj.status != "open"
    handled = page(officer, url)
    assert form not in handled and "异议不成立" in handled and url not in page(officer, case_url)


def test_review_page_offers_stop_for_dibao_and_nothing_to_a_reader(zhongshan: Any, meishan_officer: Any,
                                                                    approver: Any, make_user: Any, county: Any,
                                                                    login: Any) -> None:
    enr, *_ = enrolled(zhongshan, meishan_officer, approver)
    url = f"/assistance/reviews/{ReviewSchedule.objects.get(enrollment=enr).pk}/"
    officer = page(login(meishan_officer), url)
    assert "复核决定" in officer and 'value="stop"' in officer and 'value="terminate"' not in officer
    head = page(login(make_user(Role.BUREAU_HEAD, county)), url)
    assert "复核决定" not in head and "决定记录" in head
