"""Demo data: a flood reported from 初报 to 核报 in a few townships, a hailstorm still under way with one 初报 late,
two warehouses with stock cards, a village distribution signed for household by household, and a 冬春救助 season.

Deterministic (fixed dates, seeded choices) and idempotent: a second run finds the flood and adds nothing. Everything
goes through the services, as a user would, so the demo also exercises the rules and the audit trail.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, TextIO

from minzheng.accounts.roles import ROLE_CAPS, Role
from minzheng.core import dates
from minzheng.regions.models import Division, Level
from minzheng.regions.selectors import root_county, townships
from minzheng.registry.models import Household

from . import relief, services, winter
from .models import DisasterType, Event, Item, MoveKind, RoundKind, WinterRound

FLOOD = "2026年6月16日延平区洪涝灾害"


@dataclass
class Actor:
    """A stand-in for the officer of a division (the demo runs before anyone logs in)."""

    username: str
    role: str
    division: Division
    caps: frozenset[str] = field(default_factory=frozenset)
    is_active: bool = True
    is_authenticated: bool = True

    @property
    def division_id(self) -> int:
        return self.division.pk

    def has_cap(self, cap: str) -> bool:
        return cap in self.caps


def actor(division: Division, role: str = Role.TOWNSHIP_OFFICER) -> Actor:
    return Actor(f"demo:{division.short_name or division.name}", role, division, ROLE_CAPS[role])


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dates.aware(dt.datetime.combine(day, dt.time(hour, minute)))


def figures(rng: random.Random, scale: float = 1.0) -> dict[str, str]:
    """Consistent figures for one unit (they pass every error rule)."""
    pop = int(rng.randint(200, 900) * scale) + 10
    crop = round(rng.uniform(20, 120) * scale, 1)
    damaged = round(crop * rng.uniform(0.3, 0.6), 1)
    agri = round(crop * 0.6, 1)
    house = round(rng.uniform(5, 30) * scale, 1)
    infra = round(rng.uniform(10, 80) * scale, 1)
    return {
        "pop_affected": str(pop), "pop_relocated": str(pop // 4), "pop_need_aid": str(pop // 6),
        "house_minor_hh": str(pop // 50), "house_minor_rooms": str(pop // 50 * 2),
        "crop_affected": str(crop), "crop_damaged": str(damaged), "crop_lost": str(round(damaged * 0.2, 1)),
        "loss_agri": str(agri), "loss_house": str(house), "loss_infra": str(infra),
        "loss_total": str(round(agri + house + infra + 5, 1)), "loss_family": "5",
    }


def grow(values: dict[str, str], rng: random.Random) -> dict[str, str]:
    """A later report: every figure the same or a little higher (cumulative), the rules still satisfied."""
    f = 1 + rng.uniform(0.05, 0.2)
    out = {}
    for k, v in values.items():
        out[k] = str(int(int(v) * f)) if "." not in v and k.startswith(("pop", "house")) else str(round(float(v) * f, 1))
    out["house_minor_rooms"] = str(max(int(out["house_minor_rooms"]), int(out["house_minor_hh"])))
    out["pop_relocated"] = str(min(int(out["pop_relocated"]), int(out["pop_affected"])))
    out["pop_need_aid"] = str(min(int(out["pop_need_aid"]), int(out["pop_affected"])))
    parts = sum(float(out[k]) for k in ("loss_agri", "loss_house", "loss_infra", "loss_family"))
    out["loss_total"] = str(round(max(float(out["loss_total"]), parts), 1))
    out["crop_lost"] = str(min(float(out["crop_lost"]), float(out["crop_damaged"])))
    out["crop_damaged"] = str(min(float(out["crop_damaged"]), float(out["crop_affected"])))
    return out


def _file(who: Actor, rnd: Any, division: Division, values: dict[str, str], when: dt.datetime,
          approver: Actor | None, **kw: Any) -> Any:
    rep = services.open_report(actor=who, round=rnd, division=division)
    services.save_report(actor=who, report=rep, values=values, **kw)
    services.submit_report(actor=who, report=rep, now=when)
    if approver is not None:
        services.approve_report(actor=approver, report=rep, now=when + dt.timedelta(minutes=40))
    return rep


def load(out: TextIO, *, scale: float = 0.1) -> None:
    if Event.objects.filter(name=FLOOD).exists():
        out.write("灾情演示数据已存在，跳过\n")
        return
    county = root_county()
    if county is None:
        return
    rng = random.Random(20260616)
    district = actor(county, Role.DISTRICT_ADMIN)
    boss = actor(county, Role.DISTRICT_APPROVER)
    towns = [t for t in townships(county) if Division.objects.filter(parent=t, level=Level.VILLAGE).exists()]
    affected = [t for t in towns if t.name in ("夏道镇", "梅山街道", "南山镇", "王台镇")] or towns[:4]
    flood_type = DisasterType.objects.get(code="010200")
    day = dt.date(2026, 6, 16)
    ev = services.register_event(actor=district, name=FLOOD, dtype=flood_type, started_at=at(day, 3),
                                 areas=affected, severity="3", now=at(day, 6),
                                 description="强降雨引发山洪，多个乡镇农田、房屋受损，部分群众紧急转移。")
    initial = ev.rounds.get(kind=RoundKind.INITIAL)
    upd = services.open_update_round(actor=district, event=ev, as_of=at(day + dt.timedelta(days=1), 8),
                                     now=at(day + dt.timedelta(days=1), 8))
    last: dict[int, dict[str, str]] = {}
    for i, t in enumerate(affected):
        who = actor(t)
        vals = figures(rng)
        if i == 0:  # one death, registered person by person
            vals["pop_dead"] = "1"
        villages = list(Division.objects.filter(parent=t, level=Level.VILLAGE).order_by("code")[:3])
        if i == 1 and villages:  # this township sums its villages' approved reports
            for v in villages:
                _file(actor(v, Role.VILLAGE_COORDINATOR), initial, v, figures(rng, 0.3), at(day, 7, 10), who)
            rep = services.open_report(actor=who, round=initial, division=t)
            services.save_report(actor=who, report=rep, values={}, from_villages=True)
            services.submit_report(actor=who, report=rep, now=at(day, 7, 40))
            services.approve_report(actor=boss, report=rep, now=at(day, 8, 20))
            rep.refresh_from_db()
            vals = dict(rep.values)
        else:
            late = i == len(affected) - 1  # the last township sent its 初报 after the 2-hour limit
            _file(who, initial, t, vals, at(day, 9, 15) if late else at(day, 7, 30), boss)
        if i == 0 and villages:
            services.add_casualty(actor=who, event=ev, division=villages[0], name="演示遇难者", status="dead",
                                  occurred_on=day, place="山洪沟", cause="山洪冲走", age=67, sex="1")
            hhs = list(Household.objects.filter(division__in=villages).select_related("head").order_by("id")[:3])
            minor = 0
            for hh in hhs:
                services.add_house_damage(actor=who, event=ev, division=hh.division, household=hh,
                                          head_name=hh.head.name if hh.head else "（未登记）", level="minor",
                                          rooms=2, address=hh.address)
                minor += 1
            vals["house_minor_hh"], vals["house_minor_rooms"] = str(minor), str(minor * 2)
        last[t.pk] = vals
        nxt = grow(vals, rng)
        _file(who, upd, t, nxt, at(day + dt.timedelta(days=1), 15), boss)
        last[t.pk] = nxt
    # stable after four days; 核报 from all but the last township (still pending: shows the open item)
    fin = services.mark_stable(actor=district, event=ev, ended_at=at(day + dt.timedelta(days=4), 18),
                               now=at(day + dt.timedelta(days=4), 18))
    for t in affected[:-1]:
        _file(actor(t), fin, t, last[t.pk], at(day + dt.timedelta(days=5), 10), boss)
    out.write(f"已生成灾情演示：{ev.name}（{len(affected)} 个乡镇，初报→续报→核报）\n")

    # An ongoing hailstorm registered three hours ago: one township reported in time, the other is overdue.
    now = dates.now()
    hail = services.register_event(actor=district, name="冰雹灾害（演示：进行中）",
                                   dtype=DisasterType.objects.get(code="010600"),
                                   started_at=now - dt.timedelta(hours=4), areas=affected[:2],
                                   now=now - dt.timedelta(hours=3))
    _file(actor(affected[0]), hail.rounds.get(), affected[0], figures(rng, 0.2), now - dt.timedelta(hours=2), None)

    _supplies(out, county, district, affected, ev, rng)
    _winter(out, boss, affected, ev, rng)


def _supplies(out: TextIO, county: Division, district: Actor, affected: list[Division], ev: Event,
              rng: random.Random) -> None:
    items = {i.code: i for i in Item.objects.all()}
    depot = relief.create_warehouse(actor=district, name="延平区救灾物资储备库", division=county,
                                    address="延平区救灾物资储备库", keeper="区应急管理局物资股")
    stock = [("JZ01", 80), ("JZ02", 600), ("JZ03", 300), ("JZ04", 120), ("JZ06", 400), ("JZ07", 200), ("JZ10", 150)]
    for code, qty in stock:
        relief.stock_in(actor=district, warehouse=depot, item=items[code], quantity=qty, kind=MoveKind.PURCHASE,
                        moved_on=dt.date(2026, 5, 20), doc_no=f"RK2026-{code}", counterpart="省级救灾物资调拨/政府采购")
    relief.stock_in(actor=district, warehouse=depot, item=items["JZ08"], quantity=300, kind=MoveKind.DONATION,
                    moved_on=dt.date(2026, 6, 17), counterpart="爱心企业捐赠")
    relief.stock_out(actor=district, warehouse=depot, item=items["JZ06"], quantity=4, kind=MoveKind.LOSS,
                     moved_on=dt.date(2026, 6, 10), note="包装破损受潮报损")
    town = affected[0]
    relief.create_warehouse(actor=actor(town), name=f"{town.name}救灾物资储备点", division=town, keeper="民政办")
    shares = {}
    for code, qty in [("JZ02", 120), ("JZ06", 60), ("JZ10", 40)]:
        shares[code] = relief.allocate(actor=district, division=town, item=items[code], quantity=qty,
                                       warehouse=depot, event=ev, allocated_on=dt.date(2026, 6, 17),
                                       purpose="洪涝灾害群众生活救助")
    for t in affected[1:]:
        relief.allocate(actor=district, division=t, item=items["JZ02"], quantity=60, warehouse=depot, event=ev,
                        allocated_on=dt.date(2026, 6, 17), purpose="洪涝灾害群众生活救助")
    village = Division.objects.filter(parent=town, level=Level.VILLAGE).order_by("code").first()
    hhs = list(Household.objects.filter(division=village).select_related("head").order_by("id")[:15])
    if village is None or not hhs:
        out.write("演示区划内没有家庭，跳过物资发放演示\n")
        return
    who = actor(town)
    for code, qty in [("JZ02", 2 * len(hhs)), ("JZ06", len(hhs))]:
        relief.allocate(actor=who, division=village, item=items[code], quantity=qty, parent=shares[code],
                        allocated_on=dt.date(2026, 6, 18))
    dist = relief.create_distribution(actor=who, division=village, title=f"{village.name}洪涝受灾群众物资发放",
                                      distributed_on=dt.date(2026, 6, 18), event=ev)
    for n, hh in enumerate(hhs):
        name = hh.head.name if hh.head else "家属"
        method = "thumb" if n % 4 == 3 else "sign"
        at_ = at(dt.date(2026, 6, 18), 9, n)
        relief.add_line(actor=who, distribution=dist, household=hh, item=items["JZ02"], quantity=2,
                        sign_method=method, signer_name=name, now=at_)
        relief.add_line(actor=who, distribution=dist, household=hh, item=items["JZ06"], quantity=1,
                        sign_method=method, signer_name=name, now=at_)
    relief.publish(actor=who, distribution=dist)
    rec = relief.reconcile_distribution(dist)
    out.write(f"已生成救灾物资演示：2 个仓库，{len(hhs)} 户签收，对账差异 {rec.count} 项\n")


def _winter(out: TextIO, boss: Actor, affected: list[Division], ev: Event, rng: random.Random) -> None:
    if WinterRound.objects.filter(year=2026).exists():
        return
    season = winter.open_round(actor=boss, year=2026)
    n = 0
    for t in affected[:3]:
        who = actor(t)
        hhs = list(Household.objects.filter(division__parent=t).select_related("head").order_by("id")[20:27])
        for k, hh in enumerate(hhs):
            case = winter.add_case(actor=who, round=season, household=hh,
                                   source="application" if k % 3 else "nomination", persons=rng.randint(1, 5),
                                   surveyed_on=dt.date(2026, 9, 22 + k % 5), event=ev,
                                   reasons=[rng.choice(winter.REASONS[:3])], needs=rng.sample(winter.NEEDS[:4], 2),
                                   amount_requested=rng.choice([600, 900, 1200, 1500]))
            n += 1
            if k == 6:
                continue  # still waiting for the 民主评议
            winter.record_evaluation(actor=who, case=case, held_on=dt.date(2026, 9, 28), attendees=12,
                                     votes_for=10 if k != 5 else 4, passed=k != 5)
            if k == 5:
                continue
            winter.start_notice(actor=who, cases=[case], start=dt.date(2026, 9, 29))
            if k == 4:
                continue  # 公示中
            winter.township_review(actor=who, case=case, ok=True, opinion="公示无异议，同意上报",
                                   today=dt.date(2026, 10, 8))
            if k < 3:
                winter.district_approve(actor=boss, case=case, ok=True, now=at(dt.date(2026, 10, 20), 10))
    out.write(f"已生成冬春救助演示：{season.title}，{n} 户\n")
