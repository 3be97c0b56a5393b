"""One visit mechanism for every group: who may record it, what it must contain, what it opens, and that a resend
with the same client id records it once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from minzheng.accounts.roles import Role
from minzheng.care.models import CareFile, Group, Referral, Visit
from minzheng.care.services import files, visits
from minzheng.core import dates
from minzheng.purchased.demo import photo_bytes
from minzheng.workforce.models import NeedReport

from .conftest import CHILD_ANSWERS, ELDER_ANSWERS

pytestmark = pytest.mark.django_db


def elder_file(family: Any, officer: Any, village: Any = None) -> CareFile:
    hh = family(village=village)
    return files.open_file(actor=officer, person=hh.members.get(), group=Group.ELDER)


def test_a_visit_moves_the_next_due_date_by_the_groups_interval(family: Any, meishan_officer: Any,
                                                               coordinator: Any) -> None:
    # given: an elder's file at low risk (monthly: care.visit.interval.elder low = 30 days)
    f = elder_file(family, meishan_officer)
    # when: the village coordinator records a home visit yesterday
    day = dates.today() - dt.timedelta(days=1)
    v = visits.record_visit(coordinator, f, {"visited_on": day.isoformat(), "answers": ELDER_ANSWERS})
    # then
    f.refresh_from_db()
    assert v.visitor == coordinator and f.last_visit_on == day
    assert f.next_due == day + dt.timedelta(days=30)
    assert f.events.filter(action="visited").exists()


def test_the_child_director_records_a_child_visit_and_a_high_risk_is_due_sooner(family: Any, meishan_officer: Any,
                                                                               director: Any) -> None:
    hh = family(kids=(dt.date(2015, 5, 1),))
    child = hh.members.order_by("-birth_date").first()
    f = files.open_file(actor=director, person=child, group=Group.CHILD)
    v = visits.record_visit(director, f, {"answers": CHILD_ANSWERS, "risk": "high", "findings": "祖母生病住院"})
    f.refresh_from_db()
    assert f.risk == "high" and v.visited_on == dates.today()
    assert f.next_due == dates.today() + dt.timedelta(days=30)


def test_a_visit_outside_the_visitors_village_is_refused_and_nothing_written(
        family: Any, meishan_officer: Any, make_user: Any, meishan: Any) -> None:
    # given: an elder in 中山社区 and a coordinator of another village of the same township
    other = meishan.children.exclude(name="中山社区居委会").order_by("code").first()
    outsider = make_user(Role.VILLAGE_COORDINATOR, other)
    f = elder_file(family, meishan_officer)
    before = (Visit.objects.count(), NeedReport.objects.count())
    # when / then
    with pytest.raises(ValidationError) as exc:
        visits.record_visit(outsider, f, {"answers": ELDER_ANSWERS,
                                          "need": {"category": "risk", "description": "屋顶漏雨需要修缮"}})
    assert "不在您负责走访的对象中" in str(exc.value) and "file" in exc.value.message_dict
    assert (Visit.objects.count(), NeedReport.objects.count()) == before


@pytest.mark.parametrize(("data", "field", "text"), [
    ({"answers": {**ELDER_ANSWERS, "health": "很好"}}, "answers.health", "身体状况"),
    ({"answers": {k: v for k, v in ELDER_ANSWERS.items() if k != "seen_person"}}, "answers.seen_person", "见到本人"),
    ({"answers": ELDER_ANSWERS, "visited_on": "2999-01-01"}, "visited_on", "不能晚于今天"),
    ({"answers": ELDER_ANSWERS, "visited_on": "昨天"}, "visited_on", "走访日期"),
    ({"answers": ELDER_ANSWERS, "mode": "letter"}, "mode", "走访方式"),
    ({"answers": ELDER_ANSWERS, "risk": "extreme"}, "risk", "风险等级"),
    ({"answers": ELDER_ANSWERS, "occasion": "春节"}, "occasion", "节日走访"),
    ({"answers": ELDER_ANSWERS, "referral": {"to": "mars", "reason": "需要转介"}}, "referral.to", "转介部门"),
    ({"answers": ELDER_ANSWERS, "need": {"category": "risk", "description": "漏"}}, "need.description", "至少 5 个字"),
])
def test_bad_visit_data_names_the_field_in_chinese_and_writes_nothing(
        family: Any, meishan_officer: Any, coordinator: Any, data: dict[str, Any], field: str, text: str) -> None:
    f = elder_file(family, meishan_officer)
    with pytest.raises(ValidationError) as exc:
        visits.record_visit(coordinator, f, data)
    assert field in exc.value.message_dict
    assert text in " ".join(exc.value.message_dict[field])
    assert not Visit.objects.filter(file=f).exists()


def test_an_unreadable_photo_is_refused_and_a_good_one_is_reencoded(family: Any, meishan_officer: Any,
                                                                    coordinator: Any) -> None:
    f = elder_file(family, meishan_officer)
    with pytest.raises(ValidationError) as exc:
        visits.record_visit(coordinator, f, {"answers": ELDER_ANSWERS},
                            photo=SimpleUploadedFile("x.jpg", b"not an image"))
    assert "photo" in exc.value.message_dict and not Visit.objects.filter(file=f).exists()
    v = visits.record_visit(coordinator, f, {"answers": ELDER_ANSWERS}, photo=photo_bytes(3))
    assert v.photo.name.endswith(".jpg") and len(v.photo_hash) == 16
    assert b"Exif" not in v.photo.open("rb").read()[:200]


def test_a_resent_visit_with_the_same_client_id_is_recorded_once(family: Any, meishan_officer: Any,
                                                                  coordinator: Any) -> None:
    f = elder_file(family, meishan_officer)
    data = {"answers": ELDER_ANSWERS, "client_id": "phone-1-abc"}
    first = visits.record_visit(coordinator, f, data)
    again = visits.record_visit(coordinator, f, dict(data))
    assert first.pk == again.pk and Visit.objects.filter(file=f).count() == 1
    # the same id for another person's file is an error, not a silent mix-up
    other = elder_file(family, meishan_officer)
    with pytest.raises(ValidationError) as exc:
        visits.record_visit(coordinator, other, data)
    assert "client_id" in exc.value.message_dict


def test_a_need_found_opens_a_minqing_item_and_a_referral(family: Any, meishan_officer: Any,
                                                          coordinator: Any) -> None:
    f = elder_file(family, meishan_officer)
    v = visits.record_visit(coordinator, f, {
        "answers": ELDER_ANSWERS, "need": {"category": "risk", "description": "独居老人屋顶漏雨需要修缮"},
        "referral": {"to": "health", "reason": "血压偏高需要随访"}})
    assert v.need is not None and v.need.village == f.village and "屋顶漏雨" in v.need.description
    assert v.need.deadline > dates.today() - dt.timedelta(days=1)
    assert Referral.objects.get(pk=v.referral_id).to == "health"


def test_a_childs_need_goes_to_minqing_without_the_childs_details(family: Any, meishan_officer: Any,
                                                                  director: Any) -> None:
    hh = family(kids=(dt.date(2014, 1, 1),))
    child = hh.members.order_by("-birth_date").first()
    f = files.open_file(actor=director, person=child, group=Group.CHILD)
    v = visits.record_visit(director, f, {"answers": CHILD_ANSWERS,
                                          "need": {"category": "child", "description": f"{child.name} 被打伤"}})
    assert v.need is not None and child.name not in v.need.description and "被打伤" not in v.need.description


def test_a_provider_worker_visits_only_the_files_assigned_to_them(family: Any, meishan_officer: Any,
                                                                  make_user: Any, meishan: Any) -> None:
    worker = make_user(Role.SOCIAL_ORG, meishan)
    f = elder_file(family, meishan_officer)
    with pytest.raises(ValidationError):
        visits.record_visit(worker, f, {"answers": ELDER_ANSWERS})
    files.assign(actor=meishan_officer, file=f, responsible=worker)
    assert visits.record_visit(worker, f, {"answers": ELDER_ANSWERS}).visitor == worker


def test_a_closed_file_takes_no_visit(family: Any, meishan_officer: Any, coordinator: Any) -> None:
    f = elder_file(family, meishan_officer)
    files.close(actor=meishan_officer, file=f, reason="迁出本区")
    with pytest.raises(ValidationError) as exc:
        visits.record_visit(coordinator, f, {"answers": ELDER_ANSWERS})
    assert "已结案" in str(exc.value)


def test_one_file_per_person_and_group(family: Any, meishan_officer: Any) -> None:
    hh = family()
    person = hh.members.get()
    files.open_file(actor=meishan_officer, person=person, group=Group.ELDER)
    with pytest.raises(ValidationError):
        files.open_file(actor=meishan_officer, person=person, group=Group.ELDER)
    assert files.open_file(actor=meishan_officer, person=person, group=Group.DISABLED).group == Group.DISABLED


def test_a_coordinator_cannot_open_a_childs_file(family: Any, coordinator: Any) -> None:
    hh = family(kids=(dt.date(2016, 1, 1),))
    child = hh.members.order_by("-birth_date").first()
    with pytest.raises(PermissionDenied):
        files.open_file(actor=coordinator, person=child, group=Group.CHILD)


def test_the_childrens_roles_are_bound_to_village_and_township(make_user: Any, meishan: Any, zhongshan: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        make_user(Role.CHILD_DIRECTOR, meishan)
    assert "儿童主任须绑定一个村(社区)" in str(exc.value)
    with pytest.raises(ValidationError):
        make_user(Role.CHILD_SUPERVISOR, zhongshan)
    assert make_user(Role.CHILD_SUPERVISOR, meishan).division == meishan
