"""Demo purchased services: two providers (a social organisation, a firm) with contracts in four townships, three
months of service records with planted problems the checks find (a reused photo, one worker in two places at once,
visits after a beneficiary's death, a too-short visit), callback samples, a complaint, an assessment, and milestone
payments (one approved into the fund ledger, one prepared and waiting for the county's approver).
Deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import TextIO

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from stdnum.cn import uscc

from minzheng.accounts import services as accounts
from minzheng.accounts.models import User
from minzheng.accounts.roles import Role
from minzheng.audit import services as audit
from minzheng.core import dates
from minzheng.disaster.demo import actor as officer
from minzheng.regions.models import Division, Level
from minzheng.registry import services as registry
from minzheng.registry.models import Enrollment, EnrollmentStatus, Person

from .models import (
    CallbackOutcome,
    Confirmation,
    Contract,
    Provider,
    ProviderKind,
    ProviderStaff,
    ServiceOrder,
)
from .services import (
    assessment,
    callbacks,
    checks,
    complaints,
    contracts,
    delivery,
    evaluation,
    payments,
    providers,
)


def credit_code(prefix: str, org: str) -> str:
    body = prefix + org
    return body + uscc.calc_check_digit(body)


PROVIDERS = [
    ("延平区康乐居家养老服务中心", ProviderKind.SOCIAL_ORG, credit_code("52350702", "MJ0K12345"), "南平市延平区民政局",
     ["kangle1", "kangle2"], "shehui"),
    ("南平市惠民家政服务有限公司", ProviderKind.ENTERPRISE, credit_code("91350702", "MA31HM5X7"), "南平市延平区市场监督管理局",
     ["huimin1", "huimin2"], None),
]
CONTENT = ["打扫卫生、整理床铺，陪同聊天", "代购生活用品，检查用电用气安全", "助浴、理发，测量血压",
           "协助服药，陪同散步", "做饭送餐，清洗衣物", "读报聊天，了解近况和需求"]


def photo_bytes(seed: int) -> bytes:
    """A distinct picture per visit (its perceptual hash differs), as a phone would upload it."""
    rng = random.Random(seed)
    img = Image.new("RGB", (160, 120), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(img)
    for _ in range(14):
        x, y = rng.randrange(160), rng.randrange(120)
        draw.rectangle([x, y, x + rng.randrange(20, 70), y + rng.randrange(15, 50)],
                       fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    img.save(out, format="JPEG")
    return out.getvalue()


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")


def _staff_user(username: str, county: Division, name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = accounts.create_user(username=username, password=accounts_password(), role=Role.SOCIAL_ORG,
                                    division=county, full_name=name, is_demo=True)
    return user


def accounts_password() -> str | None:
    from minzheng.core.demo_accounts import DEMO_PASSWORD

    return DEMO_PASSWORD if settings.DEMO_MODE else None


def _candidates(county: Division) -> dict[int, list[Person]]:
    """Living 特困/低保 persons (or the elderly) per township, from the registry demo."""
    by_town: dict[int, list[Person]] = {}
    enrolled = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, person__isnull=False).values("person_id")
    qs = (Person.objects.filter(is_deceased=False, household__division__path__startswith=county.path)
          .filter(pk__in=enrolled).select_related("household__division").order_by("id"))
    for p in qs[:4000]:
        by_town.setdefault(p.household.division.parent_id or 0, []).append(p)
    if sum(len(v) for v in by_town.values()) < 16:
        for p in (Person.objects.filter(is_deceased=False, household__division__path__startswith=county.path,
                                        birth_date__lte=dates.today().replace(year=dates.today().year - 60))
                  .select_related("household__division").order_by("id")[:4000]):
            if p not in by_town.get(p.household.division.parent_id or 0, []):
                by_town.setdefault(p.household.division.parent_id or 0, []).append(p)
    return by_town


def load(out: TextIO, *, scale: float) -> None:
    if Provider.objects.filter(credit_code=PROVIDERS[0][2]).exists():
        out.write("政府购买服务演示数据已存在，跳过\n")
        return
    county = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
    if county is None:
        return
    by_town = _candidates(county)
    towns = [t for t in Division.objects.filter(pk__in=[k for k, v in by_town.items() if len(v) >= 4])
             .order_by("code")][:4]
    if len(towns) < 2:
        out.write("政府购买服务演示：人口数据不足，跳过\n")
        return
    rng = random.Random(20)
    today = dates.today()
    start = dates.shift_months(dates.current_month(), -3)
    with audit.batched():  # one transaction, its audit entries chained at its end
        made = _build(rng, county, towns, by_town, start, today, scale)
    out.write(f"政府购买服务演示数据：{len(PROVIDERS)} 家承接主体、{len(made)} 份合同、"
              f"{ServiceOrder.objects.count()} 个服务对象，"
              f"自动核查发现疑点 {_flags()} 个\n")


def _flags() -> int:
    from .models import RecordFlag

    return RecordFlag.objects.count()


def _build(rng: random.Random, county: Division, towns: list[Division], by_town: dict[int, list[Person]],
           start: dt.date, today: dt.date, scale: float) -> list[Contract]:
    made: list[Contract] = []
    halves = [towns[: len(towns) // 2], towns[len(towns) // 2:]]
    per_town = 8 if scale >= 0.05 else 6
    for i, (name, kind, code, reg, staff_names, bind) in enumerate(PROVIDERS):
        p = providers.register(actor=None, division=county, name=name, credit_code=code, kind=kind,
                               registered_with=reg, registered_on=dt.date(2016 + i, 5, 10), legal_rep="张" + "伟明"[i],
                               phone=f"0599-86{i}12345", address="南平市延平区")
        providers.add_qualification(actor=None, provider=p, name="养老服务机构备案" if i == 0 else "家政服务资质",
                                    number=f"YP-{2020 + i}-0{i + 1}", valid_until=today.replace(year=today.year + 2))
        if i == 1:
            providers.add_credit_note(actor=None, provider=p, kind="warning", start=start,
                                      text="2024年服务记录不全，已约谈整改")
        staff = [providers.bind_staff(actor=None, provider=p, user=_staff_user(u, county, f"{name[:4]}护理员{j + 1}"))
                 for j, u in enumerate(staff_names)]
        if bind and (u := User.objects.filter(username=bind, role=Role.SOCIAL_ORG).first()) is not None \
                and not ProviderStaff.objects.filter(user=u).exists():
            staff.append(providers.bind_staff(actor=None, provider=p, user=u, name="康乐中心社工"))
        c = contracts.create(
            actor=None, buyer=county, provider=p, number=f"YPMZ-GM-{start.year}-{i + 1:03d}",
            title=("特困人员分散供养照料服务" if i == 0 else "居家养老上门服务"),
            service="tekun_care" if i == 0 else "home_elderly", procurement="public_tender" if i == 0 else "consultation",
            procurement_ref=f"[350702]YPCG[GK]{start.year}00{i + 1}", fund="tekun_dispersed" if i == 0 else "work_funds",
            fund_source="county", budget=Decimal("120000") if i == 0 else Decimal("90000"), start=start,
            end=dates.add_months(start, 12) - dt.timedelta(days=1), townships=halves[i], visits_per_month=4,
            min_minutes=45, unit_price=Decimal("60"), deduction_per_failed=Decimal("30"))
        for q in range(4):
            ps = dates.add_months(start, 3 * q)
            contracts.add_milestone(actor=None, contract=c, title=f"第{q + 1}季度", period_start=ps,
                                    period_end=dates.add_months(ps, 3) - dt.timedelta(days=1), cap=c.budget / 4)
        orders: list[ServiceOrder] = []
        for t in halves[i]:
            for n, person in enumerate(by_town[t.pk][:per_town]):
                orders.append(delivery.assign(actor=None, contract=c, person=person, staff=staff[n % len(staff)],
                                              start=start))
        _records(rng, c, orders, start, today, i)
        made.append(c)
    for m in range(3):
        checks.run(month=dates.add_months(start, m), on=today)
    last = dates.add_months(start, 2)
    for i, t in enumerate(towns):
        s = callbacks.draw(actor=None, township=t, month=last, seed=f"demo-{t.code}-{last:%Y%m}")
        for k, item in enumerate(s.items.all()):
            outcome = CallbackOutcome.DISSATISFIED if k == 1 else CallbackOutcome.SATISFIED
            note = "护理员来去匆匆，希望多陪老人说说话" if k == 1 else ""
            if i == 0 and k == 2:  # planted: the beneficiary says nobody came that month; the records fail
                outcome, note = CallbackOutcome.NOT_DELIVERED, "老人和女儿都说这个月没有人上门"
            callbacks.record_outcome(actor=None, item=item, outcome=outcome, note=note)
    village = made[1].orders.first().village if made[1].orders.exists() else None  # type: ignore[union-attr]
    if village is not None:
        complaints.submit(provider=made[1].provider, village=village, description="护理员上门时间不固定，有时一个月只来两次",
                          reporter_name="家属", reporter_phone="13800000000")
    q1_end = dates.add_months(start, 3) - dt.timedelta(days=1)
    for c in made:
        if q1_end < today:
            assessment.assess(actor=None, contract=c, period_start=start, period_end=q1_end)
    evaluator = User.objects.filter(role=Role.EVALUATOR, is_active=True).order_by("pk").first()
    month3_end = dates.month_end(last)
    if evaluator is not None and month3_end < today:  # the district assigns the third month to the evaluator
        evaluation.assign(actor=None, contract=made[0], evaluator=evaluator, period_start=last,
                          period_end=month3_end)
    first = [c.milestones.get(seq=1) for c in made]
    if q1_end < today:
        payments.prepare(actor=None, milestone=first[1])
        payments.approve(actor=None, milestone=first[1])
        payments.prepare(actor=None, milestone=first[0])  # waits for the county approver (qu_shenpi) in the demo
    return made


def _records(rng: random.Random, c: Contract, orders: list[ServiceOrder], start: dt.date, today: dt.date,
             which: int) -> None:
    """Four visits a month per person, each worker's visits spread over working hours without overlap, except the
    planted problems."""
    seed = 1000 * (which + 1)
    reused: bytes | None = None
    died: ServiceOrder | None = orders[-1] if which == 0 else None
    for m in range(3):
        month = dates.add_months(start, m)
        slot: dict[int, int] = {}
        for k, o in enumerate(orders):
            visits = 4 if (k + m) % 7 else 3  # now and then a month short of the standard
            for v in range(visits):
                day = month + dt.timedelta(days=2 + v * 7 + (k % 5))
                if day >= today:
                    continue
                n = slot.get((o.staff_id or 0) * 100 + day.toordinal() % 100, 0)
                slot[(o.staff_id or 0) * 100 + day.toordinal() % 100] = n + 1
                begin = dates.aware(dt.datetime.combine(day, dt.time(8 + 2 * n, 10 * (k % 3))))
                minutes = 60 + rng.randrange(0, 30)
                if which == 1 and m == 1 and k == 2 and v == 0:
                    minutes = 20  # planted: too short
                seed += 1
                data = photo_bytes(seed)
                if which == 0 and m == 0 and k == 0 and v == 0:
                    reused = data
                if which == 0 and m == 1 and k == 1 and v == 1 and reused is not None:
                    data = reused  # planted: a photo from another person's visit used again
                confirm = Confirmation.SIGNATURE
                code = ""
                if v == 2 and k % 2 == 0:
                    confirm = Confirmation.CODE
                    with dates.frozen(begin):
                        code = delivery.issue_code(actor=None, order=o)
                delivery.record(actor=None, order=o, staff=o.staff, started_at=begin,
                                ended_at=begin + dt.timedelta(minutes=minutes), content=rng.choice(CONTENT),
                                photo=_upload(data), confirmation=confirm, code=code,
                                confirmed_by=o.person.name if confirm == Confirmation.SIGNATURE else "",
                                now=begin + dt.timedelta(minutes=minutes + 30))
    # Planted: the same worker recorded at another person's home during a visit (two places at once).
    if which == 0 and len(orders) >= 3:
        a = orders[0]
        twin = next((o for o in orders[1:] if o.staff_id == a.staff_id), None)
        first = a.records.order_by("started_at").first()
        if twin is not None and first is not None:
            delivery.record(actor=None, order=twin, staff=twin.staff, started_at=first.started_at + dt.timedelta(minutes=15),
                            ended_at=first.ended_at + dt.timedelta(minutes=15), content="打扫卫生",
                            photo=_upload(photo_bytes(99999)), confirmation=Confirmation.SIGNATURE,
                            confirmed_by=twin.person.name, now=first.ended_at + dt.timedelta(hours=1))
    # Planted: a beneficiary died in the second month, visits kept being recorded after.
    if died is not None:
        death = dates.add_months(start, 1) + dt.timedelta(days=3)
        if death < today:
            registry.record_death(actor=officer(died.village.parent or died.village), person=died.person,  # type: ignore[arg-type]
                                  death_date=death, note="演示：去世后仍有服务记录")
