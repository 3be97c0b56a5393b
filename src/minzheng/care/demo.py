"""Demo care files in 梅山街道 and 夏道镇: children (中山社区's with their 儿童主任), 特困 in both arrangements with
institutions, a move each way, elders derived from the registry, 优抚 and disabled files — six months of visits, some
lapsing so they are overdue and escalate in the sweep. Deterministic and idempotent (nothing if files exist).

Six months of history go in as bulk rows with one audit entry; what a person would do today (profiles, agreements,
admissions, referrals, a visit that opens a 民情 item) goes through the services."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from typing import Any, TextIO

from minzheng.accounts.models import User
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.regions.models import Division, Level
from minzheng.registry.models import HOLDING_STATUSES, Enrollment, Person

from . import rules
from .models import CareEvent, CareFile, Group, Institution, InstitutionKind, Risk, Visit, VisitMode
from .services import files, registers, sweep, tekun, visits
from .services.common import params

TOWNSHIPS = ("梅山街道", "夏道镇")
CHILD_VILLAGE = "中山社区居委会"
# 春节 dates for the holiday visits of 优抚对象 (八一 is fixed).
SPRING_FESTIVAL = {2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
                   2028: dt.date(2028, 1, 26)}

CHILD_CASES: list[dict[str, Any]] = [
    {"father_status": "away", "father_where": "广东东莞", "mother_status": "away", "mother_where": "福州",
     "guardian_name": "祖母", "guardian_relation": "祖母", "guardianship": "normal", "school": "中山小学"},
    {"father_status": "detained", "father_months": 14, "mother_status": "lost_contact", "mother_months": 9,
     "guardian_name": "祖父", "guardian_relation": "祖父", "guardianship": "weak", "school": "延平区第二中学",
     "family_situation": "父亲服刑，母亲离家失联，由年迈祖父照料"},
    {"father_status": "dead", "mother_status": "dead", "guardian_name": "叔叔", "guardian_relation": "叔叔",
     "guardianship": "normal", "school": "中山小学", "family_situation": "父母因病去世"},
    {"father_status": "home", "mother_status": "missing", "guardian_name": "父亲", "guardian_relation": "父亲",
     "guardianship": "improper", "school": "", "health": "营养不良", "family_situation": "父亲酗酒，疏于照料，已辍学"},
    {"father_status": "away", "father_where": "厦门", "mother_status": "home", "guardian_name": "母亲",
     "guardian_relation": "母亲", "guardianship": "normal", "school": "夏道中心小学"},
]


def _stable(n: int) -> int:
    return int(hashlib.sha256(str(n).encode()).hexdigest()[:8], 16)


def _paid_child_case(person_id: int) -> dict[str, Any]:
    """A child 孤儿基本生活费 pays: an orphan, or every third one 事实无人抚养 (father 服刑, mother 失联)."""
    return dict(CHILD_CASES[1 if _stable(person_id) % 3 == 0 else 2])


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def load(out: TextIO, *, scale: float = 0.1) -> None:
    if CareFile.objects.exists():
        return
    towns = list(Division.objects.filter(name__in=TOWNSHIPS, level=Level.TOWNSHIP).order_by("code"))
    if not towns:
        return
    began = time.monotonic()
    with audit.batched():  # one transaction, its audit entries chained at its end
        n = _load(towns)
    out.write(f"关爱走访演示数据：{n['files']} 份档案，{n['visits']} 次走访，逾期提级 {n['escalated']} 件"
              f"（{time.monotonic() - began:.1f} 秒）\n")


def _load(towns: list[Division]) -> dict[str, int]:
    today = dates.today()
    start = dates.add_months(today, -6)
    rng = random.Random(19)
    children = _children(towns, today, start)
    for group in (Group.TEKUN, Group.ELDER, Group.YOUFU, Group.DISABLED):
        registers.derive(group, divisions=towns, on=start)
    n_visits = _history(rng, today, start)
    _tekun_arrangements(towns, start, today)
    _youfu(today)
    _providers(towns)
    _today_work(children, today)
    counts = sweep.escalate_overdue(today)
    audit.record("care.demo.load", summary="加载关爱走访演示数据",
                 detail={"files": CareFile.objects.count(), "visits": Visit.objects.count(), **counts})
    return {"files": CareFile.objects.count(), "visits": n_visits, "escalated": counts["township"] + counts["county"]}


def _children(towns: list[Division], today: dt.date, start: dt.date) -> list[CareFile]:
    """Children of 中山社区 (the 儿童主任's) and of a few villages, with one of the five situations each."""
    born_after = dt.date(today.year - 17, today.month, 1)
    villages = list(Division.objects.filter(name=CHILD_VILLAGE, parent__in=towns))
    for t in towns:
        villages += [v for v in Division.objects.filter(parent=t, level=Level.VILLAGE).order_by("code")[:3]
                     if v not in villages]
    director = _user("ertong")
    made: list[CareFile] = []
    orphans = set(Enrollment.objects.filter(programme__code="orphan", status__in=HOLDING_STATUSES)
                  .values_list("person_id", flat=True))
    for v in villages:
        kids = list(Person.objects.filter(household__division=v, is_deceased=False, birth_date__gt=born_after)
                    .select_related("household").order_by("id")[:6])
        kids += list(Person.objects.filter(household__division=v, pk__in=orphans).exclude(
            pk__in=[k.pk for k in kids]).select_related("household"))
        for i, kid in enumerate(kids):
            f = files.open_file(actor=None, person=kid, group=Group.CHILD, on=start,
                                responsible=director if v.name == CHILD_VILLAGE else None)
            case = _paid_child_case(kid.pk) if kid.pk in orphans else dict(CHILD_CASES[i % len(CHILD_CASES)])
            files.save_child(actor=None, file=f, data=case, on=start)
            f.refresh_from_db()
            if f.risk != Risk.LOW:
                files.set_plan(actor=None, file=f, plan="每月上门走访；联系学校了解在校情况；协助申请基本生活保障")
            made.append(f)
    # every child 孤儿基本生活费 pays has a file, wherever it lives (the return counts them by it)
    filed = {f.person_id for f in made}
    for kid in (Person.objects.filter(pk__in=orphans, is_deceased=False).exclude(pk__in=filed)
                .select_related("household").order_by("id")):
        f = files.open_file(actor=None, person=kid, group=Group.CHILD, on=start, responsible=None)
        files.save_child(actor=None, file=f, data=_paid_child_case(kid.pk), on=start)
        f.refresh_from_db()
        made.append(f)
    return made


def _answers(fields: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fd in fields:
        if fd["type"] == "bool":
            out[fd["code"]] = rng.random() < 0.9 if fd["code"] != "safety_risk" else rng.random() < 0.05
        elif fd["type"] == "choice":
            out[fd["code"]] = fd["choices"][0] if rng.random() < 0.8 else rng.choice(fd["choices"])
    return out


def _visitor(f: CareFile, cache: dict[int, tuple[User | None, str]]) -> tuple[User | None, str]:
    if f.responsible_id:
        u = f.responsible
        return u, (u.full_name or u.username) if u else "走访人"
    if f.village_id not in cache:
        u = (User.objects.filter(division_id=f.village_id, is_active=True, role="village_coordinator").first()
             or User.objects.filter(division=f.village.parent, is_active=True, role="township_officer").first())
        cache[f.village_id] = (u, (u.full_name or u.username) if u else f"{f.village.name}协管员")
    return cache[f.village_id]


def _history(rng: random.Random, today: dt.date, start: dt.date) -> int:
    """Six months of visits at each file's interval; about one file in eight stops being visited 3–10 weeks ago."""
    p = params(today)
    forms = {g: visits.form_for(g, today)[0] for g in Group.values}
    form_refs = {g: visits.form_for(g, today)[1] for g in Group.values}
    cache: dict[int, tuple[User | None, str]] = {}
    rows: list[Visit] = []
    events: list[CareEvent] = []
    changed: list[CareFile] = []
    for f in CareFile.objects.select_related("village", "responsible").order_by("id"):
        step = rules.interval_days(f.group, f.risk, p)
        lapse = _stable(f.person_id) % 8 == 0
        stop = today - dt.timedelta(days=21 + _stable(f.person_id) % 50) if lapse else today
        day = start + dt.timedelta(days=rng.randint(0, min(10, step - 1)))
        visitor, name = _visitor(f, cache)
        last = None
        while day < stop:
            rows.append(Visit(file=f, visited_on=day, mode=VisitMode.HOME if rng.random() < 0.85 else VisitMode.PHONE,
                              visitor=visitor, visitor_name=name, form=form_refs[f.group],
                              answers=_answers(forms[f.group], rng), findings="" if rng.random() < 0.8 else "情况稳定",
                              created_at=dates.start_of_day(day) + dt.timedelta(hours=10)))
            events.append(CareEvent(file=f, at=dates.start_of_day(day) + dt.timedelta(hours=10), actor=name,
                                    action="visited", text=f"{day} 上门"))
            last = day
            day = day + dt.timedelta(days=max(1, step - rng.randint(0, min(5, step // 4))))
        if last is not None:
            f.last_visit_on = last
            f.next_due = rules.next_due(last, f.group, f.risk, p)
            changed.append(f)
    Visit.objects.bulk_create(rows, batch_size=1000)
    CareEvent.objects.bulk_create(events, batch_size=1000)
    CareFile.objects.bulk_update(changed, ["last_visit_on", "next_due"], batch_size=500)
    return len(rows)


def _tekun_arrangements(towns: list[Division], start: dt.date, today: dt.date) -> None:
    """Institutions with beds; 集中 residents admitted, 分散 ones under care agreements; one moves in, one home."""
    insts = {t.pk: Institution.objects.create(division=t, name=f"{t.name}敬老院", kind=InstitutionKind.NURSING_HOME,
                                              beds=30) for t in towns}
    county = towns[0].parent
    centre = Institution.objects.create(division=county, name="延平区社会福利中心", kind=InstitutionKind.WELFARE_CENTRE,
                                        beds=120) if county is not None else None
    svc = ["日常看护", "生活照料"]
    beds: dict[int, int] = {}

    def bed_in(f: CareFile) -> Institution | None:
        inst = (insts.get(f.village.parent_id) if f.village.parent_id else None) or centre
        if inst is not None and beds.get(inst.pk, 0) >= inst.beds:
            inst = centre
        if inst is not None:
            beds[inst.pk] = beds.get(inst.pk, 0) + 1
        return inst

    tekun_files = list(CareFile.objects.filter(group=Group.TEKUN).select_related("village", "person").order_by("id"))
    for i, f in enumerate(tekun_files):
        # The first three show each path: one lives in the institution, one moved home after two months, one moved
        # in after three; the rest follow their enrollment (集中 → a bed, 分散 → a care agreement when needed).
        central = "central" in f.categories or i in (0, 1)
        if central:
            inst = bed_in(f)
            if inst is None:
                continue
            adm = tekun.admit(actor=None, file=f, institution=inst, bed=f"{beds[inst.pk]:03d}", on=start)
            if i == 1:
                tekun.discharge(actor=None, admission=adm, reason="本人申请回家，由侄子照料",
                                on=start + dt.timedelta(days=60), to_home=True, carer_name=f"{f.person.name[0]}某（侄子）",
                                carer_relation="侄子", services=svc, monthly_fee="300")
            continue
        if i > 2 and _stable(f.person_id) % 5 == 0 and not tekun.needs_agreement(f, today):
            continue  # self-caring at home: no agreement needed
        tekun.sign_agreement(actor=None, file=f, carer_name=f"{f.village.name}村委会", carer_relation="村委会",
                             services=svc + (["助餐"] if _stable(f.pk) % 2 else []), monthly_fee="200", start=start)
        if i == 2:
            inst = bed_in(f)
            if inst is not None:
                tekun.admit(actor=None, file=f, institution=inst, bed=f"{beds[inst.pk]:03d}",
                            on=start + dt.timedelta(days=90))


def _youfu(today: dt.date) -> None:
    for f in CareFile.objects.filter(group=Group.YOUFU).order_by("id"):
        registers.set_documents(actor=None, file=f, documents=[f"优抚对象证 No.{350702000 + f.person_id}"])
        registers.annual_check(actor=None, file=f, year=today.year - 1, result="核实在册，继续享受",
                               on=dt.date(today.year - 1, 12, 10))
        for day, name in ((dt.date(today.year, 8, 1), "八一"), (SPRING_FESTIVAL.get(today.year), "春节")):
            if day is not None and dates.add_months(today, -6) <= day < today:
                Visit.objects.create(file=f, visited_on=day, mode=VisitMode.HOME, visitor_name="乡镇退役军人服务站",
                                     occasion=name, answers={"seen_person": True, "living": "良好"},
                                     findings=f"{name}走访慰问", created_at=dates.start_of_day(day))


def _providers(towns: list[Division]) -> None:
    """A provider's worker is the named visitor of a few elders in their township."""
    worker = _user("kangle1")
    if worker is None or worker.division is None:
        return
    for f in (CareFile.objects.filter(group=Group.ELDER, village__path__startswith=worker.division.path)
              .order_by("id")[:3]):
        files.assign(actor=None, file=f, responsible=worker)


def _today_work(children: list[CareFile], today: dt.date) -> None:
    """What happened this week through the services: referrals, and a visit that found a need (民情)."""
    for i, f in enumerate(c for c in children if c.risk == Risk.HIGH):
        if i >= 2:
            break
        r = files.refer(actor=None, file=f, to="police" if i == 0 else "education",
                        reason="监护人疏于照料，儿童辍学在家" if i else "发现儿童疑似受到侵害，依法强制报告",
                        on=today - dt.timedelta(days=3))
        if i == 1:
            files.close_referral(actor=None, referral=r, outcome="学校已安排返校就读")
    zs = next((c for c in children if c.village.name == CHILD_VILLAGE), None)
    if zs is not None:
        # The 儿童主任's list: one child due today.
        CareFile.objects.filter(pk=zs.pk).update(next_due=today, escalation=0)
    elder = CareFile.objects.filter(group=Group.ELDER, risk=Risk.HIGH, village__name=CHILD_VILLAGE).first() or \
        CareFile.objects.filter(group=Group.ELDER, risk=Risk.HIGH).order_by("id").first()
    if elder is not None:
        fields, _ = visits.form_for(Group.ELDER, today, elder.village)
        visits.record_visit(None, elder, {
            "visited_on": today - dt.timedelta(days=1), "mode": "home",
            "answers": {fd["code"]: (fd["choices"][-1] if fd["type"] == "choice" else True)
                        for fd in fields if fd["type"] != "text"},
            "findings": "老人独居，屋顶漏雨", "risk": "high",
            "need": {"category": "risk", "description": "独居老人住房屋顶漏雨，需要修缮"}})
