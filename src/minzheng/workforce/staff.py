"""Staff registry actions: create posts and people, change who holds a post, and hand work over.

A change of hands (调整/离岗) is one transaction: the old holding closes, the new one opens, every app moves the leaver's
open items to the receiver (core.handover), and the hand-over record proves nothing stayed behind — otherwise the
whole change is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit import context as audit_context
from minzheng.audit import services as audit
from minzheng.core import handover as core_handover
from minzheng.core.scoping import require_division, require_edit
from minzheng.regions.models import Division, Level

from .models import (
    TOWNSHIP_KINDS,
    VILLAGE_KINDS,
    EndReason,
    Handover,
    NeedReport,
    NeedStatus,
    Post,
    PostHolding,
    PostKind,
    StaffMember,
    WorkNote,
)

LEVEL_OF_KIND = {
    PostKind.DISTRICT: Level.COUNTY,
    **{k: Level.TOWNSHIP for k in TOWNSHIP_KINDS},
    **{k: Level.VILLAGE for k in VILLAGE_KINDS},
}


def _actor_name(actor: Actor | None) -> str:
    return getattr(actor, "username", "") or audit_context.current().username


@transaction.atomic
def create_post(*, division: Division, kind: str, actor: Actor | None = None, title: str = "", established: bool = True,
                is_head: bool = False) -> Post:
    if actor is not None:
        require_division(actor, division, Cap.EDIT_BUSINESS)
    if kind not in PostKind.values:
        raise ValidationError({"kind": f"未知岗位类别：{kind}"})
    if LEVEL_OF_KIND[PostKind(kind)] != division.level:
        raise ValidationError({"division": f"“{PostKind(kind).label}”岗位应设在{LEVEL_OF_KIND[PostKind(kind)].label}一级"})
    return Post.objects.create(division=division, kind=kind, title=title, established=established, is_head=is_head)


@transaction.atomic
def create_staff(*, division: Division, name: str, actor: Actor | None = None, **fields: Any) -> StaffMember:
    if actor is not None:
        require_division(actor, division, Cap.EDIT_BUSINESS)
    if not name.strip():
        raise ValidationError({"name": "请填写姓名"})
    return StaffMember.objects.create(division=division, name=name.strip(), **fields)


@transaction.atomic
def appoint(*, post: Post, staff: StaffMember, start: dt.date, actor: Actor | None = None, employment: str = "full",
            cohort: int | None = None, note: str = "") -> PostHolding:
    """Put someone into a vacant post."""
    if actor is not None:
        require_edit(actor, post)
    if post.holdings.filter(end__isnull=True).exists():
        raise ValidationError({"post": "该岗位已有在岗人员，请办理交接"})
    last = post.holdings.order_by("-end").first()
    if last is not None and last.end and start < last.end:
        raise ValidationError({"start": f"到岗日期不能早于上一任离岗日期 {last.end}"})
    return PostHolding.objects.create(post=post, staff=staff, start=start, employment=employment, cohort=cohort,
                                      note=note)


def receiver_for(post: Post, successor: StaffMember | None) -> Any:
    """Who takes the leaver's open items: the successor's account, else the township's current head with one."""
    if successor is not None and successor.user_id:
        return successor.user
    from .selectors import township_of

    township = township_of(post.division)
    head = (PostHolding.objects.filter(post__division=township, post__is_head=True, end__isnull=True,
                                       staff__user__isnull=False)
            .exclude(post=post).select_related("staff__user").first()) if township else None
    return head.staff.user if head else None


