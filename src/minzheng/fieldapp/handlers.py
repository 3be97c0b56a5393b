"""The phone tasks the system has today, each written by the service that owns it (audit, jurisdiction and rules
are theirs): 民情 reports with a photo, 入户调查, purchased-service records and a disaster 初报 with its figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap, Role, is_outside
from minzheng.core import dates
from minzheng.core.scoping import get_visible, visible

from . import uploads
from .kinds import Accepted, Conflict, RecordKind, Submission, register


def text(data: Mapping[str, Any], key: str, limit: int = 2000) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise ValidationError({key: "格式不正确"})
    return str(value).strip()[:limit]


def record_id(data: Mapping[str, Any], key: str, label: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit() \
            or not 0 < int(value) < 2**31:
        raise ValidationError({key: f"请选择{label}"})
    return int(value)


def when(data: Mapping[str, Any], key: str, label: str) -> dt.datetime:
    """A time the phone recorded, in ISO 8601 (with its offset; a bare one is Beijing time)."""
    raw = text(data, key, 40)
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({key: f"{label}格式不正确"}) from exc
    return value if value.tzinfo else dates.aware(value)


def day(data: Mapping[str, Any], key: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text(data, key, 10))
    except ValueError as exc:
        raise ValidationError({key: f"{label}格式不正确（应为 年-月-日）"}) from exc


def photo(sub: Submission, field: str, user: Actor) -> Any:
    name = sub.photos.get(field)
    return uploads.as_file(user, name, field) if name else None


# --- 民情 ------------------------------------------------------------------------------------------------------


def _need_allowed(user: Actor) -> bool:
    return not is_outside(user) and (user.has_cap(Cap.REPORT_NEEDS) or user.has_cap(Cap.EDIT_BUSINESS))


def _need(user: Actor, sub: Submission) -> Accepted:
    from minzheng.regions.models import Division
    from minzheng.workforce import needs
    from minzheng.workforce.models import NeedSource

    village = Division.objects.filter(code=text(sub.data, "village", 12)).first()
    source = NeedSource.COORDINATOR if user.role == Role.VILLAGE_COORDINATOR else NeedSource.STAFF
    report = needs.submit(village=village, category=text(sub.data, "category", 16),  # type: ignore[arg-type]
                          description=text(sub.data, "description"), source=source, actor=user,
                          photo=photo(sub, "photo", user), now=dates.now())
    return Accepted(report.reference, f"民情已上报，编号 {report.reference}")


# --- 入户调查 ----------------------------------------------------------------------------------------------------


def _investigation_allowed(user: Actor) -> bool:
    return not is_outside(user) and user.has_cap(Cap.EDIT_BUSINESS)


def _investigation(user: Actor, sub: Submission) -> Accepted:
    from minzheng.assistance.models import Application
    from minzheng.assistance.services import investigation
    from minzheng.assistance.workflow import ConcurrentUpdate

    app = get_visible(Application, user, pk=record_id(sub.data, "application", "案件"))
    if not sub.base_version.isdigit():
        raise ValidationError({"application": "缺少案件版本，请同步后重新填写"})
    if app.version != int(sub.base_version):
        raise Conflict(f"案件 {app.number} 在您离线期间已被他人处理（当前状态：{app.get_status_display()}），"
                       "您的入户调查未提交", {"status": app.get_status_display()}, str(app.version))
    neighbours = sub.data.get("neighbour_visits") or []
    if not isinstance(neighbours, list) or not all(isinstance(n, dict) for n in neighbours):
        raise ValidationError({"neighbour_visits": "邻里走访格式不正确"})
    try:
        inv = investigation.record_investigation(
            app, actor=user, visited_on=day(sub.data, "visited_on", "调查日期"),
            investigator_1=text(sub.data, "investigator_1", 64), investigator_2=text(sub.data, "investigator_2", 64),
            investigator_1_signed=sub.data.get("investigator_1_signed") is True,
            investigator_2_signed=sub.data.get("investigator_2_signed") is True,
            applicant_signed=sub.data.get("applicant_signed") is True,
            neighbour_visits=[{str(k)[:32]: str(v)[:200] for k, v in n.items()} for n in neighbours[:20]],
            living_conditions=text(sub.data, "living_conditions"), findings=text(sub.data, "findings"),
            version=int(sub.base_version))
    except ConcurrentUpdate as exc:  # changed between the check above and the row lock
        raise Conflict(exc.messages[0], {}, "") from exc
    return Accepted(app.number, f"案件 {app.number} 入户调查已记录（{inv.visited_on}）")


# --- 购买服务记录 ----------------------------------------------------------------------------------------------------


def _service_allowed(user: Actor) -> bool:
    return user.has_cap(Cap.DELIVER_SERVICES)


def _service(user: Actor, sub: Submission) -> Accepted:
    from minzheng.purchased.models import ServiceOrder
    from minzheng.purchased.services import delivery

    try:
        order = visible(ServiceOrder, user).select_related("contract").get(
            pk=record_id(sub.data, "order", "服务对象"))
    except ServiceOrder.DoesNotExist as exc:
        raise ValidationError({"order": "该服务对象不在您的派单名单中"}) from exc
    rec = delivery.record(actor=user, order=order, started_at=when(sub.data, "started_at", "开始时间"),
                          ended_at=when(sub.data, "ended_at", "结束时间"), content=text(sub.data, "content"),
                          photo=photo(sub, "photo", user), confirmation=text(sub.data, "confirmation", 16) or "none",
                          confirmed_by=text(sub.data, "confirmed_by", 64), code=text(sub.data, "code", 16))
    return Accepted(f"FW{rec.pk:06d}", f"服务记录已保存（{dates.local(rec.started_at):%m-%d %H:%M}）")


# --- 灾情初报 ----------------------------------------------------------------------------------------------------


def _disaster_allowed(user: Actor) -> bool:
    return not is_outside(user) and user.has_cap(Cap.EDIT_BUSINESS) and user.division is not None


def report_version(report: Any) -> str:
    return report.updated_at.isoformat() if report is not None else ""


def _disaster(user: Actor, sub: Submission) -> Accepted:
    from minzheng.disaster import services as disaster
    from minzheng.disaster.models import Report, Round

    rnd = Round.objects.select_related("event").filter(pk=record_id(sub.data, "round", "报送期次")).first()
    if rnd is None or user.division is None:
        raise Http404("记录不存在或不在您的辖区内")
    values = sub.data.get("values")
    if not isinstance(values, dict):
        raise ValidationError({"values": "请填写灾情数字"})
    existing = Report.objects.filter(round=rnd, division=user.division).first()
    # The phone edited the copy it last saw (none: a new report): anything saved since is someone else's work.
    if report_version(existing) != sub.base_version and (existing is not None and (existing.values or sub.base_version)):
        raise Conflict(f"{rnd.event.name} {rnd} 的报告在您离线期间已被修改（{existing.submitted_by or '他人'}），"
                       "请核对服务器上的数字后再提交",
                       {"values": existing.values, "status": existing.get_status_display()}, report_version(existing))
    report = disaster.open_report(actor=user, round=rnd, division=user.division)
    disaster.save_report(actor=user, report=report, values=values, explanation=text(sub.data, "explanation"))
    disaster.submit_report(actor=user, report=report)
    return Accepted(f"ZQ{report.pk:06d}", f"{rnd.event.name} {rnd} 已报送")


def register_all() -> None:
    register(RecordKind("need", "民情上报", _need_allowed, _need, photo_fields=("photo",)))
    register(RecordKind("investigation", "入户调查", _investigation_allowed, _investigation))
    register(RecordKind("service", "服务记录", _service_allowed, _service, photo_fields=("photo",)))
    register(RecordKind("disaster", "灾情报告", _disaster_allowed, _disaster))
