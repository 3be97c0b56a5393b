"""Training compliance: township staff ≥ 2 district sessions a year, village coordinators ≥ 3 township sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.workforce import staff, training
from minzheng.workforce.models import Attendance, PostHolding, PostKind, TrainingLevel, TrainingSession

Y = 2024


def session(division: Any, level: str, month: int) -> TrainingSession:
    return TrainingSession.objects.create(division=division, level=level, date=dt.date(Y, month, 10), topic="培训")


@pytest.fixture
def people(county: Any, meishan: Any, zhongshan: Any) -> dict[str, Any]:
    out = {}
    for name, div, kind in (("助理员甲", meishan, PostKind.TOWNSHIP_ASSISTANT), ("协理员乙", meishan,
                            PostKind.ELDERLY_ASSISTANT), ("协管员丙", zhongshan, PostKind.VILLAGE_COORDINATOR)):
        p = staff.create_post(division=div, kind=kind)
        s = staff.create_staff(division=div, name=name)
        staff.appoint(post=p, staff=s, start=dt.date(2020, 1, 1))
        out[name] = s
    return out


@pytest.mark.django_db
def test_compliance_per_person_and_township(people: dict[str, Any], county: Any, meishan: Any,
                                            make_user: Any, login: Any) -> None:
    d1, d2 = session(county, TrainingLevel.DISTRICT, 3), session(county, TrainingLevel.DISTRICT, 9)
    t = [session(meishan, TrainingLevel.TOWNSHIP, m) for m in (2, 5, 8)]
    a, b, c = people["助理员甲"], people["协理员乙"], people["协管员丙"]
    Attendance.objects.create(session=d1, staff=a)
    Attendance.objects.create(session=d2, staff=a)
    Attendance.objects.create(session=d1, staff=b)
    Attendance.objects.create(session=d2, staff=b, present=False)  # signed up, did not come
    for s in t[:2]:
        Attendance.objects.create(session=s, staff=c)
    Attendance.objects.create(session=t[2], staff=a)  # a township session does not count for township staff
    rows = {r.staff.name: r for r in training.compliance(PostHolding.objects.all(), year=Y, on=dt.date(Y, 12, 31))}
    assert (rows["助理员甲"].attended, rows["助理员甲"].ok) == (2, True)
    assert (rows["协理员乙"].attended, rows["协理员乙"].ok) == (1, False)
    assert (rows["协管员丙"].required, rows["协管员丙"].attended, rows["协管员丙"].ok) == (3, 2, False)
    town = training.by_township(list(rows.values()))
    assert len(town) == 1 and (town[0].people, town[0].compliant) == (3, 1)
    assert training.township_rate(meishan, Y) == town[0].rate
    # and the requirement is a parameter: lowering it to 2 makes the coordinator compliant
    policy.add_version(key="workforce.training.village_min_township", value=2, effective_from=dt.date(Y, 1, 1),
                       source_document="测试")
    rows = {r.staff.name: r for r in training.compliance(PostHolding.objects.all(), year=Y, on=dt.date(Y, 12, 31))}
    assert rows["协管员丙"].ok


@pytest.mark.django_db
def test_reminders_for_people_behind(people: dict[str, Any], meishan_officer: Any, login: Any) -> None:
    from minzheng.workforce import reminders

    today = dates.today()
    if today.month < 3:
        pytest.skip("reminders start in March")
    items = [t for t in reminders.tasks_for(meishan_officer) if t.kind == "培训提醒"]
    assert items and "进度落后" in items[0].title


@given(required=st.integers(0, 12), month=st.integers(1, 12))
def test_expected_by_is_monotonic_and_ends_at_required(required: int, month: int) -> None:
    e = training.expected_by(required, dt.date(Y, month, 1), Y)
    assert 0 <= e <= required
    if month < 12:
        assert e <= training.expected_by(required, dt.date(Y, month + 1, 1), Y)
    assert training.expected_by(required, dt.date(Y + 1, 1, 1), Y) == required
    assert training.expected_by(required, dt.date(Y - 1, 12, 31), Y) == 0


@pytest.mark.django_db
def test_attendance_page_records_presence(people: dict[str, Any], meishan: Any, meishan_officer: Any,
                                          login: Any) -> None:
    s = session(meishan, TrainingLevel.TOWNSHIP, 4)
    c = people["协管员丙"]
    resp = login(meishan_officer).post(f"/workforce/training/sessions/{s.pk}/", {"action": "attendance",
                                                                                 "present": [c.pk]})
    assert resp.status_code == 302
    assert Attendance.objects.get(session=s, staff=c).present
    resp = login(meishan_officer).post(f"/workforce/training/sessions/{s.pk}/", {"action": "material",
                                                                                 "title": "课件",
                                                                                 "link": "https://example.org/a"})
    assert resp.status_code == 302 and s.materials.count() == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("讲义.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    resp = login(meishan_officer).post(f"/workforce/training/sessions/{s.pk}/", {"action": "material",
                                                                                 "title": "讲义", "file": pdf})
    assert resp.status_code == 302
    m = s.materials.get(title="讲义")
    got = login(meishan_officer).get(f"/workforce/training/materials/{m.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == b"%PDF-1.4 test"
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    login(meishan_officer).post(f"/workforce/training/sessions/{s.pk}/", {"action": "material", "file": exe})
    assert s.materials.count() == 2
    # a plan for the year
    resp = login(meishan_officer).post("/workforce/training/?year=2024", {"action": "plan", "title": "协管员培训计划",
                                                                        "planned_sessions": "3"})
    assert resp.status_code == 302
    from minzheng.workforce.models import TrainingPlan

    assert TrainingPlan.objects.get().level == TrainingLevel.TOWNSHIP
