"""Payroll actions: generate (造册), prepare (提交), approve (审批), return (退回). Typed, atomic, audited.

Generation runs the pre-flight check (preflight.py): a roster with a line that cannot be paid and is not held (挂起)
cannot be submitted or approved. An approved roster whose bank file has not been made can be returned (退回) by an
approver; once the file exists, held or failed lines are paid in the next roster or a 补充花名册 (supplements.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet

if TYPE_CHECKING:
    from django.db.models import Field

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit.services import batched, record
from minzheng.core import dates
from minzheng.core.scoping import require_division, require_edit, visible, visible_divisions
from minzheng.policy.services import resolve
from minzheng.regions.models import Division, Level
from minzheng.registry.models import Programme

from . import engine, preflight
from .models import (
    COMMITTED,
    LOCKED,
    FundEntry,
    FundEntryKind,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
)

ENGINE_VERSION = "payroll-engine/1"


class PayrollError(ValidationError):
    """A payroll action that cannot be done as asked; the message says why, in Chinese."""


@dataclass
class GenerateResult:
    month: dt.date
    payrolls: list[Payroll] = field(default_factory=list)
    skipped: list[tuple[Payroll, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Pre-flight: per roster, the lines that cannot be paid; families left off because the head has died.
    blocking: dict[int, list[preflight.Blocking]] = field(default_factory=dict)
    unrostered: list[preflight.Unrostered] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((p.total for p in self.payrolls), Decimal("0.00"))

    @property
    def blocking_count(self) -> int:
        return sum(len(v) for v in self.blocking.values())

    def as_dict(self) -> dict[str, Any]:
        rows = [{"programme": p.programme.code, "programme_name": p.programme.name, "township": p.township.code,
                 "township_name": p.township.name, "payroll_id": p.pk, "status": p.status, "lines": p.line_count,
                 "total": str(p.total), "held": p.held_count, "held_total": str(p.held_total),
                 "kinds": p.snapshot.get("kinds", {}), "blocking_count": len(self.blocking.get(p.pk, [])),
                 "blocking": [b.as_dict() for b in self.blocking.get(p.pk, [])]} for p in self.payrolls]
        skipped = [{"programme": p.programme.code, "township": p.township.code, "status": p.status, "reason": why}
                   for p, why in self.skipped]
        return {"month": f"{self.month:%Y-%m}", "payrolls": rows, "skipped": skipped,
                "lines": sum(p.line_count for p in self.payrolls), "total": str(self.total), "inserted": self.counts,
                "blocking_lines": self.blocking_count, "unrostered": [u.as_dict() for u in self.unrostered]}


def _lock() -> None:
    # One generation at a time: two clerks pressing 生成 together must not interleave deletes and inserts.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(7410555)")


def check_month(month: dt.date, *, today: dt.date | None = None) -> dt.date:
    month = dates.month_start(month)
    this_month = dates.month_start(today or dates.today())
    if month > this_month:
        raise PayrollError(f"不能为未来月份 {month:%Y-%m} 造册（本月为 {this_month:%Y-%m}）")
    return month


def _townships(user: Actor | None, township: Division | None) -> list[Division]:
    if township is not None:
        if township.level != Level.TOWNSHIP:
            raise PayrollError(f"{township.name} 不是乡镇(街道)")
        if user is not None:
            require_division(user, township, Cap.EDIT_BUSINESS)
        return [township]
    qs = Division.objects.filter(level=Level.TOWNSHIP)
    if user is not None:
        if not user.has_cap(Cap.EDIT_BUSINESS):
            raise PermissionDenied("您的角色没有造册权限")
        qs = visible_divisions(user).filter(level=Level.TOWNSHIP)
    return list(qs.order_by("code"))


def check_generate(*, month: dt.date, user: Actor | None = None, township: Division | None = None) -> None:
    """What generate() would refuse before doing any work (a future month, no right to make rosters, a township
    outside the user's jurisdiction), so a page or the API can say so at once instead of queuing a job that fails."""
    check_month(month)
    _townships(user, township)


def generate(*, month: dt.date, user: Actor | None = None, programme: Programme | None = None,
             township: Division | None = None, today: dt.date | None = None) -> GenerateResult:
    """Generate (or rebuild) the draft rosters of `month`. Idempotent: approved rosters are never touched, a draft is
    rebuilt from scratch, and the unique constraints make a second payment of the same month impossible."""
    month = check_month(month, today=today)
    programmes = [programme] if programme else list(Programme.objects.filter(active=True))
    towns = _townships(user, township)
    result = GenerateResult(month)
    lookback = int(resolve("payments.arrears_lookback_months", on=month).value)
    with batched():  # atomic; the entries of the drafts it rebuilds or drops are chained once, at the end
        _lock()
        prog_ids = [p.pk for p in programmes]
        town_ids = [t.pk for t in towns]
        existing = Payroll.objects.filter(programme_id__in=prog_ids, township_id__in=town_ids)
        later = existing.filter(month__gt=month).select_related("programme", "township").first()
        if later is not None and programme is not None and township is not None:
            raise PayrollError(f"{later} 已存在更晚月份的花名册，不能再为 {month:%Y-%m} 造册")
        blocked_pairs: set[tuple[int, int]] = set()
        for p in existing.filter(month__gt=month).select_related("programme", "township"):
            if (p.programme_id, p.township_id) not in blocked_pairs:
                blocked_pairs.add((p.programme_id, p.township_id))
                result.skipped.append((p, f"已有 {p.month:%Y-%m} 的花名册，不能再为更早的 {month:%Y-%m} 造册"))
        earlier_drafts = existing.filter(month__lt=month, status__in=[PayrollStatus.DRAFT, PayrollStatus.PREPARED])
        for p in earlier_drafts.select_related("programme", "township"):
            if programme is not None and township is not None:
                raise PayrollError(f"{p.township.name}{p.programme.name} {p.month:%Y-%m} 的花名册尚未审批，"
                                   f"请先审批（或删除草稿）再生成 {month:%Y-%m}")
            if (p.programme_id, p.township_id) not in blocked_pairs:
                blocked_pairs.add((p.programme_id, p.township_id))
                result.skipped.append((p, f"{p.month:%Y-%m} 的花名册{p.get_status_display()}，请先审批"))
        current = {(p.programme_id, p.township_id): p for p in existing.filter(month=month, supplement_of__isnull=True)}
        now = dates.now()
        new_rows = []
        for prog in programmes:
            for town in towns:
                key = (prog.pk, town.pk)
                if key in blocked_pairs or key in current:
                    continue
                new_rows.append(Payroll(programme=prog, township=town, month=month, status=PayrollStatus.DRAFT,
                                        generated_by=user, generated_at=now))
        Payroll.objects.bulk_create(new_rows, batch_size=1000)
        if new_rows and connection.vendor == "postgresql":
            # Fresh roster rows look like an empty table to the planner, which then nests the big join the wrong way.
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {Payroll._meta.db_table}")
        drafts = list(Payroll.objects.filter(programme_id__in=prog_ids, township_id__in=town_ids, month=month,
                                             status=PayrollStatus.DRAFT, supplement_of__isnull=True))
        for p in current.values():
            if p.status != PayrollStatus.DRAFT:
                if programme is not None and township is not None:
                    raise PayrollError(f"{p.township.name}{p.programme.name} {p.month:%Y-%m} 的花名册"
                                       f"{p.get_status_display()}，不能重新生成")
                result.skipped.append((p, f"{p.get_status_display()}，未重新生成"))
        draft_ids = [p.pk for p in drafts]
        holds = _held(draft_ids)
        removed = engine.delete_lines(draft_ids)
        result.counts["removed"] = removed
        engine.insert_regular(month, draft_ids)
        engine.insert_adjustments(month, draft_ids, lookback)
        engine.insert_repayments(month, draft_ids)
        engine.mark_duplicate_accounts(month, draft_ids)
        engine.mark_conflicts(month, draft_ids)
        kept, cleared = _hold_again(holds)
        if holds:
            result.counts.update(holds_kept=kept, holds_cleared=cleared)
        # One pass over the new lines gives counts and totals per roster and kind (the roster's summary); the
        # cursor's rowcount is not reliable for SQLite's WITH … INSERT.
        kinds = _kinds_by_payroll(draft_ids)
        for per_kind in kinds.values():
            for k, v in per_kind.items():
                result.counts[k] = result.counts.get(k, 0) + int(v["count"])
        snap = {"engine": ENGINE_VERSION, "generated_at": now.isoformat(), "lookback_months": lookback,
                "lookback_param": resolve("payments.arrears_lookback_months", on=month).ref(),
                "rules": "enrollment active start≤month<end; payee alive (paid through month of death); "
                         "amount = EnrollmentAmount version in force; arrears/recovery = due − paid on committed "
                         "rosters in the window (held lines excluded until paid again); failed bank payments "
                         "reissued, released holds paid as 补发; payee = guardian when recorded; pre-flight marks "
                         "unpayable lines"}
        held_totals = _held_totals(draft_ids) if holds else {}
        keep_rows: list[Payroll] = []
        empty: list[int] = []
        for p in drafts:
            per_kind = kinds.get(p.pk, {})
            if not per_kind:
                empty.append(p.pk)
                continue
            p.line_count = sum(int(v["count"]) for v in per_kind.values())
            p.total = sum((Decimal(v["total"]) for v in per_kind.values()), Decimal("0.00"))
            p.held_count, p.held_total = held_totals.get(p.pk, (0, Decimal("0")))
            p.generated_by, p.generated_at = user, now
            # A roster returned (退回) keeps the record of why across regenerations.
            p.snapshot = {**snap, "kinds": per_kind, **({"returns": p.snapshot["returns"]}
                                                         if p.snapshot.get("returns") else {})}
            keep_rows.append(p)
        _save_summaries(keep_rows)
        # A township with nothing to pay in a programme gets no roster rather than an empty one.
        Payroll.objects.filter(pk__in=empty).delete()
        keep = [p.pk for p in keep_rows]
        result.payrolls = list(Payroll.objects.filter(pk__in=keep).select_related("programme", "township")
                               .order_by("township__code", "programme__order"))
        for b in preflight.blocking(keep):
            result.blocking.setdefault(b.payroll_id, []).append(b)
        result.unrostered = preflight.unrostered(month, result.payrolls)
        record("payments.generate", summary=f"生成 {month:%Y-%m} 花名册 {len(keep)} 本，"
               f"{sum(p.line_count for p in result.payrolls)} 笔，合计 {result.total} 元"
               + (f"；{result.blocking_count} 笔不能发放，需补正或挂起" if result.blocking_count else ""),
               division_code=towns[0].code if len(towns) == 1 else "",
               detail={"month": str(month), "counts": result.counts, "payrolls": keep,
                       "skipped": [p.pk for p, _ in result.skipped],
                       "blocking": {k: [b.line_id for b in v] for k, v in result.blocking.items()}})
    return result


SUMMARY_FIELDS = ("line_count", "total", "held_count", "held_total", "generated_by", "generated_at", "snapshot")


def _save_summaries(rows: list[Payroll]) -> None:
    """Each roster's counts, totals and snapshot in one parameterised statement run per row: bulk_update builds a
    CASE per field and row, whose construction costs more than the database work for a month of rosters."""
    if not rows:
        return
    fields = [cast("Field[Any, Any]", Payroll._meta.get_field(f)) for f in SUMMARY_FIELDS]
    sets = ", ".join(f"{f.column} = %s" for f in fields)
    params = [[*(f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields), p.pk] for p in rows]
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {Payroll._meta.db_table} SET {sets} WHERE id = %s", params)


@dataclass(frozen=True)
class _Hold:
    payroll_id: int
    enrollment_id: int
    reason: str
    held_by_id: int | None
    held_at: dt.datetime | None
    for_problem: bool


def _held(draft_ids: list[int]) -> list[_Hold]:
    """Holds in drafts about to be rebuilt, one per payee."""
    out: dict[tuple[int, int], _Hold] = {}
    for r in PayrollLine.objects.filter(payroll_id__in=draft_ids, status=LineStatus.HELD).values(
            "payroll_id", "enrollment_id", "hold_reason", "held_by_id", "held_at", "problem"):
        key = (r["payroll_id"], r["enrollment_id"])
        old = out.get(key)
        out[key] = _Hold(key[0], key[1], r["hold_reason"], r["held_by_id"], r["held_at"],
                         bool(r["problem"]) or bool(old and old.for_problem))
    return list(out.values())


def _hold_again(holds: list[_Hold]) -> tuple[int, int]:
    """A rebuilt draft keeps its holds, except a hold made for a problem the officer has since fixed."""
    kept = cleared = 0
    for h in holds:
        lines = PayrollLine.objects.filter(payroll_id=h.payroll_id, enrollment_id=h.enrollment_id,
                                           status=LineStatus.PENDING)
        if h.for_problem and not lines.exclude(problem="").exists():
            cleared += 1
            continue
        kept += lines.update(status=LineStatus.HELD, hold_reason=h.reason, held_by_id=h.held_by_id,
                             held_at=h.held_at) and 1
    return kept, cleared


def _held_totals(ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    from django.db.models import Count, Sum

    rows = (PayrollLine.objects.filter(payroll_id__in=ids, status=LineStatus.HELD).values("payroll_id")
            .annotate(n=Count("id"), t=Sum("amount")))
    return {r["payroll_id"]: (r["n"], Decimal(str(r["t"])).quantize(Decimal("0.01"))) for r in rows}


def _kinds_by_payroll(ids: list[int]) -> dict[int, dict[str, dict[str, Any]]]:
    from django.db.models import Count, Sum

    out: dict[int, dict[str, dict[str, Any]]] = {}
    for r in (PayrollLine.objects.filter(payroll_id__in=ids).values("payroll_id", "kind")
              .annotate(n=Count("id"), total=Sum("amount"))):
        total = Decimal(str(r["total"])).quantize(Decimal("0.01"))
        out.setdefault(r["payroll_id"], {})[r["kind"]] = {"count": r["n"], "total": str(total)}
    return out


def _refuse_blocking(p: Payroll, verb: str) -> None:
    n = preflight.blocking_lines([p.pk]).count()
    if n:
        raise PayrollError(f"花名册中还有 {n} 笔不能发放的明细（见页面上方“发放前检查”），不能{verb}："
                           "请在档案中补正后重新生成，或将这些明细挂起")


def prepare(*, payroll: Payroll, user: Actor) -> Payroll:
    """The township officer checks the draft and submits it (造册人). They can no longer approve it."""
    require_edit(user, payroll, Cap.EDIT_BUSINESS)
    with transaction.atomic():
        p = Payroll.objects.select_for_update().select_related("programme", "township").get(pk=payroll.pk)
        if p.status != PayrollStatus.DRAFT:
            raise PayrollError(f"花名册{p.get_status_display()}，只有草稿可以提交")
        if p.line_count == 0:
            raise PayrollError("花名册没有发放明细，不能提交")
        # A roster whose every line is held is still submitted: the month closes, the holds wait for their fix.
        _refuse_blocking(p, "提交")
        p.status, p.prepared_by, p.prepared_at = PayrollStatus.PREPARED, user, dates.now()
        p.save(update_fields=["status", "prepared_by", "prepared_at"])
        held = f"，挂起 {p.held_count} 笔 {p.held_total} 元" if p.held_count else ""
        record("payments.prepare", obj=p, summary=f"提交花名册 {p.title}（{p.line_count} 笔，{p.total} 元{held}）")
    return p


def is_maker(p: Payroll, user: Actor) -> bool:
    """Who made the roster's content — generated, submitted or held lines in it — does not approve it."""
    if user.pk in {p.prepared_by_id, p.generated_by_id}:
        return True
    return p.lines.filter(held_by=user).exists()


def approve(*, payroll: Payroll, user: Actor) -> Payroll:
    """District approval (审批). Nobody approves a roster they generated, prepared or held lines in (maker-checker)."""
    require_edit(user, payroll, Cap.APPROVE)
    with transaction.atomic():
        p = Payroll.objects.select_for_update().select_related("programme", "township").get(pk=payroll.pk)
        if p.status in LOCKED:
            raise PayrollError(f"花名册已{p.get_status_display()}，不能重复审批或修改")
        if p.status != PayrollStatus.PREPARED:
            raise PayrollError("花名册尚未由乡镇提交，不能审批")
        if is_maker(p, user):
            raise PermissionDenied("审批分离：您生成、提交或挂起了这本花名册的明细，不能由您审批，请由其他审批人审批")
        earlier = Payroll.objects.filter(programme=p.programme, township=p.township, month__lt=p.month).exclude(
            status__in=LOCKED).order_by("month").first()
        if earlier is not None:
            raise PayrollError(f"请先审批 {earlier.month:%Y-%m} 的花名册")
        _refuse_blocking(p, "审批")
        p.status, p.approved_by, p.approved_at = PayrollStatus.APPROVED, user, dates.now()
        p.save(update_fields=["status", "approved_by", "approved_at"])
        close_reissued(p)
        held = f"，挂起 {p.held_count} 笔 {p.held_total} 元不发" if p.held_count else ""
        record("payments.approve", obj=p, summary=f"审批花名册 {p.title}（{p.line_count} 笔，{p.total} 元{held}）")
        from . import funds

        funds.record_disbursement(p)
    return p


def close_reissued(p: Payroll) -> None:
    """A failed payment reissued in an approved roster is closed (a released hold keeps its status and its link)."""
    PayrollLine.objects.filter(pk__in=p.lines.filter(reissue_of__isnull=False).values("reissue_of_id"),
                               status=LineStatus.FAILED).update(status=LineStatus.REISSUED)


def return_blocker(p: Payroll) -> str:
    """Why an approved roster can no longer be returned ('' when it can)."""
    if p.status in (PayrollStatus.EXPORTED, PayrollStatus.PAID):
        return ("银行文件已生成（可能已送银行），不能退回，以免重复发放；"
                "有问题的款项请在银行回盘后按失败处理，或挂起后在下月/补充花名册中补发")
    later = Payroll.objects.filter(programme_id=p.programme_id, township_id=p.township_id, month__gt=p.month)
    if later.exists():
        return "已有更晚月份的花名册，不能退回；请在下月花名册或补充花名册中处理"
    if p.supplements.exists():
        return "已有补充花名册，不能退回"
    return ""


def send_back(*, payroll: Payroll, user: Actor, reason: str) -> Payroll:
    """The approver returns a submitted — or an approved but not yet exported — roster to the township (退回), with a
    reason. An approved roster's booking in the fund ledger is undone; the reasons are kept in its snapshot."""
    require_edit(user, payroll, Cap.APPROVE)
    if not (reason or "").strip():
        raise PayrollError("退回必须填写原因")
    with transaction.atomic():
        p = Payroll.objects.select_for_update().select_related("programme", "township").get(pk=payroll.pk)
        was = p.status
        if was not in (PayrollStatus.PREPARED, PayrollStatus.APPROVED):
            blocker = return_blocker(p) if was in COMMITTED else ""
            raise PayrollError(blocker or f"花名册{p.get_status_display()}，只有待审批或已审批的可以退回")
        if was == PayrollStatus.APPROVED:
            blocker = return_blocker(p)
            if blocker:
                raise PayrollError(blocker)
            booked = list(FundEntry.objects.filter(payroll=p, kind=FundEntryKind.DISBURSEMENT).values(
                "source", "amount"))
            FundEntry.objects.filter(payroll=p, kind=FundEntryKind.DISBURSEMENT).delete()
            # The failed payments this roster was reissuing are owed again.
            PayrollLine.objects.filter(pk__in=p.lines.filter(reissue_of__isnull=False).values("reissue_of_id"),
                                       status=LineStatus.REISSUED).update(status=LineStatus.FAILED)
        else:
            booked = []
        returns = [*p.snapshot.get("returns", []), {
            "at": dates.now().isoformat(), "by": user.username, "from": was, "reason": reason.strip()[:200],
            "total": str(p.total)}]
        p.snapshot = {**p.snapshot, "returns": returns}
        p.status, p.prepared_by, p.prepared_at = PayrollStatus.DRAFT, None, None
        p.approved_by, p.approved_at, p.note = None, None, f"退回：{reason.strip()}"[:200]
        p.save(update_fields=["status", "prepared_by", "prepared_at", "approved_by", "approved_at", "note",
                              "snapshot"])
        record("payments.send_back", obj=p, summary=f"退回花名册 {p.title}（原{PayrollStatus(was).label}）：{reason}",
               detail={"from": was, "reason": reason, "unbooked": [{**b, "amount": str(b["amount"])}
                                                                   for b in booked]})
    return p


def approve_many(*, month: dt.date, user: Actor, programme: Programme | None = None,
                 township: Division | None = None) -> tuple[list[Payroll], list[tuple[Payroll, str]]]:
    """Approve every submitted roster of a month in scope; returns (approved, refused with reason)."""
    qs = visible(Payroll, user).filter(month=dates.month_start(month), status=PayrollStatus.PREPARED)
    if programme is not None:
        qs = qs.filter(programme=programme)
    if township is not None:
        qs = qs.filter(township=township)
    done: list[Payroll] = []
    refused: list[tuple[Payroll, str]] = []
    for p in qs.select_related("programme", "township").order_by("township__code", "programme__order"):
        try:
            done.append(approve(payroll=p, user=user))
        except (PermissionDenied, ValidationError) as exc:
            refused.append((p, "；".join(getattr(exc, "messages", [str(exc)]))))
    return done, refused


def payrolls_for(user: Actor) -> QuerySet[Payroll]:
    return visible(Payroll, user).select_related("programme", "township", "prepared_by", "approved_by")


def totals_by_township(month: dt.date, user: Actor) -> list[dict[str, Any]]:
    """Per-township summary of a month (乡镇汇总): rosters, lines and totals by programme."""
    from django.db.models import Count, Sum

    rows = (payrolls_for(user).filter(month=month).values("township__code", "township__name")
            .annotate(n=Count("id"), lines=Sum("line_count"),  # type: ignore[no-redef]  # stubs: clashes with FK name
                      total=Sum("total")).order_by("township__code"))
    return list(rows)
