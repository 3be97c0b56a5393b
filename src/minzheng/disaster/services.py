"""State changes of disaster statistics: events, rounds, reports, approval by level and per-person registers.

Every function takes the acting user, checks jurisdiction through core.scoping and runs in one transaction.
`now` is a parameter wherever a deadline matters, so tests run on a fixed clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum

from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.models import SiteSettings
from minzheng.core.scoping import in_scope, require_division, require_edit
from minzheng.policy import services as policy
from minzheng.regions.models import Division, Level

from . import indicators, rules
from .models import (
    CasualtyEntry,
    CasualtyStatus,
    DamageLevel,
    DisasterType,
    Event,
    EventArea,
    EventStatus,
    HouseDamageEntry,
    Report,
    ReportStatus,
    Round,
    RoundKind,
    ValidationRule,
)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dates.now()


def _local(d: dt.datetime) -> dt.datetime:
    return dates.local(d) if d.tzinfo is not None else d


def department() -> str:
    return SiteSettings.current().disaster_department


# --- Events ----------------------------------------------------------------------------------------------


def _expand_areas(divisions: Iterable[Division]) -> set[Division]:
    """A township brings its villages; a village brings its township, so both levels see the event."""
    out: set[Division] = set()
    for d in divisions:
        if d.level == Level.TOWNSHIP:
            out.add(d)
            out.update(Division.objects.filter(parent=d, level=Level.VILLAGE))
        elif d.level == Level.VILLAGE:
            out.add(d)
            if d.parent is not None:
                out.add(d.parent)
        else:
            raise ValidationError({"areas": f"受灾区划应为乡镇(街道)或村(社区)：{d.name}"})
    return out


@transaction.atomic
def register_event(*, actor: Any, name: str, dtype: DisasterType, started_at: dt.datetime,
                   areas: Iterable[Division], severity: str = "4", is_major: bool = False, description: str = "",
                   division: Division | None = None, now: dt.datetime | None = None) -> Event:
    """登记灾害过程 and open its 初报 round, due a parameter number of hours after registration."""
    now = _now(now)
    owner = division or actor.division
    require_division(actor, owner)
    areas = list(areas)
    if not areas:
        raise ValidationError({"areas": "请选择至少一个受灾乡镇(街道)或村(社区)"})
    for d in areas:
        require_division(actor, d)
    if not name.strip():
        raise ValidationError({"name": "请填写灾害名称"})
    if started_at > now:
        raise ValidationError({"started_at": "发生时间不能晚于当前时间"})
    hours = policy.resolve("disaster.initial_report_hours", on=_local(now).date(), division=owner)
    event = Event.objects.create(
        name=name.strip(), dtype=dtype, division=owner, started_at=started_at, registered_at=now, severity=severity,
        is_major=is_major, department=department(), description=description, created_by=actor.username,
        decided_under={"initial_report_hours": hours.ref()},
    )
    EventArea.objects.bulk_create([EventArea(event=event, division=d) for d in _expand_areas(areas)])
    Round.objects.create(event=event, kind=RoundKind.INITIAL, seq=1, as_of=now,
                         due_at=now + dt.timedelta(hours=int(hours.value)), decided_under={"hours": hours.ref()})
    return event


@transaction.atomic
def add_areas(*, actor: Any, event: Event, areas: Iterable[Division]) -> int:
    require_division(actor, event.division)
    existing = set(event.areas.values_list("division_id", flat=True))
    new = []
    for d in _expand_areas(list(areas)):
        require_division(actor, d)
        if d.pk not in existing:
            new.append(EventArea(event=event, division=d))
    EventArea.objects.bulk_create(new)
    if new:
        from minzheng.audit.services import record

        record("disaster.event.areas", obj=event, summary=f"{event} 增加受灾区划 {len(new)} 个",
               detail={"divisions": [a.division.code for a in new]})
    return len(new)


def affected_townships(event: Event) -> list[Division]:
    return list(Division.objects.filter(level=Level.TOWNSHIP, pk__in=event.areas.values("division_id"))
                .order_by("code"))


def affected_villages(event: Event, township: Division | None = None) -> list[Division]:
    qs = Division.objects.filter(level=Level.VILLAGE, pk__in=event.areas.values("division_id"))
    if township is not None:
        qs = qs.filter(parent=township)
    return list(qs.order_by("code"))


def update_interval(event: Event, on: dt.date) -> policy.ParamValue:
    key = "disaster.update_interval_major_days" if event.is_major else event.dtype.update_interval_key
    return policy.resolve(key, on=on, division=event.division)


@transaction.atomic
def open_update_round(*, actor: Any, event: Event, as_of: dt.datetime | None = None,
                      now: dt.datetime | None = None) -> Round:
    """续报 (or, for a major event, the daily 零报告 round). Major: figures to 24:00, due at the set hour."""
    require_division(actor, event.division)
    return _new_update_round(event, as_of=as_of, now=_now(now))


def _new_update_round(event: Event, *, as_of: dt.datetime | None, now: dt.datetime) -> Round:
    if event.status != EventStatus.ONGOING:
        raise ValidationError("灾情已稳定，不能再发起续报，请报送核报")
    on = _local(now).date()
    if event.is_major:
        midnight = dates.aware(dt.datetime.combine(_local(as_of).date() if as_of else on, dt.time()))
        as_of = midnight
        hour = policy.resolve("disaster.daily_report_hour", on=on, division=event.division)
        due, ref = as_of + dt.timedelta(hours=int(hour.value)), hour.ref()
    else:
        as_of = as_of or now
        hrs = policy.resolve("disaster.update_report_hours", on=on, division=event.division)
        due, ref = as_of + dt.timedelta(hours=int(hrs.value)), hrs.ref()
    if event.rounds.filter(kind=RoundKind.UPDATE, as_of=as_of).exists():
        raise ValidationError("本期续报已发起")
    seq = (event.rounds.filter(kind=RoundKind.UPDATE).count()) + 1
    return Round.objects.create(event=event, kind=RoundKind.UPDATE, seq=seq, as_of=as_of, due_at=due,
                                decided_under={"deadline": ref})


@transaction.atomic
def open_due_rounds(*, now: dt.datetime | None = None) -> list[Round]:
    """The periodic job (cron: `minzheng disaster rounds`): open every 续报 / daily 零报告 round that the interval
    parameter says is due, catching up missed periods, so townships see the round without waiting for a click."""
    now = _now(now)
    opened: list[Round] = []
    for ev in Event.objects.filter(status=EventStatus.ONGOING).select_related("dtype", "division"):
        for _ in range(60):  # at most two months of daily rounds in one catch-up
            due = next_update_due(ev, now=now)
            if due is None or due > now:
                break
            opened.append(_new_update_round(ev, as_of=due, now=now))
    if opened:
        from minzheng.audit.services import record

        record("disaster.rounds.open", summary=f"按续报间隔自动发起 {len(opened)} 期",
               detail={"rounds": [r.pk for r in opened]})
    return opened


@transaction.atomic
def mark_stable(*, actor: Any, event: Event, ended_at: dt.datetime, now: dt.datetime | None = None) -> Round:
    """灾情稳定: open the 核报 round, due N working days after (end of that day)."""
    now = _now(now)
    require_division(actor, event.division)
    if event.status != EventStatus.ONGOING:
        raise ValidationError("该灾害过程已进入核报阶段")
    if ended_at < event.started_at:
        raise ValidationError({"ended_at": "稳定时间不能早于发生时间"})
    n = policy.resolve("disaster.final_report_workdays", on=_local(ended_at).date(), division=event.division)
    day = dates.add_workdays(_local(ended_at).date(), int(n.value))
    due = dates.aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
    event.status, event.ended_at = EventStatus.STABLE, ended_at
    event.save(update_fields=["status", "ended_at"])
    return Round.objects.create(event=event, kind=RoundKind.FINAL, seq=1, as_of=ended_at, due_at=due,
                                decided_under={"final_report_workdays": n.ref()})


def next_update_due(event: Event, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the next 续报 round should be opened (periodic, interval parameter), or None if not ongoing."""
    if event.status != EventStatus.ONGOING:
        return None
    last = event.rounds.order_by("-as_of").first()
    if last is None:
        return None
    iv = update_interval(event, _local(_now(now)).date())
    if event.is_major:  # 24小时零报告: each day's figures run to 24:00
        day = _local(last.as_of).date() + dt.timedelta(days=int(iv.value))
        return dates.aware(dt.datetime.combine(day, dt.time()))
    return last.as_of + dt.timedelta(days=int(iv.value))


