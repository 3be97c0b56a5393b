"""近亲属备案: a case whose household holds a registered relative of staff is flagged (by ID number and by the
applicant's declaration), gets a 100% county home visit, and shows in the report by township."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.assistance import selectors, services
from minzheng.assistance.models import SpotCheck
from minzheng.assistance.workflow import WorkflowError
from minzheng.registry import idnumber

from .wf_fixtures import advance_to_publicity, dibao_family

DAY = dt.date(2024, 5, 6)


@pytest.mark.django_db
def test_registered_relative_is_caught_and_needs_county_visit(zhongshan: Any, meishan_officer: Any,
                                                              approver: Any) -> None:
    # given: the wife of an applicant is registered as the daughter of a 村委会 member
    hh, head, wife = dibao_family(zhongshan)
    services.register_kinship(actor=meishan_officer, division=zhongshan.parent, staff_name="林大山",
                              staff_id_number=idnumber.make("350702", dt.date(1950, 1, 1), 11),
                              staff_role="village_committee", relative_name=wife.name,
                              relative_id_number=wife.id_number, relation="子女", registered_on=DAY)
    # when: the family applies
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY)
    # then: flagged by ID number, and the county must visit before approving
    assert app.kinship_flag and app.county_visit_required
    assert app.kinship_matches.get().matched_by == "id_number"
    app = advance_to_publicity(app, meishan_officer, DAY)
    app = services.end_publicity(app, actor=meishan_officer, today=DAY + dt.timedelta(days=7))
    assert SpotCheck.objects.get(application=app).reason == "kinship"
    with pytest.raises(WorkflowError, match="县级入户核查"):
        services.county_approve(app, actor=approver, today=DAY + dt.timedelta(days=8))
    report = selectors.kinship_report(approver)
    assert report == [{"township__code": zhongshan.parent.code, "township__name": zhongshan.parent.name,
                       "total": 1, "open": 1, "approved": 0, "visited": 0}]


@pytest.mark.django_db
def test_declared_relation_and_late_registration_flag_open_cases(zhongshan: Any, meishan_officer: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    declared = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                           applicant=head, received_on=DAY, declared_kinship="民政办王芳的弟弟")
    assert declared.kinship_flag and declared.kinship_matches.get().matched_by == "declared"
    # the case page says 申请人申报 once, not twice
    match = declared.kinship_matches.get()
    assert f"{match.get_matched_by_display()}：{match.note}" == "申请人申报：民政办王芳的弟弟"
    hh2, head2, _ = dibao_family(zhongshan)
    later = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh2,
                                        applicant=head2, received_on=DAY)
    assert not later.kinship_flag
    # registering the relation afterwards flags the open case at once
    services.register_kinship(actor=meishan_officer, division=zhongshan.parent, staff_name="王芳",
                              staff_id_number=idnumber.make("350702", dt.date(1985, 1, 1), 12),
                              staff_role="civil_affairs", relative_name=head2.name,
                              relative_id_number=head2.id_number, relation="兄弟姐妹", registered_on=DAY)
    later.refresh_from_db()
    assert later.kinship_flag


@pytest.mark.django_db
def test_relation_outside_the_configured_set_is_refused(zhongshan: Any, meishan_officer: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="近亲属关系范围"):
        services.register_kinship(actor=meishan_officer, division=zhongshan.parent, staff_name="某",
                                  staff_id_number=idnumber.make("350702", dt.date(1985, 1, 1), 13),
                                  staff_role="civil_affairs", relation="同学")
