"""Sync that loses nothing and duplicates nothing: each record accepted once, refusals in Chinese with nothing
written, conflicts when the server's copy changed, resumable photos, and a phone the township takes back."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from minzheng.accounts.roles import Role
from minzheng.assistance import services as assistance
from minzheng.assistance.models import Application, Investigation, Status
from minzheng.audit.models import AuditEntry
from minzheng.core import dates
from minzheng.fieldapp import kinds
from minzheng.fieldapp.models import FieldDevice, SyncReceipt
from minzheng.purchased.demo import photo_bytes
from minzheng.purchased.models import ServiceRecord
from minzheng.workforce.models import NeedReport
from tests.assistance.wf_fixtures import dibao_family
from tests.conftest import TEST_PASSWORD

from .conftest import Phone, record

pytestmark = pytest.mark.django_db


def need(zhongshan: Any, text: str = "村东头王大爷独居，屋顶漏雨需要修缮", **kw: Any) -> dict[str, Any]:
    return record("need", {"village": zhongshan.code, "category": "hardship", "description": text}, **kw)


def test_a_phone_signs_in_with_the_password_and_only_field_roles_may(
        phone: Callable[[Any], Phone], coordinator: Any, district_admin: Any) -> None:
    # given / when: a coordinator signs in
    p = phone(coordinator)
    # then: the key works and only its hash is kept
    assert p.key.startswith("mzf_") and FieldDevice.objects.filter(key_hash=FieldDevice.digest(p.key)).exists()
    assert AuditEntry.objects.filter(action="auth.login", summary__contains="外勤App").exists()
    # a wrong password and an office role are refused in Chinese
    bad = Client().post("/api/fieldapp/login", {"username": coordinator.username, "password": "nope"},
                        content_type="application/json")
    assert bad.status_code == 403 and "密码" in bad.json()["detail"]
    office = Client().post("/api/fieldapp/login", {"username": district_admin.username, "password": TEST_PASSWORD},
                           content_type="application/json")
    assert office.status_code == 403 and "外勤App" in office.json()["detail"]


def test_the_offline_copy_holds_the_assigned_work_masked(phone: Callable[[Any], Phone], coordinator: Any,
                                                         zhongshan: Any, meishan_officer: Any,
                                                         xiadao_village: Any) -> None:
    # given: a case under investigation in the coordinator's village, one in another township
    hh, head, _ = dibao_family(zhongshan)
    app = assistance.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                        applicant=head, received_on=dates.today())
    assistance.start_investigation(app, actor=meishan_officer)
    # when
    work = phone(coordinator).work()
    # then: the case, its household with the ID number masked (a coordinator may not see it whole)
    assert [c["number"] for c in work["cases"]] == [app.number]
    [h] = work["households"]
    assert h["head"] == head.name and h["id_number"] != head.id_number and "*" in h["id_number"]
    assert h["phone"].count("*") >= 4
    assert {k["code"] for k in work["kinds"]} == {"need", "investigation", "disaster", "visit"}
    assert work["villages"] == [{"code": zhongshan.code, "name": zhongshan.name}]
    assert work["synced_at"] and work["idle_minutes"] >= 5


def test_a_record_sent_twice_is_written_once_and_the_repeat_gets_the_first_answer(
        phone: Callable[[Any], Phone], coordinator: Any, zhongshan: Any) -> None:
    p = phone(coordinator)
    rec = need(zhongshan)
    # when: the batch is sent, the answer is lost, and it is sent again
    [first] = p.send(rec)
    [again] = p.send(rec)
    # then
    assert first["status"] == "accepted" and first["ref"].startswith("MQ")
    assert again == {**first, "repeat": True}
    assert NeedReport.objects.filter(reported_by=coordinator).count() == 1
    assert SyncReceipt.objects.filter(user=coordinator, client_id=rec["client_id"]).count() == 1


def test_a_refused_record_comes_back_in_chinese_writes_nothing_and_can_be_corrected(
        phone: Callable[[Any], Phone], coordinator: Any, zhongshan: Any) -> None:
    p = phone(coordinator)
    rec = need(zhongshan, text="漏雨")
    before = AuditEntry.objects.exclude(action__startswith="auth.").count()
    [answer] = p.send(rec)
    assert answer["status"] == "rejected" and "至少 5 个字" in answer["message"]
    assert "description" in answer["errors"]
    assert not NeedReport.objects.exists() and AuditEntry.objects.exclude(action__startswith="auth.").count() == before
    # when: the worker corrects it on the phone and the same record goes again
    rec["data"]["description"] = "村东头王大爷家屋顶漏雨，需要修缮"
    [fixed] = p.send(rec)
    assert fixed["status"] == "accepted" and NeedReport.objects.count() == 1


def test_a_kind_outside_the_role_and_a_village_outside_the_scope_are_refused(
        phone: Callable[[Any], Phone], coordinator: Any, xiadao_village: Any) -> None:
    p = phone(coordinator)
    [other] = p.send(need(xiadao_village))
    [service] = p.send(record("service", {"order": 1}))
    assert other["status"] == "rejected" and "辖区" in other["message"]
    assert service["status"] == "rejected" and "角色" in service["message"]
    assert not NeedReport.objects.exists()


def test_an_investigation_on_a_case_changed_meanwhile_is_a_conflict_not_an_overwrite(
        phone: Callable[[Any], Phone], coordinator: Any, zhongshan: Any, meishan_officer: Any) -> None:
    # given: the phone took the case at its version
    hh, head, _ = dibao_family(zhongshan)
    app = assistance.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                        applicant=head, received_on=dates.today())
    assistance.start_investigation(app, actor=meishan_officer)
    p = phone(coordinator)
    [case] = p.work()["cases"]
    form = {"application": case["id"], "visited_on": dates.today().isoformat(), "investigator_1": "张伟",
            "investigator_2": "李娜", "investigator_1_signed": True, "investigator_2_signed": True,
            "applicant_signed": True, "findings": "家庭收入低"}
    # when: the township withdraws the case while the phone is offline
    assistance.withdraw(Application.objects.get(pk=app.pk), actor=meishan_officer, text="申请人撤回")
    [answer] = p.send(record("investigation", form, base_version=case["version"]))
    # then: shown as a conflict, nothing written
    assert answer["status"] == "conflict" and "离线期间已被他人处理" in answer["message"]
    assert not Investigation.objects.exists()


def test_an_investigation_taken_offline_is_recorded_through_the_case_workflow(
        phone: Callable[[Any], Phone], coordinator: Any, zhongshan: Any, meishan_officer: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    app = assistance.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                        applicant=head, received_on=dates.today())
    assistance.start_investigation(app, actor=meishan_officer)
    p = phone(coordinator)
    [case] = p.work()["cases"]
    form = {"application": case["id"], "visited_on": dates.today().isoformat(), "investigator_1": "张伟",
            "investigator_2": "张伟", "investigator_1_signed": True, "investigator_2_signed": True,
            "applicant_signed": True}
    [same_name] = p.send(record("investigation", form, base_version=case["version"]))
    assert same_name["status"] == "rejected" and "两名" in same_name["message"]
    form["investigator_2"] = "李娜"
    [ok] = p.send(record("investigation", form, base_version=case["version"]))
    assert ok["status"] == "accepted" and ok["ref"] == app.number
    assert Application.objects.get(pk=app.pk).status != Status.INVESTIGATING
    assert Investigation.objects.get(application=app).investigator_2 == "李娜"


def upload(p: Phone, data: bytes, client_id: str, *, cut: int | None = None) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    r = p.call("post", "uploads", {"client_id": client_id, "size": len(data), "sha256": digest})
    assert r.status_code == 200, r.content
    offset = r.json()["received"]
    end = cut if cut is not None else len(data)
    while offset < end:
        piece = data[offset:min(offset + 4096, end)]
        r = p.call("post", f"uploads/{client_id}/chunk?offset={offset}", piece,
                   content_type="application/octet-stream")
        assert r.status_code == 200, r.content
        offset = r.json()["received"]
    return dict(p.call("get", f"uploads/{client_id}").json())


def test_a_photo_resumes_after_an_interruption_and_travels_with_its_record(
        phone: Callable[[Any], Phone], coordinator: Any, zhongshan: Any) -> None:
    p = phone(coordinator)
    data = photo_bytes(3)
    # when: the signal drops a third of the way, the phone asks where to resume and sends the rest
    half = upload(p, data, "photo-0001-aaaa", cut=len(data) // 3)
    assert 0 < half["received"] < len(data) and not half["complete"]
    # a piece sent again after a lost answer is harmless; a piece beyond what arrived is refused
    gap = p.call("post", f"uploads/photo-0001-aaaa/chunk?offset={half['received'] + 10}", b"xx",
                 content_type="application/octet-stream")
    assert gap.status_code == 422 and "续传" in gap.json()["detail"]
    done = upload(p, data, "photo-0001-aaaa")
    assert done["complete"] and done["received"] == len(data)
    # a record using the photo is written with it
    [answer] = p.send(need(zhongshan, photos={"photo": "photo-0001-aaaa"}))
    assert answer["status"] == "accepted"
    assert NeedReport.objects.get().photo.name.startswith("workforce/needs/")


def test_a_photo_that_arrives_damaged_is_refused(phone: Callable[[Any], Phone], coordinator: Any) -> None:
    p = phone(coordinator)
    data = photo_bytes(4)
    r = p.call("post", "uploads", {"client_id": "photo-bad-0001", "size": len(data),
                                    "sha256": hashlib.sha256(b"other").hexdigest()})
    assert r.status_code == 200
    r = p.call("post", "uploads/photo-bad-0001/chunk?offset=0", data, content_type="application/octet-stream")
    assert r.status_code == 422 and "校验不符" in r.json()["detail"]
    assert p.call("get", "uploads/photo-bad-0001").json()["received"] == 0


def test_service_records_by_a_provider_worker(phone: Callable[[Any], Phone], world: Any) -> None:
    p = phone(world.worker_user)
    work = p.work()
    assert {o["id"] for o in work["orders"]} == {world.order.pk, world.order2.pk}
    assert all("*" in o["id_number"] for o in work["orders"])
    day = dt.date(2025, 6, 18)
    form = {"order": world.order.pk, "started_at": f"{day}T09:00", "ended_at": f"{day}T10:00", "content": "助浴、打扫",
            "confirmation": "signature", "confirmed_by": "甲老人"}
    rec = record("service", form)
    [a] = p.send(rec)
    [b] = p.send(rec)
    assert a["status"] == "accepted" and b["repeat"] is True
    assert ServiceRecord.objects.filter(order=world.order).count() == 1
    [other] = p.send(record("service", {**form, "order": 999999}))
    assert other["status"] == "rejected" and "派单" in other["message"]


def test_the_township_revokes_a_phone_and_it_is_told_to_wipe(
        phone: Callable[[Any], Phone], coordinator: Any, meishan_officer: Any, xiadao_officer: Any,
        login: Callable[[Any], Client]) -> None:
    p = phone(coordinator)
    device = FieldDevice.objects.get(user=coordinator)
    # another township cannot see or take back this phone
    assert login(xiadao_officer).post(f"/field/devices/{device.pk}/revoke").status_code == 404
    assert coordinator.full_name not in login(xiadao_officer).get("/field/devices/").content.decode()
    # the phone's own township can
    officer = login(meishan_officer)
    assert coordinator.full_name in officer.get("/field/devices/").content.decode()
    assert officer.post(f"/field/devices/{device.pk}/revoke").status_code == 302
    # then: the phone's next contact answers 410, and the page says it was told
    r = p.call("get", "work")
    assert r.status_code == 410 and "清除" in r.json()["detail"]
    device.refresh_from_db()
    assert device.revoked and device.wiped_at is not None


def test_logout_ends_the_key(phone: Callable[[Any], Phone], coordinator: Any) -> None:
    p = phone(coordinator)
    assert p.call("post", "logout", {}).status_code == 200
    assert p.call("get", "work").status_code == 410


def test_online_unlock_checks_the_password(phone: Callable[[Any], Phone], coordinator: Any) -> None:
    p = phone(coordinator)
    assert p.call("post", "unlock", {"password": TEST_PASSWORD}).json() == {"ok": True}
    assert p.call("post", "unlock", {"password": "wrong"}).status_code == 403


def test_a_new_kind_is_one_registration(phone: Callable[[Any], Phone], coordinator: Any, zhongshan: Any) -> None:
    """How the care app's 探访 record plugs in: register a kind, and the phone may send it."""
    from minzheng.workforce import needs

    def handle(user: Any, sub: kinds.Submission) -> kinds.Accepted:
        report = needs.submit(village=zhongshan, category="child", description=str(sub.data["note"]),
                              source="coordinator", actor=user)
        return kinds.Accepted(report.reference, "探访已记录")

    kinds.register(kinds.RecordKind("visit_test", "探访（测试）", lambda u: u.role == Role.VILLAGE_COORDINATOR, handle))
    try:
        p = phone(coordinator)
        assert "visit_test" in {k["code"] for k in p.work()["kinds"]}
        [a] = p.send(record("visit_test", {"note": "留守儿童小明，学习生活正常"}))
        assert a["status"] == "accepted" and a["message"] == "探访已记录"
    finally:
        kinds._KINDS.pop("visit_test")