# --- Reports ---------------------------------------------------------------------------------------------


def _reporting_divisions(event: Event) -> set[int]:
    return set(event.areas.values_list("division_id", flat=True))


@transaction.atomic
def open_report(*, actor: Any, round: Round, division: Division) -> Report:
    """The division's report for this round (created as a draft the first time)."""
    require_division(actor, division)
    if division.pk not in _reporting_divisions(round.event):
        raise ValidationError("该区划不在本次灾害的受灾范围内")
    if division.level not in (Level.TOWNSHIP, Level.VILLAGE):
        raise ValidationError("灾情报告由乡镇(街道)或村(社区)填报，区级数据由汇总生成")
    report, created = Report.objects.get_or_create(round=round, division=division,
                                                   defaults={"event": round.event})
    if created and round.kind != RoundKind.INITIAL:
        prev = previous_report(report)
        if prev is not None:  # figures are cumulative: start from the last report
            report.values = dict(prev.values)
            report.save(update_fields=["values"])
    return report


def previous_report(report: Report) -> Report | None:
    return (Report.objects.filter(event=report.event, division=report.division,
                                  status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
                                  round__as_of__lt=report.round.as_of)
            .exclude(pk=report.pk).order_by("-round__as_of").first())


def register_counts(event: Event, division: Division) -> dict[str, int]:
    """Rows of the per-person registers inside `division`'s subtree."""
    cas = CasualtyEntry.objects.filter(event=event, division__path__startswith=division.path)
    dead = cas.filter(status=CasualtyStatus.DEAD).count()
    missing = cas.filter(status=CasualtyStatus.MISSING).count()
    houses = dict(HouseDamageEntry.objects.filter(event=event, division__path__startswith=division.path)
                  .values_list("level").annotate(n=Count("id")))
    rooms = dict(HouseDamageEntry.objects.filter(event=event, division__path__startswith=division.path)
                 .values_list("level").annotate(n=Sum("rooms")))
    out = {"dead": dead, "missing": missing}
    for lv in DamageLevel:
        out[f"{lv.value}_hh"] = houses.get(lv.value, 0)
        out[f"{lv.value}_rooms"] = rooms.get(lv.value) or 0
    return out


