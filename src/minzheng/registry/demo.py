"""Deterministic synthetic population over the real villages of the district (demo only).

scale 1.0 ≈ 504,000 persons (the district), 0.1 ≈ 50,000. Each village gets a share proportional to a base size
(communities bigger than villages) with a fixed per-village variation, and is generated from its own seeded
random stream, so the result is the same on every machine. Rows go in with raw multi-row inserts in batches (no
per-row signals); one audit entry records the load. A second run finds the demo households and adds nothing.

The people come from demo_people.py; here they get their incomes, assets and enrollments and are written.
Everything is synthetic: ID numbers are made valid by checksum (mostly 350702, some pre-1994 南平 codes and other
Fujian codes) and belong to no one.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.db import connection, transaction
from django.db.models import Model

from minzheng.audit import services as audit
from minzheng.core import dates, sealed
from minzheng.payments.accounts import luhn_digit
from minzheng.regions.models import Division, Level

from .demo_people import (
    REF,
    Generator,
    H,
    IdAllocator,
    P,
    capacity,
    education,
    marital,
    stable,
    village_sizes,
)
from .models import (
    Asset,
    AssetKind,
    Enrollment,
    EnrollmentAmount,
    EnrollmentStatus,
    Health,
    Household,
    HukouType,
    Income,
    IncomeCategory,
    Membership,
    Person,
    Programme,
    Relation,
    WorkCapacity,
)
from .pinyin import initials

FULL_SCALE_PERSONS = 504_000
SOURCE = "demo"
BANKS = ["中国农业银行南平延平支行", "福建省农村信用社(延平农商银行)", "中国邮政储蓄银行南平分行", "中国建设银行南平分行",
         "中国工商银行南平分行"]
# Monthly demo amounts (元) where no policy parameter says otherwise; real amounts come from assistance rules.
DEMO_AMOUNTS = {
    "tekun_dispersed": Decimal("1150"), "tekun_central": Decimal("1450"), "canji_life": Decimal("90"),
    "canji_care_1": Decimal("120"), "canji_care_2": Decimal("90"), "youfu": Decimal("820"), "orphan": Decimal("1500"),
    "gaoling_80": Decimal("100"), "gaoling_90": Decimal("200"), "gaoling_100": Decimal("500"),
}
FALLBACK_STANDARD = {"urban": Decimal("870"), "rural": Decimal("870")}


def _standard(kind: str, division: Division | None) -> tuple[Decimal, dict[str, Any]]:
    from minzheng.policy import services as policy

    try:
        pv = policy.resolve(f"dibao.standard.{kind}", on=REF, division=division)
        return Decimal(str(pv.value)), pv.ref()
    except Exception:  # assistance parameters not installed: a plain demo figure
        return FALLBACK_STANDARD[kind], {"demo": True, "key": f"dibao.standard.{kind}"}


def _month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def load(out: TextIO, *, scale: float = 0.1) -> None:
    """Create the demo population (idempotent: nothing happens when demo households exist)."""
    if Household.objects.filter(source=SOURCE).exists():
        out.write("演示人口已存在，跳过\n")
        return
    villages = list(Division.objects.filter(level=Level.VILLAGE).order_by("code"))
    if not villages:
        out.write("没有村(社区)区划，未生成演示人口\n")
        return
    t0 = time.monotonic()
    total = max(len(villages) * 8, round(FULL_SCALE_PERSONS * scale))
    sizes = village_sizes(villages, total)
    programmes = {p.code: p for p in Programme.objects.all()}
    taken = set(Person.objects.values_list("id_number", flat=True)) if Person.objects.exists() else set()
    ids = IdAllocator(taken)
    county = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
    standards = {k: _standard(k, county) for k in ("urban", "rural")}
    stats = {"households": 0, "persons": 0, "memberships": 0, "incomes": 0, "assets": 0, "enrollments": 0}
    batch: list[tuple[Division, random.Random, list[H]]] = []
    batch_persons = 0
    for v in villages:
        rng = random.Random(stable(f"minzheng-demo-{v.code}"))
        gen = Generator(rng)
        hhs: list[H] = []
        n = 0
        while n < sizes[v.pk]:
            h = gen.household(v)
            hhs.append(h)
            n += len(h.members)
        batch.append((v, rng, hhs))
        batch_persons += n
        if batch_persons >= 40_000:
            _insert(batch, ids, programmes, standards, stats)
            batch, batch_persons = [], 0
    if batch:
        _insert(batch, ids, programmes, standards, stats)
    if connection.vendor == "postgresql":
        # Rows went in with explicit keys: move the sequences past them.
        from django.core.management.color import no_style

        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Household, Person, Membership, Income, Asset,
                                                                      Enrollment, EnrollmentAmount]):
                cur.execute(sql)
    refresh_statistics()
    audit.record("registry.demo.load", summary=f"加载演示人口：{stats['households']} 户 {stats['persons']} 人（规模 {scale}）",
                 detail={**stats, "scale": scale, "seconds": round(time.monotonic() - t0, 1)})
    out.write(f"已生成演示人口：{stats['households']} 户、{stats['persons']} 人、享受待遇 {stats['enrollments']} 项"
              f"（{time.monotonic() - t0:.0f} 秒）\n")


def _chunks(items: list[Any], n: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


class Rows:
    """Raw multi-row inserts with explicit primary keys: the ORM's per-object work would dominate at 500k rows."""

    def __init__(self, model: type[Model], fields: list[str]) -> None:
        meta = model._meta
        qn = connection.ops.quote_name
        cols = ", ".join(qn(meta.get_field(f).column) for f in fields)
        self.sql = f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"
        self.rows: list[tuple[Any, ...]] = []
        self.model = model
        self.next_id = (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def flush(self) -> int:
        n = len(self.rows)
        with connection.cursor() as cur:
            for chunk in _chunks(self.rows, 5000):
                cur.executemany(self.sql, chunk)
        self.rows = []
        return n


@dataclass
class Out:
    """Insert buffers for one batch of villages."""

    households: Rows
    persons: Rows
    memberships: Rows
    incomes: Rows
    assets: Rows
    enrollments: Rows
    amounts: Rows
    bank_updates: list[tuple[str, str, int]] = field(default_factory=list)


def _buffers() -> Out:
    return Out(
        Rows(Household, ["id", "division", "hukou_type", "address", "phone", "phone_index", "phone_last4", "note",
                         "hukou_address", "source", "created_at", "updated_at"]),
        Rows(Person, ["id", "household", "name", "id_number", "birth_date", "sex", "name_initials", "ethnicity",
                      "relation", "education", "marital_status", "health", "work_capacity", "disability_category",
                      "disability_grade", "phone", "phone_index", "phone_last4", "bank_name", "bank_account",
                      "is_deceased", "disability_cert_no", "id_number_old", "note", "created_at", "updated_at"]),
        Rows(Membership, ["person", "household", "relation", "start_date", "reason"]),
        Rows(Income, ["household", "person", "category", "item", "monthly_amount", "period_start", "source"]),
        Rows(Asset, ["household", "person", "kind", "description", "value", "attributes", "acquired_on"]),
        Rows(Enrollment, ["id", "programme", "household", "person", "status", "covered_persons", "monthly_amount",
                          "start_month", "end_reason", "source", "source_ref", "decided_under", "created_at",
                          "updated_at"]),
        Rows(EnrollmentAmount, ["enrollment", "from_month", "monthly_amount", "covered_persons", "reason",
                                "decided_under", "created_at"]),
    )


def _json(value: Any) -> Any:
    return Asset._meta.get_field("attributes").get_db_prep_save(value, connection)


@transaction.atomic
def _insert(batch: list[tuple[Division, random.Random, list[H]]], ids: IdAllocator,
            programmes: dict[str, Programme], standards: dict[str, tuple[Decimal, dict[str, Any]]],
            stats: dict[str, int]) -> None:
    out = _buffers()
    day = connection.ops.adapt_datefield_value
    now = connection.ops.adapt_datetimefield_value(dates.now())
    ctx = Ctx(out, day, now, programmes, standards)
    for _v, rng, hhs in batch:
        for h in hhs:
            h.pk = out.households.new_id()
            # Phones and accounts are sealed at rest, with their search columns (core/sealed.py).
            out.households.rows.append((h.pk, h.division_id, h.hukou, h.address, *sealed.columns(h.phone, sealed.PHONE),
                                        "", "", SOURCE, now, now))
            for m in h.members:
                m.pk = out.persons.new_id()
                m.id_number = ids.make(m.region, m.birth, m.sex)
                # The allocator may move a birth a day back when a day's sequences run out: the ID is the truth.
                m.birth = dt.date(int(m.id_number[6:10]), int(m.id_number[10:12]), int(m.id_number[12:14]))
                age = dates.age_on(m.birth, REF)
                cat, grade = m.disability if m.disability else ("", None)
                m.capacity = capacity(age, grade)
                out.persons.rows.append((
                    m.pk, h.pk, m.name, m.id_number, day(m.birth), m.sex, initials(m.name), m.ethnicity,
                    m.relation, education(age, m.birth), marital(m, h),
                    Health.DISABLED if cat else (Health.CHRONIC if age >= 65 and stable(m.id_number) % 3 == 0
                                                 else Health.HEALTHY),
                    m.capacity, cat, grade, *sealed.columns(m.phone, sealed.PHONE), "", "", False,
                    f"{m.id_number}{cat}{grade}" if cat else "", "",
                    "", now, now))
                out.memberships.rows.append((m.pk, h.pk, m.relation, day(max(h.since, m.birth)), "建档"))
            own = _incomes(h, rng, ctx)
            _assets(h, rng, ctx)
            _enrollments(h, rng, own, ctx)
    n_h = out.households.flush()
    n_p = out.persons.flush()
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {Household._meta.db_table} SET head_id = %s WHERE id = %s",
                        [(h.members[0].pk, h.pk) for _v, _r, hhs in batch for h in hhs])
        cur.executemany(f"UPDATE {Person._meta.db_table} SET bank_name = %s, bank_account = %s, "
                        "bank_account_index = %s, bank_account_last4 = %s, bank_account_shape = %s WHERE id = %s",
                        [(name, *sealed.columns(acct, sealed.ACCOUNT), pk) for name, acct, pk in out.bank_updates])
    stats["households"] += n_h
    stats["persons"] += n_p
    stats["memberships"] += out.memberships.flush()
    stats["incomes"] += out.incomes.flush()
    stats["assets"] += out.assets.flush()
    stats["enrollments"] += out.enrollments.flush()
    out.amounts.flush()