@transaction.atomic
def hand_over(*, post: Post, on: dt.date, reason: str, actor: Actor | None = None, successor: StaffMember | None = None,
              employment: str = "full", cohort: int | None = None, receiver: Any = None,
              note: str = "") -> Handover:
    """End the current holding of `post` on `on`, move the leaver's open work, and open the successor's holding."""
    if actor is not None:
        require_edit(actor, post)
    current = post.holdings.filter(end__isnull=True).select_related("staff__user").first()
    if current is None:
        raise ValidationError({"post": "该岗位目前空缺，请直接任命"})
    if reason not in EndReason.values:
        raise ValidationError({"reason": "请选择离岗原因"})
    if on < current.start:
        raise ValidationError({"date": f"交接日期不能早于现任到岗日期 {current.start}"})
    if successor is not None and successor.pk == current.staff_id:
        raise ValidationError({"successor": "接任人不能是离岗人本人"})
    leaver = current.staff
    receiver = receiver or receiver_for(post, successor)
    moved: dict[str, int] = {}
    left: dict[str, int] = {}
    if (leaving := leaver.user) is not None:
        before = core_handover.open_items(leaving)
        if before and receiver is None:
            raise ValidationError({"receiver": "离岗人名下有未办事项，请指定接收账号（接任人无账号时可指定乡镇民政助理员）"})
        if receiver is not None and receiver.pk == leaving.pk:
            raise ValidationError({"receiver": "接收账号不能是离岗人本人"})
        if receiver is not None:
            moved = {k: v for k, v in core_handover.move_all(leaving, receiver).items() if v}
        left = core_handover.open_items(leaving)
        if left:
            # Something would stay with someone who is gone: refuse the whole change.
            raise ValidationError({"__all__": "交接后离岗人名下仍有未办事项：" +
                                   "、".join(f"{k} {v} 项" for k, v in left.items())})
    current.end = on
    current.end_reason = reason
    current.save(update_fields=["end", "end_reason"])
    if successor is not None:
        PostHolding.objects.create(post=post, staff=successor, start=on, employment=employment, cohort=cohort)
    record = Handover.objects.create(post=post, leaver=leaver, successor=successor, receiver=receiver, date=on,
                                     reason=reason, moved=moved, left_open=left, note=note,
                                     performed_by=_actor_name(actor))
    audit.record("workforce.handover", obj=record, summary=f"工作交接：{post} {leaver}→{successor or '空缺'}",
                 detail={"moved": moved, "left_open": left})
    return record


# --- Hand-over handlers for this app's own items ---------------------------------------------------------------


def _move_needs_and_notes(from_user: Actor, to_user: Actor) -> dict[str, int]:
    needs = NeedReport.objects.filter(assignee=from_user).exclude(status=NeedStatus.RESOLVED)
    n = needs.count()
    if n:
        needs.update(assignee=to_user)
    notes = WorkNote.objects.filter(owner=from_user, closed=False)
    m = notes.count()
    if m:
        notes.update(owner=to_user)
    if n or m:
        audit.record("workforce.handover.move", summary=f"移交民情事项 {n} 件、工作笔记 {m} 条",
                     detail={"from": from_user.username, "to": to_user.username, "needs": n, "notes": m})
    return {"民情事项": n, "工作笔记": m}


def _open_needs_and_notes(user: Actor) -> dict[str, int]:
    return {
        "民情事项": NeedReport.objects.filter(assignee=user).exclude(status=NeedStatus.RESOLVED).count(),
        "工作笔记": WorkNote.objects.filter(owner=user, closed=False).count(),
    }


def register_handover() -> None:
    core_handover.register(_move_needs_and_notes, _open_needs_and_notes)


@transaction.atomic
def add_note(*, actor: Actor, division: Division, title: str, body: str = "",
             follow_up: dt.date | None = None) -> WorkNote:
    require_division(actor, division, Cap.EDIT_BUSINESS)
    if not title.strip():
        raise ValidationError({"title": "请填写事项"})
    return WorkNote.objects.create(division=division, owner=actor, title=title.strip(), body=body,
                                   follow_up=follow_up)


@transaction.atomic
def close_note(*, actor: Actor, note: WorkNote) -> WorkNote:
    require_edit(actor, note)
    note.closed = True
    note.save(update_fields=["closed"])
    return note