def village_total(report: Report) -> tuple[dict[str, str], int]:
    """Sum of the approved village reports under a township report, and how many there are."""
    rows = list(Report.objects.filter(round=report.round, division__parent=report.division,
                                      division__level=Level.VILLAGE, status=ReportStatus.APPROVED)
                .values_list("values", flat=True))
    return indicators.total(rows), len(rows)


def active_rules() -> list[rules.RuleSpec]:
    return [rules.spec_of(r) for r in ValidationRule.objects.filter(active=True)]


def rules_version() -> list[list[Any]]:
    return [[r.code, r.version] for r in ValidationRule.objects.filter(active=True).order_by("code")]


def validate(report: Report, values: dict[str, str] | None = None, explanation: str | None = None) -> rules.Outcome:
    """Run every active rule on these figures (the form's on-change check, submission and the API alike)."""
    values = report.values if values is None else values
    explanation = report.explanation if explanation is None else explanation
    prev = previous_report(report)
    extra: dict[str, Any] = {}
    if report.division.level == Level.TOWNSHIP:
        tot, n = village_total(report)
        if n:
            extra = {f"villages.{c}": v for c, v in tot.items()}
    env = rules.build_env(values, prev=prev.values if prev else None,
                          register=register_counts(report.event, report.division),
                          explained=bool((explanation or "").strip()), extra=extra)
    return rules.check(active_rules(), env, kind=report.round.kind)


