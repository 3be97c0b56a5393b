"""Demo cases: applications in flight at every step across townships, a 近亲属 case, an objection, a live 公示,
approved and refused cases, and review schedules for the registry's existing enrollments.

Uses the registry's demo households (eligible ones, chosen by the rules) and the demo accounts. Deterministic for
a given database and day (seeded choice, dates relative to today), idempotent (a second run adds nothing).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any, TextIO

from minzheng.accounts.actor import Actor
from minzheng.accounts.models import User
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.regions.models import Division
from minzheng.registry.models import Enrollment, EnrollmentStatus, Household, Person

from . import assessment, services
from .models import Application, ReviewSchedule
from .services.supporters import record_supporters

MARK = "【演示】"


def _user(name: str) -> User | None:
    return User.objects.filter(username=name, is_active=True).first()


def _candidates(villages: list[Division], rng: random.Random, want: int, ok: Callable[[Household], bool]
                ) -> list[Household]:
    busy = set(Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE).values_list("household_id", flat=True))
    busy |= set(Application.objects.values_list("household_id", flat=True))
    ids = list(Household.objects.filter(division__in=villages, head__isnull=False).order_by("id")
               .values_list("id", flat=True)[:400])
    rng.shuffle(ids)
    out: list[Household] = []
    for hid in ids:
        if hid in busy:
            continue
        hh = Household.objects.select_related("division", "head").get(pk=hid)
        if ok(hh):
            out.append(hh)
            busy.add(hid)
        if len(out) >= want:
            break
    return out


def _dibao_ok(today: dt.date) -> Callable[[Household], bool]:
    def ok(hh: Household) -> bool:
        code = "dibao_urban" if hh.hukou_type == "urban" else "dibao_rural"
        try:
            return bool(assessment.assess_dibao(hh, code, on=today, division=hh.division)["eligible"])
        except (ValueError, LookupError):
            return False
    return ok


def _tekun_ok(today: dt.date) -> Callable[[Household], bool]:
    """An elder whom the 特困 rules accept (no income, no supporters): the demo shows a case that can pass."""
    def ok(hh: Household) -> bool:
        elder = _elder(hh, today)
        if elder is None:
            return False
        try:
            return bool(assessment.assess_tekun(elder, "tekun_dispersed", on=today, division=hh.division,
                                                selfcare_failed=["bathe", "walk"])["eligible"])
        except (ValueError, LookupError):
            return False
    return ok


def _elder(hh: Household, today: dt.date) -> Person | None:
    for p in hh.members.filter(is_deceased=False).order_by("birth_date"):
        if (today - p.birth_date).days >= 62 * 365:
            return p
    return None


def _to(app: Application, step: str, officer: Actor, approver: Actor, start: dt.date) -> Application:
    """Take a case from 受理 (on `start`) to `step`, spacing the steps out over the past days."""
    order = ["accepted", "investigating", "checking", "democratic_review", "township_review", "publicity",
             "county_review", "approved", "refused"]
    day = start
    target = order.index(step) if step in order else 0

    def nxt() -> dt.date:
        nonlocal day
        day = min(dates.today(), dates.add_workdays(day, 1))
        return day

    if app.status == "accepted" and target >= 1 and app.linshi_type != "urgent":
        app = services.start_investigation(app, actor=officer, today=nxt())
    if app.status == "investigating" and target >= 2:
        services.record_investigation(
            app, actor=officer, visited_on=nxt(), investigator_1="民政助理员", investigator_2="村协管员",
            investigator_1_signed=True, investigator_2_signed=True, applicant_signed=True,
            neighbour_visits=[{"name": "邻居", "relation": "邻居", "statement": "家庭困难情况属实"}],
            findings="家庭收入低，无大额财产", today=day)
        app.refresh_from_db()
    if app.status == "checking" and target >= 3:
        app = services.complete_checks(app, actor=officer, today=nxt())
    if app.status == "democratic_review" and target >= 4:
        services.record_review(app, actor=officer, held_on=nxt(), attendees=["村支书", "村主任", "党员代表",
                               "群众代表甲", "群众代表乙"], panel_size=5, votes_for=5, votes_against=0,
                               votes_abstain=0, all_signed=True, today=day)
        app.refresh_from_db()
    if app.status in ("township_review", "accepted") and target >= 5:
        if step == "refused":
            services.township_refuse(app, actor=officer, reasons="家庭人均收入高于低保标准", today=nxt())
            app.refresh_from_db()
            return app
        # a 公示 meant to be live today is posted today; others a few days after the investigation
        app = services.township_opinion(app, actor=officer, today=dates.today() if step == "publicity" else nxt())
    if app.status == "publicity" and target >= 6:
        pub = services.active_publicity(app)
        end_day = (pub.end_date + dt.timedelta(days=1)) if pub else nxt()
        app = services.end_publicity(app, actor=officer, today=min(end_day, dates.today()))
    if app.status == "county_review" and target >= 7:
        if hasattr(app, "spot_check_record"):
            services.record_spot_check(app, actor=approver, visited_on=dates.today(), visitors="区民政局 赵、钱",
                                       findings="与申报一致", confirmed=True)
            app.refresh_from_db()
        app = services.county_approve(app, actor=approver, today=dates.today())
    return app


def load(out: TextIO, *, scale: float = 0.1) -> None:
    from .demo_cases import backfill

    # Every recipient the registry demo made gets the rules' decision and a case behind it, before new cases.
    backfill(out)
    if Application.objects.filter(reason__startswith=MARK).exists():
        out.write("社会救助演示案件已存在，跳过\n")
        return
    meishan, xiadao, admin, approver = (_user("meishan"), _user("xiadao"), _user("qu_admin"), _user("qu_shenpi"))
    if not (meishan and xiadao and admin and approver):
        out.write("缺少演示账号，跳过社会救助演示案件\n")
        return
    if not Household.objects.exists():
        out.write("没有家庭档案，跳过社会救助演示案件\n")
        return
    rng = random.Random(20240506)
    today = dates.today()
    made = 0
    with audit.batched():  # one transaction, its audit entries chained at its end
        plans: list[tuple[Any, list[Division], list[str]]] = []
        county = Division.objects.filter(level="county").order_by("code").first()
        townships = list(Division.objects.filter(level="township", parent=county).order_by("code"))
        for t in townships:
            villages = list(Division.objects.filter(parent=t).order_by("code"))
            if t.name == "梅山街道":
                plans.append((meishan, villages, ["accepted", "investigating", "publicity", "publicity",
                                                  "county_review", "approved", "refused"]))
            elif t.name == "夏道镇":
                plans.append((xiadao, villages, ["checking", "township_review", "publicity", "county_review"]))
        others = [t for t in townships if t.name not in ("梅山街道", "夏道镇")]
        for t in others[: max(3, int(10 * scale))]:
            villages = list(Division.objects.filter(parent=t).order_by("code"))
            plans.append((admin, villages, ["investigating", "publicity", "county_review"]))
        kin_done = objection_done = False
        for officer, villages, steps in plans:
            families = _candidates(villages, rng, len(steps), _dibao_ok(today))
            for hh, step in zip(families, steps, strict=False):
                code = "dibao_urban" if hh.hukou_type == "urban" else "dibao_rural"
                # the first case of each township runs under the 2012 rules (民主评议), overdue on purpose
                old = step == "investigating"
                start = today - dt.timedelta(days=70 if old else 25)
                declared = ""
                if not kin_done and step == "county_review":
                    member = hh.members.order_by("id").first()
                    services.register_kinship(
                        actor=officer, division=hh.division.parent, staff_name="林建国",
                        staff_id_number=_staff_id(), staff_role="village_committee",
                        post="村委会委员", relative_name=member.name, relative_id_number=member.id_number,
                        relation="子女", registered_on=start)
                    declared = "村委会委员林建国的子女"
                    kin_done = True
                app = services.create_application(
                    actor=officer, programme_code=code, household=hh, applicant=hh.head, received_on=start,
                    rule_set="2012" if old else "2021", reason=f"{MARK}家庭收入低，生活困难",
                    declared_kinship=declared)
                app = _to(app, step, officer, approver, start)
                if step == "publicity" and not objection_done and app.status == "publicity":
                    services.submit_objection(services.active_publicity(app), content="听说该户有人在外打工，收入不低",
                                              ip="demo")
                    objection_done = True
                made += 1
        # 特困 and 临时救助 in 夏道镇
        xv = list(Division.objects.filter(parent__name="夏道镇").order_by("code"))
        for hh in _candidates(xv, rng, 2, _tekun_ok(today)):
            elder = _elder(hh, today)
            app = services.create_application(actor=xiadao, programme_code="tekun_dispersed", household=hh,
                                              applicant=elder, person=elder, received_on=today - dt.timedelta(20),
                                              selfcare_failed=["bathe", "walk"], reason=f"{MARK}独居老人，无子女")
            app = record_supporters(app, actor=xiadao, supporters=[], none=True)   # investigated: none
            _to(app, "county_review" if made % 2 else "publicity", xiadao, approver, app.received_on)
            made += 1
        for hh in _candidates(xv, rng, 1, lambda h: True):
            app = services.create_application(actor=xiadao, programme_code="linshi", household=hh,
                                              applicant=hh.head, received_on=today, linshi_type="urgent", months=2,
                                              reason=f"{MARK}房屋失火，急需救助")
            services.township_opinion(app, actor=xiadao, today=today)
            made += 1
        scheduled = _schedules(today)
    out.write(f"已生成社会救助演示案件 {made} 件，复核计划 {scheduled} 条\n")


_staff_seq = [500]


def _staff_id() -> str:
    from minzheng.registry import idnumber

    _staff_seq[0] += 1
    return idnumber.make("350702", dt.date(1968, 8, 8), _staff_seq[0] % 1000)


def _schedules(today: dt.date) -> int:
    """Review schedules for the registry's live 低保/特困 enrollments, spread over the coming year; ~5% due now."""
    have = set(ReviewSchedule.objects.values_list("enrollment_id", flat=True))
    rows = []
    qs = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE,
                                   programme__code__in=["dibao_urban", "dibao_rural", "tekun_dispersed",
                                                        "tekun_central"]).exclude(pk__in=have).order_by("id")
    for e in qs.values("id", "programme__code"):
        months = 12
        offset = (e["id"] * 37) % 380 - 15  # deterministic spread; a few already due
        rows.append(ReviewSchedule(enrollment_id=e["id"], household_class="stable", rule_set="2021",
                                   interval_months=months, next_due=today + dt.timedelta(days=offset),
                                   params={"source": "demo"}))
    ReviewSchedule.objects.bulk_create(rows, batch_size=1000)
    if rows:
        audit.record("assistance.demo_schedules", summary=f"生成演示复核计划 {len(rows)} 条", detail={"count": len(rows)})
    return len(rows)
