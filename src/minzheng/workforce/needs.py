"""民情直通车: needs and hot issues reported from villages, routed to the township with a deadline, escalated to the
district when overdue. 村(居)民政协管员 … 可将基层的热点、难点问题和群众的呼声迅速反映上来 (延平区民政局课题组, 2018)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap, Role
from minzheng.audit import context as audit_context
from minzheng.audit import services as audit
from minzheng.core import dates, workflow
from minzheng.core.scoping import in_scope, may_edit, require_edit
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from .models import NeedCategory, NeedEvent, NeedReport, NeedSource, NeedStatus, PostHolding

PHOTO_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}


def origin_hash(ip: str) -> str:
    """Keyed hash of the submitting address: enough to rate-limit, useless to identify anyone."""
    return hashlib.sha256(f"{settings.SECRET_KEY}|needs|{ip}".encode()).hexdigest()


def clean_photo(upload: Any, *, on: dt.date) -> SimpleUploadedFile | None:
    """Accept JPEG/PNG/WEBP up to the size limit; re-encode to drop metadata (GPS position in EXIF)."""
    if not upload:
        return None
    from PIL import Image, UnidentifiedImageError

    max_kb = int(policy.value("workforce.needs.photo_max_kb", on=on))
    if upload.size > max_kb * 1024:
        raise ValidationError({"photo": f"照片不能超过 {max_kb // 1024 if max_kb >= 1024 else max_kb}"
                                        f"{'MB' if max_kb >= 1024 else 'KB'}"})
    data = upload.read()
    try:
        img: Image.Image = Image.open(io.BytesIO(data))
        fmt = img.format
        img.verify()
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({"photo": "照片无法识别，请上传 JPG 或 PNG 图片"}) from exc
    if fmt not in PHOTO_FORMATS:
        raise ValidationError({"photo": "只接受 JPG、PNG、WEBP 格式的照片"})
    if img.width * img.height > 40_000_000:
        raise ValidationError({"photo": "照片像素过大"})
    ext, ctype = PHOTO_FORMATS[fmt]
    out = io.BytesIO()
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.save(out, format=fmt)
    return SimpleUploadedFile(f"photo.{ext}", out.getvalue(), content_type=ctype)


def township_assignee(township: Division) -> Any:
    """The township's 民政办主任 if they have an account, else any active township officer there."""
    from minzheng.accounts.models import User

    head = (PostHolding.objects.filter(post__division=township, post__is_head=True, end__isnull=True,
                                       staff__user__is_active=True).select_related("staff__user").first())
    if head is not None:
        return head.staff.user
    return User.objects.filter(division=township, role=Role.TOWNSHIP_OFFICER, is_active=True).order_by("id").first()


def _name(actor: Actor | None) -> str:
    if actor is None:
        return audit_context.current().username or "系统"
    return actor.full_name or actor.username


def _event(report: NeedReport, action: str, text: str = "", actor: Actor | None = None, at: dt.datetime | None = None) -> None:
    who = getattr(actor, "username", "") or audit_context.current().username or "公众"
    NeedEvent.objects.create(report=report, at=at or dates.now(), actor=who, action=action, text=text[:300])


@transaction.atomic
def submit(*, village: Division, category: str, description: str, source: str, actor: Actor | None = None,
           photo: Any = None, reporter_name: str = "", reporter_phone: str = "", ip: str = "",
           now: dt.datetime | None = None, trusted: bool = False) -> NeedReport:
    """Record a report. `trusted` is the operator's path (CLI, demo, paper forms keyed in later): no account."""
    now = now or dates.now()
    today = dates.local_date(now)
    if village is None or village.level != Level.VILLAGE:
        raise ValidationError({"village": "请选择村(社区)"})
    if category not in NeedCategory.values:
        raise ValidationError({"category": "请选择类别"})
    description = (description or "").strip()
    if len(description) < 5:
        raise ValidationError({"description": "请写清楚情况（至少 5 个字）"})
    if len(description) > 2000:
        raise ValidationError({"description": "情况描述不超过 2000 字"})
    digest = ""
    if source == NeedSource.PUBLIC:
        digest = origin_hash(ip)
        limit = int(policy.value("workforce.needs.public_hourly_limit", on=today))
        recent = NeedReport.objects.filter(origin_hash=digest, created_at__gte=now - dt.timedelta(hours=1)).count()
        if recent >= limit:
            raise ValidationError({"__all__": "提交过于频繁，请稍后再试，或直接拨打乡镇民政办电话"})
    elif not trusted:
        if actor is None or not (actor.has_cap(Cap.REPORT_NEEDS) or actor.has_cap(Cap.EDIT_BUSINESS)):
            raise PermissionDenied("您的角色不能上报民情")
        if not in_scope(actor, village):
            raise PermissionDenied("该村(社区)不在您的辖区内")
    pv = policy.resolve("workforce.needs.response_workdays", on=today, division=village)
    report = NeedReport.objects.create(
        village=village, category=category, description=description, source=source,
        photo=clean_photo(photo, on=today) or "", reporter_name=reporter_name.strip()[:64],
        reporter_phone=reporter_phone.strip()[:32], reported_by=actor, origin_hash=digest,
        assignee=township_assignee(village.parent) if village.parent else None, deadline=dates.add_workdays(today, int(pv.value)),
        deadline_rule=pv.ref(), created_at=now)
    _event(report, "reported", f"{report.get_source_display()}：{report.get_category_display()}", actor, now)
    return report