def _lock(report: Report) -> None:
    """Lock the row and reload the caller's instance, so it sees (and keeps) the committed state."""
    Report.objects.select_for_update().filter(pk=report.pk).exists()
    report.refresh_from_db()


@transaction.atomic
def save_rule(*, actor: Any, code: str, name: str, expression: str, severity: str, message: str,
              each: list[str] | None = None, kinds: list[str] | None = None, active: bool = True,
              source: str = "") -> ValidationRule:
    """Add or change a validation rule (区管理员). The expression is parsed and its names checked before saving;
    a change bumps the version that reports record when they are submitted."""
    if not actor.has_cap(Cap.MANAGE_POLICY):
        raise PermissionDenied("只有区管理员可以维护灾情校验规则")
    each = [c for c in (each or []) if c]
    unknown_each = [c for c in each if c not in indicators.BY_CODE]
    if unknown_each:
        raise ValidationError({"each": f"未知指标：{'、'.join(unknown_each)}"})
    if each and "$" not in expression:
        raise ValidationError({"expression": "逐项规则的表达式须用 $ 代表每个指标"})
    if "$" in expression and not each:
        raise ValidationError({"each": "表达式用了 $，请填写逐项适用的指标"})
    try:
        unknown = rules.check_names(expression, each=bool(each))
    except rules.RuleSyntaxError as exc:
        raise ValidationError({"expression": str(exc)}) from exc
    if unknown:
        raise ValidationError({"expression": f"表达式中有未知名称：{'、'.join(unknown)}"})
    if severity not in ("error", "warning"):
        raise ValidationError({"severity": "级别应为错误或警告"})
    bad_kinds = [k for k in (kinds or []) if k not in RoundKind.values]
    if bad_kinds:
        raise ValidationError({"kinds": f"未知报告类型：{'、'.join(bad_kinds)}"})
    if not code.strip() or not message.strip():
        raise ValidationError("请填写规则编号和提示")
    rule = ValidationRule.objects.filter(code=code.strip()).first()
    fields = {"name": name.strip() or code, "expression": expression.strip(), "severity": severity,
              "message": message.strip(), "each": each, "kinds": kinds or [], "active": active, "source": source}
    if rule is None:
        return ValidationRule.objects.create(code=code.strip(), **fields)
    changed = any(getattr(rule, k) != v for k, v in fields.items())
    for k, v in fields.items():
        setattr(rule, k, v)
    if changed:
        rule.version += 1
        rule.save()
    return rule


def _editable(report: Report) -> None:
    if report.locked:
        raise ValidationError("核报已审核锁定，数字不能再修改")
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise ValidationError("报告已报送，如需修改请由上级退回")


@transaction.atomic
def save_report(*, actor: Any, report: Report, values: dict[str, object], explanation: str = "",
                nil: bool = False, from_villages: bool = False) -> rules.Outcome:
    """Save a draft (drafts may still fail rules; submission may not). Returns the rule outcome."""
    require_edit(actor, report)
    _lock(report)
    _editable(report)
    cleaned, errors = indicators.clean_values(values)
    if errors:
        raise ValidationError(errors)
    if nil:
        prev = previous_report(report)
        cleaned = dict(prev.values) if prev else {}
    if from_villages:
        if report.division.level != Level.TOWNSHIP:
            raise ValidationError("只有乡镇(街道)报告可以由村级汇总")
        cleaned, _n = village_total(report)
    report.values, report.explanation, report.nil, report.from_villages = cleaned, explanation, nil, from_villages
    report.save()
    return validate(report)