def test_a_childrens_director_captures_a_visit_offline_with_the_groups_own_form(zhongshan: Any, meishan_officer: Any,
                                                                                make_user: Callable[..., Any],
                                                                                phone: Callable[[Any], Phone]) -> None:
    from minzheng.care.models import Group, Visit
    from minzheng.care.services import files
    from minzheng.registry import idnumber
    from minzheng.registry import services as registry
    from minzheng.registry.models import HukouType, Relation
    from tests.care.conftest import CHILD_ANSWERS

    director = make_user(Role.CHILD_DIRECTOR, zhongshan, username="ertong_phone")
    hh = registry.create_household(actor=meishan_officer, division=zhongshan, hukou_type=HukouType.RURAL,
                                   address="关爱路", head={"name": "祖母甲", "id_number": idnumber.make(
                                       "350702", dt.date(1950, 3, 1), 21)})
    child = registry.add_person(actor=meishan_officer, household=hh, name="孩子乙",
                                id_number=idnumber.make("350702", dt.date(2016, 5, 1), 22),
                                relation=Relation.GRANDCHILD)
    f = files.open_file(actor=director, person=child, group=Group.CHILD)
    p = phone(director)
    work = p.work()
    [visit_kind] = [k for k in work["extra"] if k["code"] == "visit"]
    [item] = [i for i in visit_kind["items"] if i["id"] == f.pk]
    names = {x["name"] for x in item["form"]}
    assert {"visited_on", "a_seen_child", "a_schooling", "photo"} <= names   # the child form in force
    data = {"item": f.pk, "visited_on": dates.today().isoformat(), "findings": "生活正常",
            **{f"a_{k}": ("是" if v is True else "否" if v is False else v) for k, v in CHILD_ANSWERS.items()}}
    rec = record("visit", data)
    [first] = p.send(rec)
    assert first["status"] == "accepted" and first["message"] == "走访已记录", first
    [again] = p.send(rec)                                  # a resend is answered with the first answer
    assert again["repeat"] and {k: v for k, v in again.items() if k != "repeat"} == first
    assert Visit.objects.filter(file=f).count() == 1
    # a missing required answer comes back with the field named, nothing written
    bad = {k: v for k, v in data.items() if k != "a_schooling"}
    [refused] = p.send(record("visit", bad))
    assert refused["status"] == "rejected" and "就学情况" in str(refused), refused
    assert Visit.objects.filter(file=f).count() == 1