@dataclass
class Ctx:
    out: Out
    day: Any
    now: Any
    programmes: dict[str, Programme]
    standards: dict[str, tuple[Decimal, dict[str, Any]]]


def _since(rng: random.Random, earliest: dt.date) -> dt.date:
    d = max(dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(365 * 7)), earliest)
    return min(d, REF).replace(day=1)


def _incomes(h: H, rng: random.Random, c: Ctx) -> Decimal:
    """Append the household's incomes; return their monthly total."""
    rural = h.hukou == HukouType.RURAL
    rows = c.out.incomes.rows
    total = 0

    def add(person: int | None, cat: str, item: str, amount: int, start: dt.date, source: str) -> None:
        nonlocal total
        total += amount
        rows.append((h.pk, person, cat, item, Decimal(amount), c.day(start), source))

    for p in h.members:
        age = dates.age_on(p.birth, REF)
        if 18 <= age < 60 and p.capacity in (WorkCapacity.FULL, WorkCapacity.PARTIAL) \
                and rng.random() < (0.25 if h.poor else 0.7):
            amount = rng.randint(300, 900) if h.poor else rng.randint(1500, 3200) if rural else rng.randint(2200, 5500)
            add(p.pk, IncomeCategory.WAGE, "务工收入" if rural else "工资薪金", amount,
                _since(rng, dt.date(p.birth.year + 18, p.birth.month, 1)), "申报")
        if age >= 60:
            if not rural and not h.poor and rng.random() < 0.45:
                add(p.pk, IncomeCategory.TRANSFER, "基本养老金", rng.randint(2300, 4800), _since(rng, REF), "信息核对")
            else:
                add(p.pk, IncomeCategory.TRANSFER, "城乡居民基础养老金", rng.randint(150, 260),
                    _since(rng, dt.date(2019, 1, 1)), "信息核对")
    if rural and rng.random() < (0.3 if h.poor else 0.5):
        add(None, IncomeCategory.BUSINESS, rng.choice(["种植收入", "养殖收入", "林业收入", "茶叶收入"]),
            rng.randint(100, 400) if h.poor else rng.randint(300, 1800), _since(rng, dt.date(2019, 1, 1)), "入户调查")
    if not h.poor and rng.random() < 0.06:
        add(None, IncomeCategory.PROPERTY, "房屋出租", rng.randint(200, 1500), _since(rng, dt.date(2019, 1, 1)), "申报")
    if rng.random() < 0.04:
        add(None, IncomeCategory.OTHER, "赡养费", rng.randint(100, 600), _since(rng, dt.date(2019, 1, 1)), "申报")
    return Decimal(total)