@transaction.atomic
def submit_report(*, actor: Any, report: Report, now: dt.datetime | None = None) -> rules.Outcome:
    """报送: refused with the rules' Chinese messages while any error remains; warnings travel with it."""
    now = _now(now)
    require_edit(actor, report)
    _lock(report)
    _editable(report)
    if report.from_villages:
        report.values, _n = village_total(report)
    outcome = validate(report)
    if outcome.errors:
        raise ValidationError(_error_dict(outcome))
    report.status, report.submitted_at, report.submitted_by = ReportStatus.SUBMITTED, now, actor.username
    report.warnings = [f.as_dict() for f in outcome.warnings]
    report.return_reason = ""
    report.decided_under = {"rules": rules_version(), "on_time": now <= report.round.due_at,
                            "due_at": report.round.due_at.isoformat()}
    report.save()
    return outcome


def _error_dict(outcome: rules.Outcome) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in outcome.errors:
        key = f.fields[0] if f.fields else "__all__"
        out.setdefault(key, []).append(f.message)
    return out


def approver_cap(division: Division) -> str:
    """Approval by the next level (DHIS2 approval levels): the township checks its villages (any editor there),
    the district approves townships (审批权限)."""
    return Cap.EDIT_BUSINESS if division.level == Level.VILLAGE else Cap.APPROVE


def can_approve(user: Any, report: Report) -> bool:
    if not in_scope(user, report.division) or user.division_id == report.division_id:
        return False
    if user.division.depth >= report.division.depth:
        return False
    return user.has_cap(approver_cap(report.division))


@transaction.atomic
def approve_report(*, actor: Any, report: Report, now: dt.datetime | None = None) -> Report:
    now = _now(now)
    require_edit(actor, report, Cap.VIEW_BUSINESS)
    _lock(report)
    if not can_approve(actor, report):
        raise PermissionDenied("灾情报告由上一级审核：村级报告由乡镇审核，乡镇报告由区审批")
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError("只有已报送的报告可以审核")
    if report.division.level == Level.TOWNSHIP and report.from_villages:
        tot, _n = village_total(report)
        if tot != indicators.total([report.values]):
            raise ValidationError("村级报告在乡镇汇总后有变动，请退回乡镇重新汇总")
    outcome = validate(report)
    if outcome.errors:
        raise ValidationError(_error_dict(outcome))
    report.status, report.approved_at, report.approved_by = ReportStatus.APPROVED, now, actor.username
    report.locked = report.round.kind == RoundKind.FINAL
    report.save()
    _close_if_final_complete(report.event)
    return report


def _close_if_final_complete(event: Event) -> None:
    final = event.rounds.filter(kind=RoundKind.FINAL).first()
    if final is None:
        return
    towns = {d.pk for d in affected_townships(event)}
    done = set(Report.objects.filter(round=final, status=ReportStatus.APPROVED, division__level=Level.TOWNSHIP)
               .values_list("division_id", flat=True))
    if towns and towns <= done and event.status != EventStatus.CLOSED:
        event.status = EventStatus.CLOSED
        event.save(update_fields=["status"])


@transaction.atomic
def return_report(*, actor: Any, report: Report, reason: str) -> Report:
    require_edit(actor, report, Cap.VIEW_BUSINESS)
    _lock(report)
    if not can_approve(actor, report):
        raise PermissionDenied("只有上一级可以退回灾情报告")
    if report.locked:
        raise ValidationError("核报已锁定，不能退回")
    if report.status not in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise ValidationError("该报告未报送")
    if not reason.strip():
        raise ValidationError({"reason": "请填写退回原因"})
    report.status, report.return_reason = ReportStatus.RETURNED, reason.strip()
    report.save()
    return report