def test_a_lockout_holds_the_phone_until_the_password_is_given_again(
        phone: Callable[[Any], Phone], coordinator: Any) -> None:
    """Someone guessing the password locks the account: its phone stops syncing (423, not 410: its unsynced work is
    kept, nothing is wiped); during the lock even the right password is refused; after it, the password releases it."""
    from minzheng.accounts import backends
    from minzheng.accounts.models import LoginAttempt, SecuritySettings

    p = phone(coordinator)
    assert p.call("get", "work").status_code == 200
    for _ in range(SecuritySettings.current().lockout_threshold):
        backends.register_failure(coordinator.username, ip="10.0.0.9")
    device = FieldDevice.objects.get(user=coordinator)
    assert device.reauth_since is not None and not device.revoked
    r = p.call("get", "work")
    assert r.status_code == 423 and "重新输入密码" in r.json()["detail"]
    assert p.call("post", "sync", {"records": []}).status_code == 423
    locked = p.call("post", "unlock", {"password": TEST_PASSWORD})
    assert locked.status_code == 403 and "锁定" in locked.json()["detail"]
    assert "外勤设备 1 台须重新验证" in AuditEntry.objects.filter(action="auth.lockout").latest("id").summary
    # the lock ends
    LoginAttempt.objects.filter(username=coordinator.username).update(
        locked_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert p.call("post", "unlock", {"password": "wrong"}).status_code == 403
    assert p.call("get", "work").status_code == 423
    assert p.call("post", "unlock", {"password": TEST_PASSWORD}).status_code == 200
    assert p.call("get", "work").status_code == 200
    device.refresh_from_db()
    assert device.reauth_since is None and device.wiped_at is None


def test_photos_no_record_took_are_swept_after_the_keep_period(
        phone: Callable[[Any], Phone], coordinator: Any, settings: Any, tmp_path: Any) -> None:
    """A half-sent photo (a phone wiped or lost) is a picture of a family on the server: the daily sweep deletes it
    and stray piece files after MINZHENG_FIELD_UPLOAD_KEEP_DAYS; a recent one is left for its phone to finish."""
    from pathlib import Path

    from minzheng.fieldapp import uploads
    from minzheng.fieldapp.models import ChunkedUpload

    # A folder of its own: the suite runs on SQLite then PostgreSQL in one MINZHENG_HOME, and the first run's
    # photos (under another user id) would be swept here too.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    p = phone(coordinator)
    data = photo_bytes(5)
    upload(p, data, "photo-old-0001", cut=len(data) // 2)
    upload(p, data, "photo-new-0001", cut=len(data) // 2)
    ChunkedUpload.objects.filter(client_id="photo-old-0001").update(created_at=dates.now() - dt.timedelta(days=15))
    stray = Path(settings.MEDIA_ROOT) / "fieldapp" / "uploads" / str(coordinator.pk) / "photo-gone-0001.part"
    stray.write_bytes(b"x")
    root = Path(settings.MEDIA_ROOT) / "fieldapp" / "uploads" / str(coordinator.pk)
    assert uploads.sweep_task(None)["removed"] == 2
    assert sorted(f.name for f in root.iterdir()) == ["photo-new-0001.part"]
    assert list(ChunkedUpload.objects.values_list("client_id", flat=True)) == ["photo-new-0001"]
    assert upload(p, data, "photo-new-0001")["complete"]    # the recent one still finishes
