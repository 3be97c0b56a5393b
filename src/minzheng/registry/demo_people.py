"""The demo's synthetic people (demo.py loads them): households of plausible members for a village, names drawn from
common surname and given-name pools, ages on REF, birth regions, and ID numbers made valid by checksum that belong to
no one. Deterministic: the same random stream gives the same households on every machine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from minzheng.core import dates
from minzheng.regions.models import Division

from . import idnumber
from .models import DisabilityCategory, Education, Ethnicity, HukouType, Marital, Relation, WorkCapacity

# Ages are computed on this fixed day, so the population does not drift with the calendar.
REF = dt.date(2026, 7, 1)

SURNAMES = [
    ("陈", 90), ("林", 70), ("黄", 55), ("张", 45), ("吴", 40), ("李", 40), ("王", 35), ("刘", 35), ("郑", 30),
    ("杨", 25), ("徐", 22), ("谢", 22), ("许", 20), ("邱", 18), ("罗", 16), ("蔡", 16), ("叶", 16), ("游", 15),
    ("余", 14), ("詹", 13), ("江", 13), ("朱", 12), ("周", 12), ("何", 11), ("廖", 11), ("赖", 10), ("范", 9),
    ("魏", 9), ("潘", 9), ("肖", 9), ("傅", 8), ("严", 7), ("丁", 7), ("施", 6), ("苏", 7), ("卢", 7), ("钟", 7),
    ("方", 7), ("曾", 8), ("连", 5), ("洪", 6), ("郭", 8), ("饶", 5), ("俞", 5), ("池", 3), ("熊", 4), ("雷", 4),
    ("蓝", 3), ("邓", 4), ("官", 2), ("单", 1), ("欧阳", 1), ("上官", 1), ("亓", 1), ("訾", 1),
]
SHE_SURNAMES = ["雷", "蓝", "钟", "李"]
MALE_OLD = [*"金木水火土根生福禄寿发财德才贵荣清明华国庆建忠祥富贤宝松林海春秋长茂兴旺", "依"]
FEMALE_OLD = list("秀英兰珍凤花玉梅桂芳春莲娥菊琴妹月香金银翠娇霞美素云")
MALE_NEW = list("浩宇轩子涵博文俊杰睿泽晨阳明哲鑫鹏志强伟斌军磊辉毅凯宸铭烨煜骏")
FEMALE_NEW = list("欣怡梓涵诗雨婷佳琪思彤悦心语嘉琳颖萱雪晴菲晓婧妍茜瑶璐蕾")
# Real people carry characters outside everyday fonts and input methods; the demo keeps a few (incl. non-BMP).
RARE = ["䶮", "堃", "喆", "淼", "犇", "燚", "垚", "昶", "玥", "赟", "珺", "𬀩", "𬍛", "𬱖", "昇", "甦"]
OTHER_FUJIAN = ["350721", "350781", "350782", "350722", "350102", "350583", "350681", "350322"]
DISABILITY = [(DisabilityCategory.PHYSICAL, 50), (DisabilityCategory.VISUAL, 12), (DisabilityCategory.HEARING, 12),
              (DisabilityCategory.SPEECH, 2), (DisabilityCategory.INTELLECTUAL, 7), (DisabilityCategory.MENTAL, 10),
              (DisabilityCategory.MULTIPLE, 7)]


def weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def stable(text: str) -> int:
    """A number fixed by `text` on every machine and run (hash() is salted per process)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@dataclass
class P:
    """A person being generated (before insert)."""

    name: str
    sex: str
    birth: dt.date
    relation: str
    region: str
    ethnicity: str = Ethnicity.HAN
    disability: tuple[str, int] | None = None
    phone: str = ""
    id_number: str = ""
    pk: int = 0
    capacity: str = ""
    bank: bool = False


@dataclass
class H:
    division_id: int
    urban: bool
    hukou: str
    address: str
    members: list[P] = field(default_factory=list)
    poor: bool = False
    phone: str = ""
    since: dt.date = REF
    pk: int = 0