# --- Deadlines -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    round: Round
    division: Division
    report: Report | None
    overdue: bool

    @property
    def done(self) -> bool:
        return self.report is not None and self.report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def dues(event: Event, *, now: dt.datetime | None = None, townships: Iterable[Division] | None = None) -> list[Due]:
    """Every affected township's state for every round: submitted, pending, or overdue (past due, not sent)."""
    now = _now(now)
    towns = list(townships) if townships is not None else affected_townships(event)
    reports = {(r.round_id, r.division_id): r for r in Report.objects.filter(event=event,
                                                                            division__in=towns)}
    out = []
    for rnd in event.rounds.order_by("as_of", "seq"):
        for t in towns:
            rep = reports.get((rnd.pk, t.pk))
            sent = rep is not None and rep.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
            late = (rep.submitted_at > rnd.due_at) if sent and rep and rep.submitted_at else (not sent and now > rnd.due_at)
            out.append(Due(rnd, t, rep, late))
    return out


def overdue_initial(event: Event, *, now: dt.datetime | None = None) -> list[Division]:
    """Townships whose 初报 is late: not sent by the deadline (or sent after it)."""
    return [d.division for d in dues(event, now=now) if d.round.kind == RoundKind.INITIAL and d.overdue]


# --- Registers -------------------------------------------------------------------------------------------


def _in_event(event: Event, division: Division) -> None:
    if division.level != Level.VILLAGE:
        raise ValidationError({"division": "台账按村(社区)登记"})
    if division.pk not in _reporting_divisions(event):
        raise ValidationError({"division": "该村(社区)不在本次灾害的受灾范围内"})


@transaction.atomic
def add_casualty(*, actor: Any, event: Event, division: Division, name: str, status: str, occurred_on: dt.date,
                 sex: str = "", age: int | None = None, id_number: str = "", place: str = "", cause: str = "",
                 person: Any = None) -> CasualtyEntry:
    require_division(actor, division)
    _in_event(event, division)
    if not name.strip():
        raise ValidationError({"name": "请填写姓名"})
    if id_number:
        from minzheng.registry import idnumber

        chk = idnumber.check(id_number)
        if not chk.valid:
            raise ValidationError({"id_number": f"公民身份号码有误：{chk.reason}"})
        id_number = chk.normalized
        sex = sex or chk.sex_code
    return CasualtyEntry.objects.create(event=event, division=division, name=name.strip(), status=status,
                                        occurred_on=occurred_on, sex=sex, age=age, id_number=id_number,
                                        place=place, cause=cause, person=person)


@transaction.atomic
def add_house_damage(*, actor: Any, event: Event, division: Division, head_name: str, level: str, rooms: int,
                     household: Any = None, address: str = "", note: str = "") -> HouseDamageEntry:
    require_division(actor, division)
    _in_event(event, division)
    if rooms < 1:
        raise ValidationError({"rooms": "间数至少为 1"})
    if not head_name.strip():
        raise ValidationError({"head_name": "请填写户主姓名"})
    return HouseDamageEntry.objects.create(event=event, division=division, household=household,
                                           head_name=head_name.strip(), level=level, rooms=rooms, address=address,
                                           note=note)


@dataclass
class RegisterCheck:
    division: Division
    report: Report | None
    rows: list[tuple[str, int | None, int, bool]]  # (label, reported, registered, matches)

    @property
    def ok(self) -> bool:
        return all(m for *_x, m in self.rows)


REGISTER_PAIRS = [
    ("pop_dead", "dead"), ("pop_missing", "missing"),
    ("house_collapsed_hh", "collapsed_hh"), ("house_collapsed_rooms", "collapsed_rooms"),
    ("house_severe_hh", "severe_hh"), ("house_severe_rooms", "severe_rooms"),
]


