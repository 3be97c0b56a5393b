"""Reference data every installation needs: the programme list."""

from __future__ import annotations

from typing import TextIO

from .models import Programme, ProgrammeFamily, ProgrammeKind

A, F = ProgrammeKind, ProgrammeFamily
PROGRAMMES = [
    # code, name, kind, family, per_person, aliases
    ("dibao_urban", "城市低保", A.ASSISTANCE, F.DIBAO, False, ["城市最低生活保障", "城镇低保", "城市低保户"]),
    ("dibao_rural", "农村低保", A.ASSISTANCE, F.DIBAO, False, ["农村最低生活保障", "农村低保户"]),
    ("tekun_dispersed", "特困供养(分散)", A.ASSISTANCE, F.TEKUN, True,
     ["分散供养", "分散特困", "五保(分散)", "特困人员分散供养"]),
    ("tekun_central", "特困供养(集中)", A.ASSISTANCE, F.TEKUN, True,
     ["集中供养", "集中特困", "五保(集中)", "特困人员集中供养"]),
    ("linshi", "临时救助", A.ASSISTANCE, F.LINSHI, False, ["临时救助金"]),
    ("gaoling", "高龄津贴", A.ALLOWANCE, F.ALLOWANCE, True, ["高龄老人津贴", "高龄补贴"]),
    ("canji_life", "困难残疾人生活补贴", A.ALLOWANCE, F.ALLOWANCE, True, ["残疾人生活补贴", "困难残疾人补贴"]),
    ("canji_care", "重度残疾人护理补贴", A.ALLOWANCE, F.ALLOWANCE, True, ["残疾人护理补贴", "重度残疾护理补贴"]),
    ("youfu", "优抚定期抚恤补助", A.VETERANS, F.VETERANS, True, ["优抚", "定期抚恤", "定期定量补助"]),
    ("orphan", "孤儿基本生活费", A.ALLOWANCE, F.ALLOWANCE, True, ["孤儿", "事实无人抚养儿童"]),
]


def seed(out: TextIO) -> None:
    created = 0
    for order, (code, name, kind, family, per_person, aliases) in enumerate(PROGRAMMES):
        _, made = Programme.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "family": family, "per_person": per_person,
                                 "aliases": aliases, "order": order * 10})
        created += made
    if created:
        out.write(f"已录入救助项目 {created} 个\n")