def _assets(h: H, rng: random.Random, c: Ctx) -> None:
    head = h.members[0].pk
    rows = c.out.assets.rows

    def add(kind: str, desc: str, value: int, acquired: dt.date | None, attrs: dict[str, Any]) -> None:
        rows.append((h.pk, head, kind, desc, Decimal(value), _json(attrs), c.day(acquired) if acquired else None))

    if rng.random() < (0.3 if h.poor else 0.8):
        add(AssetKind.DEPOSIT, "银行存款", rng.randint(200, 6000) if h.poor else rng.randint(5000, 150000),
            _since(rng, dt.date(2019, 1, 1)), {})
    if not h.poor and rng.random() < 0.28:
        add(AssetKind.VEHICLE, rng.choice(["小型轿车", "小型越野客车", "轻型货车"]), rng.randint(30000, 180000),
            _since(rng, dt.date(2019, 1, 1)), {"vehicle_type": "小型载客汽车"})
    elif rng.random() < 0.25:
        add(AssetKind.VEHICLE, "电动摩托车", rng.randint(1500, 5000), _since(rng, dt.date(2019, 1, 1)),
            {"vehicle_type": "摩托车"})
    if rng.random() < 0.9:
        add(AssetKind.PROPERTY, "自住房", rng.randint(30000, 400000), None,
            {"area_m2": rng.randint(40, 180), "self_occupied": True})
    if not h.poor and rng.random() < 0.07:
        add(AssetKind.PROPERTY, "商品房", rng.randint(200000, 900000), None,
            {"area_m2": rng.randint(60, 140), "self_occupied": False})
    if not h.poor and rng.random() < 0.04:
        add(AssetKind.BUSINESS, rng.choice(["个体工商户（小卖部）", "个体工商户（农家乐）", "家庭农场"]),
            rng.randint(20000, 300000), _since(rng, dt.date(2019, 1, 1)), {})