def register_reconciliation(event: Event, townships: Iterable[Division]) -> list[RegisterCheck]:
    """Each township's latest sent figures beside its per-person registers (one row per person/household)."""
    out = []
    for t in townships:
        rep = (Report.objects.filter(event=event, division=t,
                                     status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED])
               .order_by("-round__as_of").first())
        reg = register_counts(event, t)
        nums = indicators.as_numbers(rep.values) if rep else {}
        rows = []
        for code, key in REGISTER_PAIRS:
            reported = int(nums[code]) if rep else None
            rows.append((indicators.label(code), reported, reg[key], reported is None or reported == reg[key]))
        out.append(RegisterCheck(t, rep, rows))
    return out


# --- Aggregation ---------------------------------------------------------------------------------------


@dataclass
class SummaryRow:
    division: Division
    report: Report | None
    values: dict[str, str]
    counted: bool  # approved, so it counts towards the level above
    villages: list[SummaryRow]


@dataclass
class Summary:
    round: Round
    rows: list[SummaryRow]
    total: dict[str, str]
    approved: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.approved == self.expected


def summarise(round: Round, townships: Iterable[Division]) -> Summary:
    """District totals = sum of approved township reports; each township row lists its village reports."""
    towns = list(townships)
    reps = {r.division_id: r for r in Report.objects.filter(round=round).select_related("division")}
    rows: list[SummaryRow] = []
    for t in towns:
        vrows = []
        for v in affected_villages(round.event, t):
            vr = reps.get(v.pk)
            if vr is not None:
                vrows.append(SummaryRow(v, vr, vr.values, vr.status == ReportStatus.APPROVED, []))
        rep = reps.get(t.pk)
        rows.append(SummaryRow(t, rep, rep.values if rep else {},
                               rep is not None and rep.status == ReportStatus.APPROVED, vrows))
    counted = [r.values for r in rows if r.counted]
    return Summary(round, rows, indicators.total(counted), len(counted), len(rows))


def summary_table(summary: Summary, *, with_villages: bool = True) -> tuple[list[str], list[list[Any]]]:
    headers = ["单位", "状态"] + [f"{i.label}({i.unit})" for i in indicators.INDICATORS]

    def line(name: str, status: str, values: dict[str, str]) -> list[Any]:
        nums = indicators.as_numbers(values)
        return [name, status] + [_num(nums[c]) for c in indicators.CODES]

    rows: list[list[Any]] = []
    for r in summary.rows:
        st = r.report.get_status_display() if r.report else "未报"
        rows.append(line(r.division.name, st, r.values))
        if with_villages:
            for v in r.villages:
                rows.append(line("　" + v.division.name, v.report.get_status_display() if v.report else "未报",
                                 v.values))
    rows.append(line("合计(已审核)", f"{summary.approved}/{summary.expected}", summary.total))
    return headers, rows


def _num(v: Decimal) -> int | float:
    return int(v) if v == v.to_integral_value() else float(v)


def event_rounds(event: Event) -> list[Round]:
    return list(event.rounds.order_by("as_of", "seq"))


def open_rounds_for(user: Any, *, now: dt.datetime | None = None) -> list[Due]:
    """Rounds the user's township (or village) has not yet sent (tasks and the home panel)."""
    from .selectors import visible_events

    div = user.division
    if div is None or div.level not in (Level.TOWNSHIP, Level.VILLAGE):
        return []
    out = []
    for ev in visible_events(user).exclude(status=EventStatus.CLOSED):
        out += [d for d in dues(ev, now=now, townships=[div]) if not d.done]
    return out


def late_townships(user: Any, *, now: dt.datetime | None = None) -> list[Due]:
    """For district users: overdue township reports across open events."""
    from .selectors import visible_events

    out = []
    for ev in visible_events(user).exclude(status=EventStatus.CLOSED):
        towns = [t for t in affected_townships(ev) if in_scope(user, t)]
        out += [d for d in dues(ev, now=now, townships=towns) if d.overdue and not d.done]
    return out


def pending_approvals(user: Any) -> list[Report]:
    from minzheng.core.scoping import visible

    qs = visible(Report, user).filter(status=ReportStatus.SUBMITTED).select_related("division", "round", "event")
    return [r for r in qs if can_approve(user, r)]
