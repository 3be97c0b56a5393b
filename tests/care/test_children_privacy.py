"""Children's files are the most restricted data: roles without the need (协管员, 局领导, 审计员, a provider's
worker) find a child's care record on no page, in no API answer and in no export — even in their own village — while
the 儿童主任 sees only their village's children, and every opening of a child's file is audited."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from minzheng.accounts.roles import Role
from minzheng.audit.models import AuditEntry
from minzheng.care.models import Group
from minzheng.care.services import files
from tests import leakcheck
from tests.core.test_jurisdiction import EXEMPT, fill, walk

from .conftest import CHILD_ANSWERS

pytestmark = pytest.mark.django_db

# What only a child's care file holds (the registry's own pages may name the child as a household member).
CARE_SECRETS = ["甘秘祖父", "秘密务工地", "甘秘儿童情况稳定"]


def _text(resp: Any) -> str:
    body = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    if body[:2] == b"PK":  # an xlsx export: read its strings
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return body.decode("utf-8", "replace")


@pytest.mark.parametrize("role,where", [
    (Role.VILLAGE_COORDINATOR, "中山社区居委会"), (Role.BUREAU_HEAD, "延平区"), (Role.AUDITOR, "延平区"),
    (Role.SOCIAL_ORG, "梅山街道"),
])
def test_roles_without_the_need_find_no_childs_record_anywhere(role: str, where: str, make_user: Any,
                                                               zhongshan: Any, meishan_officer: Any) -> None:
    from minzheng.regions.models import Division

    world = leakcheck.plant_all(zhongshan, meishan_officer)
    values = {**world.plain, **world.scoped}
    child_file = values["file_id"]
    user = make_user(role, Division.objects.get(name=where))
    c = Client()
    c.force_login(user)
    problems = []
    for route, name, _ in walk(get_resolver().url_patterns):
        if name in EXEMPT or "static" in route:
            continue
        url = fill(route, values)
        for u in (url, url + ("&" if "?" in url else "?") + "export=xlsx"):
            resp = c.get(u)
            text = _text(resp) if resp.status_code == 200 else ""
            for s in CARE_SECRETS:
                if s in text:
                    problems.append(f"{u} ({name}) shows {s!r} to {role}")
            if ("/care/" in u) and "甘秘儿童" in text:
                problems.append(f"{u} ({name}) names the child to {role}")
    assert not problems, "\n".join(problems)
    # and the child's file itself is refused, not merely empty — while a role with the need reads it
    owner = Client()
    owner.force_login(meishan_officer)
    assert all(s in owner.get(f"/care/files/{child_file}/").content.decode() for s in CARE_SECRETS)
    assert c.get(f"/care/files/{child_file}/").status_code in (403, 404)
    assert c.get(f"/api/care/files/{child_file}").status_code in (403, 404)


def test_the_child_director_sees_only_their_villages_children_and_each_view_is_audited(
        family: Any, meishan_officer: Any, director: Any, make_user: Any, meishan: Any) -> None:
    other_village = meishan.children.exclude(name="中山社区居委会").order_by("code").first()
    mine_hh = family(kids=(dt.date(2015, 2, 2),))
    theirs_hh = family(village=other_village, kids=(dt.date(2015, 3, 3),))
    mine = files.open_file(actor=meishan_officer, person=mine_hh.members.order_by("-birth_date").first(),
                           group=Group.CHILD, responsible=None)
    theirs = files.open_file(actor=meishan_officer, person=theirs_hh.members.order_by("-birth_date").first(),
                             group=Group.CHILD)
    elder = files.open_file(actor=meishan_officer, person=mine_hh.members.order_by("birth_date").first(),
                            group=Group.ELDER)
    c = Client()
    c.force_login(director)
    page = c.get("/care/mine/").content.decode()
    assert mine.person.name in page and theirs.person.name not in page and elder.person.name not in page
    assert c.get(f"/care/files/{theirs.pk}/").status_code == 404
    assert c.get(f"/care/files/{elder.pk}/").status_code == 403
    before = AuditEntry.objects.filter(action="care.child.view").count()
    assert c.get(f"/care/files/{mine.pk}/").status_code == 200
    assert AuditEntry.objects.filter(action="care.child.view").count() == before + 1


def test_the_child_director_records_a_visit_on_a_phone_form(family: Any, meishan_officer: Any, director: Any) -> None:
    hh = family(kids=(dt.date(2014, 4, 4),))
    f = files.open_file(actor=meishan_officer, person=hh.members.order_by("-birth_date").first(), group=Group.CHILD)
    c = Client()
    c.force_login(director)
    form = c.get(f"/care/files/{f.pk}/visit/").content.decode()
    assert 'name="viewport"' in form and "a_seen_child" in form and 'capture="environment"' in form
    data = {f"a_{k}": ("1" if v is True else "0" if v is False else v) for k, v in CHILD_ANSWERS.items()}
    resp = c.post(f"/care/files/{f.pk}/visit/", {**data, "mode": "home", "client_id": "web-x1"})
    assert resp.status_code == 302
    f.refresh_from_db()
    assert f.last_visit_on is not None and f.visits.get().visitor == director
    # a missing answer is a 422 naming it, and nothing more is written
    bad = c.post(f"/care/files/{f.pk}/visit/", {"mode": "home"})
    assert bad.status_code == 422 and "请填写“见到儿童本人”" in bad.content.decode()
    assert f.visits.count() == 1