def _enrollments(h: H, rng: random.Random, own: Decimal, c: Ctx) -> None:
    if not c.programmes:
        return
    out = c.out

    def add(code: str, amount: Decimal, *, person: P | None = None, covered: int = 1,
            decided: dict[str, Any] | None = None, start: dt.date | None = None) -> None:
        prog = c.programmes.get(code)
        if prog is None:
            return
        eid = out.enrollments.new_id()
        month = c.day(start or _since(rng, dt.date(2018, 1, 1)))
        dec = _json(decided or {"demo": True})
        out.enrollments.rows.append((eid, prog.pk, h.pk, person.pk if person else None, EnrollmentStatus.ACTIVE,
                                     covered, amount, month, "", SOURCE, "演示数据", dec, c.now, c.now))
        out.amounts.rows.append((eid, month, amount, covered, "演示数据：初始核定", dec, c.now))
        payee = person or h.members[0]
        if not payee.bank:
            hsh = stable(payee.id_number)
            payee.bank = True
            card = "6228" + f"{hsh % 10**14:014d}"   # a 19-digit bank card with its Luhn check digit
            out.bank_updates.append((BANKS[hsh % len(BANKS)], card + luhn_digit(card), payee.pk))

    able = [p for p in h.members if p.capacity == WorkCapacity.FULL]
    # 特困: poor, no one able to work, one or two persons.
    if h.poor and not able and len(h.members) <= 2 and rng.random() < 0.5:
        code = "tekun_central" if rng.random() < 0.12 else "tekun_dispersed"
        for p in h.members:
            age = dates.age_on(p.birth, REF)
            if age >= 60 or age < 16 or (p.disability and p.disability[1] in (1, 2, 3)):
                add(code, DEMO_AMOUNTS[code], person=p)
    elif h.poor:
        kind = "urban" if h.hukou == HukouType.URBAN else "rural"
        std, ref = c.standards[kind]
        n = len(h.members)
        amount = max(std * n - own, std * n * Decimal("0.2")).quantize(Decimal("1"))
        add("dibao_urban" if kind == "urban" else "dibao_rural", amount, covered=n,
            decided={"standard": ref, "demo": True})
        for p in h.members:
            if p.disability:
                add("canji_life", DEMO_AMOUNTS["canji_life"], person=p)
    for p in h.members:
        age = dates.age_on(p.birth, REF)
        if age >= 80:
            key = "gaoling_100" if age >= 100 else "gaoling_90" if age >= 90 else "gaoling_80"
            add("gaoling", DEMO_AMOUNTS[key], person=p,
                start=max(dt.date(p.birth.year + 80, p.birth.month, 1), dt.date(2018, 1, 1)))
        if p.disability and p.disability[1] in (1, 2):
            add("canji_care", DEMO_AMOUNTS[f"canji_care_{p.disability[1]}"], person=p)
        if age >= 62 and p.sex == "1" and stable(p.id_number) % 1000 < 12:
            add("youfu", DEMO_AMOUNTS["youfu"], person=p)
        if age < 16 and p.relation == Relation.GRANDCHILD and stable(p.id_number) % 1000 < 6:
            add("orphan", DEMO_AMOUNTS["orphan"], person=p)


def refresh_statistics() -> None:
    """Planner statistics after a bulk load: without them SQLite picks a table scan for searches."""
    tables = [m._meta.db_table for m in (Household, Person, Membership, Income, Asset, Enrollment)]
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cur.execute("ANALYZE " + ", ".join(tables))
