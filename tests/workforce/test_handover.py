"""A hand-over leaves nothing without an owner: this app's items and any other app's registered items move."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from minzheng.core import handover as core_handover
from minzheng.workforce import needs, staff
from minzheng.workforce.models import Handover, NeedReport, PostHolding, PostKind, WorkNote

# A stand-in for another app's cases: {case id: owner user id}.
OTHER_APP_CASES: dict[int, int] = {}


def _move(from_user: Any, to_user: Any) -> dict[str, int]:
    ids = [k for k, v in OTHER_APP_CASES.items() if v == from_user.pk]
    for k in ids:
        OTHER_APP_CASES[k] = to_user.pk
    return {"测试业务案件": len(ids)}


def _count(user: Any) -> dict[str, int]:
    return {"测试业务案件": sum(1 for v in OTHER_APP_CASES.values() if v == user.pk)}


@pytest.fixture
def other_app() -> Iterator[dict[int, int]]:
    core_handover.register(_move, _count)
    OTHER_APP_CASES.clear()
    yield OTHER_APP_CASES
    core_handover._handlers[:] = [h for h in core_handover._handlers if h.move is not _move]
    OTHER_APP_CASES.clear()


@pytest.mark.django_db
def test_handover_through_http_moves_everything_and_prints(login: Any, make_user: Any, meishan: Any, zhongshan: Any,
                                                           meishan_officer: Any, other_app: dict[int, int]) -> None:
    # given: a township post held by an officer with an account, who owns open work in three places
    leaver_user = make_user("township_officer", meishan, username="leaver_t")
    successor_user = make_user("township_officer", meishan, username="successor_t")
    post = staff.create_post(division=meishan, kind=PostKind.TOWNSHIP_ASSISTANT, is_head=True)
    leaver = staff.create_staff(division=meishan, name="离岗甲", user=leaver_user)
    successor = staff.create_staff(division=meishan, name="接任乙", user=successor_user)
    staff.appoint(post=post, staff=leaver, start=dt.date(2019, 3, 1))
    r = needs.submit(village=zhongshan, category="hardship", description="待办的民情事项一件", source="staff",
                     actor=leaver_user)
    assert r.assignee == leaver_user
    WorkNote.objects.create(division=zhongshan, owner=leaver_user, title="回访某户")
    WorkNote.objects.create(division=zhongshan, owner=leaver_user, title="已办结的", closed=True)
    other_app.update({1: leaver_user.pk, 2: leaver_user.pk, 3: meishan_officer.pk})
    assert core_handover.open_items(leaver_user) == {"民情事项": 1, "工作笔记": 1, "测试业务案件": 2}
    # when: the township hands the post over on the post page
    resp = login(meishan_officer).post(f"/workforce/posts/{post.pk}/", {
        "action": "handover", "h-reason": "transferred", "h-start": "2024-05-06", "h-existing": successor.pk,
        "h-employment": "full"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    # then: nothing stays with the leaver, in this app or the other
    assert core_handover.open_items(leaver_user) == {}
    assert NeedReport.objects.get(pk=r.pk).assignee == successor_user
    assert WorkNote.objects.filter(owner=successor_user, closed=False).count() == 1
    assert other_app == {1: successor_user.pk, 2: successor_user.pk, 3: meishan_officer.pk}
    h = Handover.objects.get()
    assert h.moved == {"民情事项": 1, "工作笔记": 1, "测试业务案件": 2} and h.left_open == {}
    assert post.current.staff == successor
    assert PostHolding.objects.get(staff=leaver).end == dt.date(2024, 5, 6)
    # and the 交接清单 is printable
    page = login(meishan_officer).get(resp["Location"]).content.decode()
    assert 'id="nothing-left"' in page and "测试业务案件" in page
    pdf = login(meishan_officer).get(f"/workforce/handovers/{h.pk}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_successor_without_account_needs_a_receiver(make_user: Any, meishan: Any, zhongshan: Any,
                                                    other_app: dict[int, int]) -> None:
    leaver_user = make_user("village_coordinator", zhongshan, username="coord_leaver")
    post = staff.create_post(division=zhongshan, kind=PostKind.VILLAGE_COORDINATOR)
    staff.appoint(post=post, staff=staff.create_staff(division=zhongshan, name="协管丙", user=leaver_user),
                  start=dt.date(2020, 1, 1))
    other_app[7] = leaver_user.pk
    newcomer = staff.create_staff(division=zhongshan, name="协管丁")  # no account, like most coordinators
    with pytest.raises(ValidationError):
        staff.hand_over(post=post, on=dt.date(2024, 1, 2), reason="resigned", successor=newcomer)
    assert post.current.staff.name == "协管丙" and other_app[7] == leaver_user.pk  # nothing half-done
    # with the township officer as receiver it goes through
    officer = make_user("township_officer", meishan, username="receiver_t")
    h = staff.hand_over(post=post, on=dt.date(2024, 1, 2), reason="resigned", successor=newcomer, receiver=officer)
    assert other_app[7] == officer.pk and h.left_open == {} and core_handover.open_items(leaver_user) == {}


@pytest.mark.django_db
def test_a_handler_that_leaves_items_behind_blocks_the_handover(make_user: Any, meishan: Any) -> None:
    sticky: dict[str, int] = {"n": 2}

    def move(a: Any, b: Any) -> dict[str, int]:
        return {"顽固事项": 0}

    def count(u: Any) -> dict[str, int]:
        return {"顽固事项": sticky["n"]}

    core_handover.register(move, count)
    try:
        u = make_user("township_officer", meishan, username="sticky_t")
        other = make_user("township_officer", meishan, username="sticky_r")
        post = staff.create_post(division=meishan, kind=PostKind.ELDERLY_ASSISTANT)
        staff.appoint(post=post, staff=staff.create_staff(division=meishan, name="戊", user=u),
                      start=dt.date(2021, 1, 1))
        with pytest.raises(ValidationError, match="顽固事项"):
            staff.hand_over(post=post, on=dt.date(2024, 1, 2), reason="resigned", receiver=other)
        assert post.current is not None and not Handover.objects.exists()
    finally:
        core_handover._handlers[:] = [h for h in core_handover._handlers if h.move is not move]


@pytest.mark.django_db
def test_another_township_cannot_hand_over(login: Any, meishan: Any, xiadao_officer: Any) -> None:
    post = staff.create_post(division=meishan, kind=PostKind.TOWNSHIP_ASSISTANT)
    staff.appoint(post=post, staff=staff.create_staff(division=meishan, name="己"), start=dt.date(2021, 1, 1))
    resp = login(xiadao_officer).post(f"/workforce/posts/{post.pk}/", {
        "action": "handover", "h-reason": "resigned", "h-start": "2024-05-06", "h-vacant": "on",
        "h-employment": "full"})
    assert resp.status_code == 404 and post.current is not None


@pytest.mark.django_db
def test_linking_an_account_on_the_staff_page(login: Any, meishan: Any, meishan_officer: Any, make_user: Any,
                                              xiadao: Any) -> None:
    person = staff.create_staff(division=meishan, name="庚")
    mine = make_user("township_officer", meishan, username="geng_t")
    other = make_user("township_officer", xiadao, username="xin_t")
    c = login(meishan_officer)
    c.post(f"/workforce/staff/{person.pk}/", {"name": "庚", "account": "xin_t"})
    person.refresh_from_db()
    assert person.user is None  # another township's account cannot be linked
    c.post(f"/workforce/staff/{person.pk}/", {"name": "庚", "account": "geng_t", "education": "col"})
    person.refresh_from_db()
    assert person.user == mine and person.education == "col" and other.pk != mine.pk
