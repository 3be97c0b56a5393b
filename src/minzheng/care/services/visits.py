"""One way to record a visit, for every group and every caller (pages, API, the offline village app, the demo).

`record_visit(actor, file, data, photo=None)` takes plain data, validates all of it before writing anything, and
raises ValidationError naming the field in Chinese. A `client_id` makes it safe to send the same visit twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.policy import services as policy
from minzheng.purchased import photos

from .. import rules
from ..access import require_visit
from ..models import CareFile, Group, Referral, ReferralTo, Risk, Visit, VisitMode
from .common import event, params, who

NEED_CATEGORIES = {"hardship": "发现困难家庭", "risk": "安全风险隐患", "request": "群众诉求", "child": "儿童关爱",
                   "other": "其他"}


def form_for(group: str, on: dt.date, division: Any = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The group's visit form in force (a policy parameter, so it is versioned data) and its reference."""
    pv = policy.resolve(f"care.form.{group}", on=on, division=division)
    return list(pv.value), pv.ref()


def _date(raw: Any, field: str, label: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return dates.local_date(raw)
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise ValidationError({field: f"“{label}”应为日期，格式 YYYY-MM-DD"}) from None


def clean_answers(fields: list[dict[str, Any]], answers: Any) -> dict[str, Any]:
    """Answers checked against the form: required fields present, a choice one of its options, yes/no a boolean."""
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise ValidationError({"answers": "走访记录应为“项目: 内容”的对象"})
    known = {f["code"] for f in fields}
    unknown = [k for k in answers if k not in known]
    if unknown:
        raise ValidationError({"answers": f"走访表没有这些项目：{'、'.join(map(str, unknown))}"})
    out: dict[str, Any] = {}
    for f in fields:
        code, label, kind = f["code"], f["label"], f.get("type", "text")
        raw = answers.get(code)
        empty = raw is None or (isinstance(raw, str) and not raw.strip())
        if empty:
            if f.get("required"):
                raise ValidationError({f"answers.{code}": f"请填写“{label}”"})
            continue
        if kind == "bool":
            if isinstance(raw, bool):
                out[code] = raw
            elif str(raw).strip().lower() in ("1", "true", "yes", "on", "是"):
                out[code] = True
            elif str(raw).strip().lower() in ("0", "false", "no", "off", "否"):
                out[code] = False
            else:
                raise ValidationError({f"answers.{code}": f"“{label}”应为“是”或“否”"})
        elif kind == "choice":
            if str(raw) not in f.get("choices", []):
                raise ValidationError({f"answers.{code}": f"“{label}”应为：{'、'.join(f.get('choices', []))}"})
            out[code] = str(raw)
        else:
            text = str(raw).strip()
            if len(text) > 1000:
                raise ValidationError({f"answers.{code}": f"“{label}”不超过 1000 字"})
            out[code] = text
    return out


def _photo(photo: Any, on: dt.date, division: Any) -> tuple[Any, str]:
    if not photo:
        return None, ""
    if isinstance(photo, (bytes, bytearray)):
        photo = SimpleUploadedFile("photo.jpg", bytes(photo))
    max_kb = int(policy.value("care.visit.photo_max_kb", on=on, division=division))
    # Re-encoded as the purchased-service records are: no EXIF (GPS position) survives, upright, bounded size.
    return photos.clean(photo, max_kb=max_kb)


def _existing(client_id: str, file: CareFile, actor: Any) -> Visit | None:
    prior = Visit.objects.filter(client_id=client_id).first()
    if prior is None:
        return None
    if prior.file_id != file.pk or (actor is not None and prior.visitor_id not in (None, actor.pk)):
        raise ValidationError({"client_id": "该客户端编号已用于另一次走访"})
    return prior


def record_visit(actor: Any, file: CareFile, data: dict[str, Any], photo: Any = None, *,
                 now: dt.datetime | None = None) -> Visit:
    """Record a visit. `data`: visited_on (date or YYYY-MM-DD), mode (home/phone/video), answers {code: value} per
    the group's form, findings, risk (high/medium/low, optional), occasion (优抚 holiday), need {category,
    description} to open a 民情 item, referral {to, reason}, client_id (optional, unique: a resend returns the first).
    Nothing is written unless all of it is valid."""
    now = now or dates.now()
    today = dates.local_date(now)
    if not isinstance(data, dict):
        raise ValidationError({"__all__": "走访数据应为对象"})
    client_id = str(data.get("client_id") or "").strip() or None
    if client_id is not None:
        if len(client_id) > 64:
            raise ValidationError({"client_id": "客户端编号不超过 64 个字符"})
        prior = _existing(client_id, file, actor)
        if prior is not None:
            return prior
    require_visit(actor, file)
    if not file.is_open:
        raise ValidationError({"file": "该档案已结案，不能再记录走访"})
    visited_on = _date(data.get("visited_on") or today, "visited_on", "走访日期")
    if visited_on > today:
        raise ValidationError({"visited_on": "走访日期不能晚于今天"})
    if visited_on < file.opened_on - dt.timedelta(days=366):
        raise ValidationError({"visited_on": "走访日期早于建档日期一年以上"})
    mode = str(data.get("mode") or VisitMode.HOME)
    if mode not in VisitMode.values:
        raise ValidationError({"mode": "走访方式应为上门、电话或视频"})
    fields, form_ref = form_for(file.group, visited_on, file.village)
    answers = clean_answers(fields, data.get("answers"))
    findings = str(data.get("findings") or "").strip()
    if len(findings) > 2000:
        raise ValidationError({"findings": "发现情况不超过 2000 字"})
    risk = str(data.get("risk") or "")
    if risk and risk not in Risk.values:
        raise ValidationError({"risk": "风险等级应为高、中、低"})
    occasion = str(data.get("occasion") or "").strip()
    if occasion:
        allowed = list(policy.value("care.youfu.holiday_occasions", on=visited_on, division=file.village))
        if file.group != Group.YOUFU or occasion not in allowed:
            raise ValidationError({"occasion": f"节日走访仅限优抚对象：{'、'.join(allowed)}"})
    need = data.get("need") or None
    if need is not None:
        if not isinstance(need, dict) or need.get("category") not in NEED_CATEGORIES:
            raise ValidationError({"need.category": "请选择发现需求的类别"})
        if file.group != Group.CHILD and len(str(need.get("description") or "").strip()) < 5:
            raise ValidationError({"need.description": "请写清楚发现的需求（至少 5 个字）"})
    referral = data.get("referral") or None
    if referral is not None:
        if not isinstance(referral, dict) or referral.get("to") not in ReferralTo.values:
            raise ValidationError({"referral.to": "请选择转介部门"})
        if len(str(referral.get("reason") or "").strip()) < 4:
            raise ValidationError({"referral.reason": "请写明转介事由（至少 4 个字）"})
    upload, digest = _photo(photo, today, file.village)
    try:
        return _write(actor, file, now=now, visited_on=visited_on, mode=mode, form_ref=form_ref, answers=answers,
                      findings=findings, risk=risk, occasion=occasion, need=need, referral=referral, upload=upload,
                      digest=digest, client_id=client_id)
    except IntegrityError:
        # The same client id arrived twice at once: the other request recorded it.
        if client_id is not None:
            prior = _existing(client_id, file, actor)
            if prior is not None:
                return prior
        raise


@transaction.atomic
def _write(actor: Any, file: CareFile, *, now: dt.datetime, visited_on: dt.date, mode: str, form_ref: dict[str, Any],
           answers: dict[str, Any], findings: str, risk: str, occasion: str, need: dict[str, Any] | None,
           referral: dict[str, Any] | None, upload: Any, digest: str, client_id: str | None) -> Visit:
    file = CareFile.objects.select_for_update().get(pk=file.pk)
    visit = Visit.objects.create(
        file=file, visited_on=visited_on, mode=mode, visitor=actor if getattr(actor, "pk", None) else None,
        visitor_name=who(actor), form=form_ref, answers=answers, findings=findings, risk=risk, occasion=occasion,
        photo=upload or "", photo_hash=digest, client_id=client_id, created_at=now)
    if need is not None:
        visit.need = _open_need(actor, file, need, now)
    if referral is not None:
        visit.referral = Referral.objects.create(file=file, to=referral["to"], reason=str(referral["reason"]).strip(),
                                                 opened_on=visited_on, created_by=who(actor))
        event(file, "referred", f"{visit.referral.get_to_display()}（走访发现）", actor, now)
    if visit.need_id or visit.referral_id:
        visit.save(update_fields=["need", "referral"])
    if risk and risk != file.risk:
        file.risk = risk
        file.risk_reasons = [f"{visited_on} 走访评估：{findings[:100] or '见走访记录'}"]
    if file.last_visit_on is None or visited_on >= file.last_visit_on:
        file.last_visit_on = visited_on
        file.next_due = rules.next_due(visited_on, file.group, file.risk, params(visited_on, file.village))
        file.escalation, file.escalated_at = 0, None
    file.save(update_fields=["risk", "risk_reasons", "last_visit_on", "next_due", "escalation", "escalated_at"])
    event(file, "visited", f"{visited_on} {visit.get_mode_display()}{('（' + occasion + '）') if occasion else ''}",
          actor, now)
    return visit


def _open_need(actor: Any, file: CareFile, need: dict[str, Any], now: dt.datetime) -> Any:
    """A need found on a visit becomes a 民情 item of the village (workforce's 民情直通车, with its deadline and
    escalation). A child's need goes without the child's details: 民情 items are read by roles without that need."""
    from minzheng.workforce import needs
    from minzheng.workforce.models import NeedSource

    if file.group == Group.CHILD:
        description = f"儿童关爱走访发现需求（档案编号 {file.pk}，详情见儿童关爱档案，仅限有权限人员查看）"
        category = "child"
    else:
        description = f"关爱走访（{file.get_group_display()}）发现：{str(need.get('description') or '').strip()}"
        category = str(need["category"])
    source = NeedSource.STAFF if actor is None or actor.has_cap(Cap.PROCESS_CASES) else NeedSource.COORDINATOR
    # The visit already proved the visitor's assignment; the 民情 item is filed on that ground.
    return needs.submit(village=file.village, category=category, description=description[:2000], source=source,
                        actor=actor if getattr(actor, "pk", None) else None, now=now, trusted=True)