@transaction.atomic
def accept(*, actor: Actor | None, report: NeedReport) -> NeedReport:
    if actor is not None:
        require_edit(actor, report)
    if report.status != NeedStatus.NEW:
        raise ValidationError({"status": "该事项已受理"})
    report.status = NeedStatus.ACCEPTED
    if report.assignee_id is None and actor is not None:
        report.assignee = actor
    report.save(update_fields=["status", "assignee"])
    _event(report, "accepted", f"由 {_name(actor)} 受理", actor)
    return report


@transaction.atomic
def assign(*, actor: Actor, report: NeedReport, to_user: Actor) -> NeedReport:
    require_edit(actor, report)
    if not in_scope(to_user, report.village) or not to_user.has_cap(Cap.EDIT_BUSINESS):
        raise ValidationError({"assignee": "承办人须为该村所属辖区内可办理业务的人员"})
    report.assignee = to_user
    report.save(update_fields=["assignee"])
    _event(report, "assigned", f"转交 {to_user.full_name or to_user.username}", actor)
    return report


@transaction.atomic
def resolve(*, actor: Actor | None, report: NeedReport, resolution: str, at: dt.datetime | None = None) -> NeedReport:
    if actor is not None:
        require_edit(actor, report)
    if actor is not None and not actor.has_cap(Cap.PROCESS_CASES):
        raise PermissionDenied("办结由乡镇(街道)或区民政局办理")
    if report.status == NeedStatus.RESOLVED:
        raise ValidationError({"status": "该事项已办结"})
    resolution = (resolution or "").strip()
    if len(resolution) < 2:
        raise ValidationError({"resolution": "请填写办理结果"})
    report.status = NeedStatus.RESOLVED
    report.resolution = resolution
    report.resolved_at = at or dates.now()
    report.resolved_by = _name(actor)
    if report.assignee_id is None and actor is not None:
        report.assignee = actor
    report.save(update_fields=["status", "resolution", "resolved_at", "resolved_by", "assignee"])
    _event(report, "resolved", resolution, actor, report.resolved_at)
    return report


def offers(report: NeedReport, actor: Actor) -> set[str]:
    """受理 a new report, 办结 or 转交 an open one: the township or district officer of its village (the village
    coordinator reports and follows up, but does not handle) — accept / resolve / assign above."""
    if not report.is_open or not may_edit(actor, report, Cap.PROCESS_CASES):
        return set()
    return {"resolve", "assign"} | ({"accept"} if report.status == NeedStatus.NEW else set())


def register_offers() -> None:
    workflow.register(NeedReport, ["accept", "resolve", "assign"], offers)


def overdue(qs: QuerySet[NeedReport], today: dt.date | None = None) -> QuerySet[NeedReport]:
    today = today or dates.today()
    return qs.exclude(status=NeedStatus.RESOLVED).filter(deadline__lt=today)


def district_queue(qs: QuerySet[NeedReport], today: dt.date | None = None) -> QuerySet[NeedReport]:
    """What the district must watch: open items that are escalated or past their deadline (computed, so an item
    shows up the day it becomes overdue even before the escalation job has run)."""
    today = today or dates.today()
    return qs.exclude(status=NeedStatus.RESOLVED).filter(Q(escalated_at__isnull=False) | Q(deadline__lt=today))


@transaction.atomic
def escalate_overdue(today: dt.date | None = None) -> int:
    """Mark open items past their deadline as escalated to the district. Running it twice escalates nothing new."""
    today = today or dates.today()
    items = list(overdue(NeedReport.objects.all(), today).filter(escalated_at__isnull=True))
    now = dates.now()
    for r in items:
        r.escalated_at = now
        r.save(update_fields=["escalated_at"])
        _event(r, "escalated", f"超过办理期限 {r.deadline}，提级至区民政局督办")
    if items:
        audit.record("workforce.needs.escalate", summary=f"民情事项逾期提级 {len(items)} 件",
                     detail={"ids": [r.pk for r in items], "on": str(today)})
    return len(items)


def stats(qs: QuerySet[NeedReport]) -> dict[str, Any]:
    labels = dict(NeedCategory.choices)
    by_cat = {labels[k]: n for k, n in qs.values_list("category").annotate(n=Count("id")).order_by("category")}
    by_village = list(qs.values("village__name", "village__parent__name").annotate(n=Count("id")).order_by("-n")[:15])
    status = Counter(dict(qs.values_list("status").annotate(n=Count("id"))))
    return {"by_category": by_cat, "by_village": by_village,
            "by_status": {str(NeedStatus(k).label): status.get(k, 0) for k in NeedStatus.values}}