class IdAllocator:
    """Unique, checksum-valid numbers: per region, date and sex a counter picks the next free sequence."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.next: dict[tuple[str, dt.date, str], int] = {}

    def make(self, region: str, birth: dt.date, sex: str) -> str:
        key = (region, birth, sex)
        # Real sequence numbers spread over 001–999; start each day somewhere in that range.
        base = (stable(f"{region}{birth}") % 400) * 2
        k = self.next.get(key, 0)
        while True:
            seq = base + 2 * k + (1 if sex == "1" else 2)
            if seq > 999:
                # Exhausted (never at district scale): fall back to a neighbouring day.
                return self.make(region, birth - dt.timedelta(days=1), sex)
            number = idnumber.make(region, birth, seq)
            k += 1
            if number not in self.taken:
                self.next[key] = k
                self.taken.add(number)
                return number


def village_sizes(villages: list[Division], total: int) -> dict[int, int]:
    """Persons per village: communities (居委会) about twice a village, ±35% fixed variation per village."""
    weights = {}
    for v in villages:
        base = 2.2 if v.is_urban else 1.0
        weights[v.pk] = base * (0.65 + 0.7 * (stable(v.code) % 1000) / 1000)
    s = sum(weights.values())
    return {k: max(8, round(total * w / s)) for k, w in weights.items()}


class Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def birth(self, age: int) -> dt.date:
        """A birth date for someone `age` years old on REF (never after REF)."""
        return REF - dt.timedelta(days=int(age * 365.25) + self.rng.randrange(365))

    def name(self, sex: str, birth: dt.date, surname: str | None = None) -> str:
        r = self.rng
        sur = surname or weighted(r, SURNAMES)
        old = birth.year < 1975
        pool = (MALE_OLD if old else MALE_NEW) if sex == "1" else (FEMALE_OLD if old else FEMALE_NEW)
        n = 1 if r.random() < (0.12 if old else 0.25) else 2
        given = "".join(r.choice(pool) for _ in range(n))
        if r.random() < 0.004:
            given = given[:-1] + r.choice(RARE)
        return sur + given

    def region(self, birth: dt.date) -> str:
        r = self.rng.random()
        if birth.year < 1994 and r < 0.35:
            return "352101"  # 南平市 before the 1994 reorganisation
        if r > 0.95:
            return self.rng.choice(OTHER_FUJIAN)
        return "350702"

    def household(self, division: Division) -> H:
        r = self.rng
        urban = division.is_urban
        hukou = HukouType.URBAN if (urban and r.random() < 0.85) or (not urban and r.random() < 0.05) \
            else HukouType.RURAL
        h = H(division.pk, urban, hukou, self.address(division))
        head_age = weighted(r, [(r.randint(20, 29), 6), (r.randint(30, 39), 15), (r.randint(40, 49), 18),
                                 (r.randint(50, 59), 22), (r.randint(60, 69), 20), (r.randint(70, 79), 12),
                                 (r.randint(80, 89), 6), (r.randint(90, 101), 1)])
        if head_age >= 70:
            size = weighted(r, [(1, 40), (2, 45), (3, 8), (4, 4), (5, 2), (6, 1)])
        elif head_age < 30:
            size = weighted(r, [(1, 35), (2, 25), (3, 30), (4, 10)])
        else:
            size = weighted(r, [(1, 10), (2, 18), (3, 30), (4, 24), (5, 12), (6, 6)])
        head_sex = "1" if r.random() < (0.78 if head_age < 70 else 0.6) else "2"
        she = division.pk % 23 == 0 and r.random() < 0.5
        surname = r.choice(SHE_SURNAMES) if she else weighted(r, SURNAMES)
        hb = self.birth(head_age)
        head = P(self.name(head_sex, hb, surname), head_sex, hb, Relation.HEAD, self.region(hb))
        h.members.append(head)
        left = size - 1
        if left and ((head_age < 75 and r.random() < 0.88) or r.random() < 0.55):
            sa = max(18, min(104, head_age + r.randint(-4, 3) * (1 if head_sex == "1" else -1)))
            sb = self.birth(sa)
            ssex = "2" if head_sex == "1" else "1"
            h.members.append(P(self.name(ssex, sb), ssex, sb, Relation.SPOUSE, self.region(sb)))
            left -= 1
        if left and head_age < 56 and size >= 5 and r.random() < 0.7:
            pa = head_age + r.randint(24, 32)
            if pa <= 98:
                pb = self.birth(pa)
                psex = "1" if r.random() < 0.45 else "2"
                h.members.append(P(self.name(psex, pb, surname if psex == "1" else None), psex, pb,
                                   Relation.PARENT, self.region(pb)))
                left -= 1
        child_ages: list[int] = []
        while left > 0:
            if head_age >= 55 and child_ages and left >= 1 and r.random() < 0.5:
                base = max(child_ages)
                ga = base - r.randint(22, 30)
                if ga >= 0:
                    gsex = "1" if r.random() < 0.52 else "2"
                    gb = self.birth(ga)
                    h.members.append(P(self.name(gsex, gb, surname), gsex, gb, Relation.GRANDCHILD,
                                       self.region(gb)))
                    left -= 1
                    continue
            ca = head_age - r.randint(22, 34)
            if ca < 0:
                ca = r.randint(0, max(0, head_age - 18))
            csex = "1" if r.random() < 0.52 else "2"
            cb = self.birth(ca)
            h.members.append(P(self.name(csex, cb, surname), csex, cb,
                               Relation.SON if csex == "1" else Relation.DAUGHTER, self.region(cb)))
            child_ages.append(ca)
            left -= 1
        for m in h.members:
            if she:
                m.ethnicity = Ethnicity.SHE
            elif r.random() < 0.004:
                m.ethnicity = r.choice([Ethnicity.HUI, Ethnicity.MIAO, Ethnicity.TUJIA, Ethnicity.ZHUANG,
                                        Ethnicity.MANCHU])
            age = REF.year - m.birth.year
            if r.random() < 0.035 + 0.12 * max(0, age - 45) / 50:
                m.disability = (weighted(r, DISABILITY), weighted(r, [(1, 10), (2, 20), (3, 30), (4, 40)]))
            if 18 <= age < 80 and (m.relation == Relation.HEAD or r.random() < 0.45):
                m.phone = "1" + r.choice("35789") + "".join(r.choice("0123456789") for _ in range(9))
        h.phone = head.phone
        h.since = max(head.birth + dt.timedelta(days=365 * 20), dt.date(1990, 1, 1) + dt.timedelta(
            days=r.randrange(365 * 30)))
        h.since = min(h.since, REF)
        disabled = any(m.disability for m in h.members)
        elderly_alone = len(h.members) == 1 and head_age >= 60
        rate = (0.035 if hukou == HukouType.RURAL else 0.018) * (2.5 if disabled else 1) * (2 if elderly_alone else 1)
        h.poor = r.random() < rate
        return h

    def address(self, division: Division) -> str:
        r = self.rng
        short = division.short_name or division.name
        if division.is_urban:
            return f"{short}{r.choice(['路', '街', '巷'])}{r.randint(1, 199)}号{r.randint(1, 8)}幢{r.randint(1, 6)}0{r.randint(1, 4)}室"
        return f"{short}{r.choice(['上', '下', '中', '后', '前', '新'])}{r.choice(['洋', '坑', '厝', '坪', '垄'])}{r.randint(1, 120)}号"


def education(age: int, birth: dt.date) -> str:
    """文化程度, as schooling went for the person's generation."""
    if age < 6:
        return Education.PRESCHOOL
    if age < 12:
        return Education.PRIMARY
    if age < 15:
        return Education.JUNIOR
    h = stable(str(birth)) % 100
    if birth.year < 1950:
        return Education.NONE if h < 45 else Education.PRIMARY
    if birth.year < 1970:
        return Education.PRIMARY if h < 45 else (Education.JUNIOR if h < 85 else Education.SENIOR)
    if age < 18:
        return Education.JUNIOR if h < 40 else Education.SENIOR
    return Education.JUNIOR if h < 35 else Education.SENIOR if h < 60 else Education.VOCATIONAL if h < 72 \
        else Education.COLLEGE if h < 86 else Education.BACHELOR


def marital(m: P, h: H) -> str:
    """婚姻状况, from age and the members of the household."""
    age = dates.age_on(m.birth, REF)
    if age < 22:
        return Marital.SINGLE
    if m.relation in (Relation.HEAD, Relation.SPOUSE) and any(x.relation == Relation.SPOUSE for x in h.members):
        return Marital.MARRIED
    if age >= 65:
        return Marital.WIDOWED
    if m.relation in (Relation.SON, Relation.DAUGHTER) and age > 30:
        return Marital.MARRIED
    return Marital.SINGLE if age < 35 else Marital.DIVORCED


def capacity(age: int, grade: int | None) -> str:
    """劳动能力, from age and disability grade."""
    if age < 16 or age >= 60:
        return WorkCapacity.NOT_WORKING_AGE
    if grade in (1, 2):
        return WorkCapacity.NONE
    if grade in (3, 4):
        return WorkCapacity.PARTIAL
    return WorkCapacity.FULL
