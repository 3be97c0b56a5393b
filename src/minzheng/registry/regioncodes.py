"""Known six-digit address codes of any era (GB/T 2260 and earlier).

python-stdnum ships a historical table of address codes (stdnum/cn/loc.dat, abolished codes included), which is what
the birthplace part of a 公民身份号码 must be checked against. Its county names carry era markers such as
"[1994-]延平区" or "[-1987]建阳地区,[1988-1993]南平地区"; this module turns them into plain names plus the era, and it
never uses the era to reject a number (the code is where the number was first issued, whatever the birth year).
stdnum's own `cn.ric` does reject by birth year, which is why we do not call its validate().
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Codes that appear on valid numbers but are missing from stdnum's table.
SUPPLEMENT: dict[str, str] = {
    # 港澳台居民居住证 (2018): 810000 香港, 820000 澳门, 830000 台湾.
    "810000": "香港特别行政区（港澳台居民居住证）",
    "820000": "澳门特别行政区（港澳台居民居住证）",
    "830000": "台湾地区（港澳台居民居住证）",
}

_ERA = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")
_TRAD = str.maketrans({"別": "别", "區": "区", "門": "门", "灣": "湾"})


@dataclass(frozen=True)
class Era:
    name: str
    start: int | None  # first year the code meant this name (None: before the table begins)
    end: int | None    # last year (None: still in use)


@dataclass(frozen=True)
class Region:
    code: str
    province: str
    prefecture: str
    eras: tuple[Era, ...]

    @property
    def county(self) -> str:
        return self.eras[-1].name if self.eras else ""

    @property
    def abolished(self) -> bool:
        return bool(self.eras) and self.eras[-1].end is not None

    @property
    def name(self) -> str:
        """福建省南平市延平区: province, prefecture (when known and distinct), county."""
        parts = [self.province]
        if self.prefecture and self.prefecture not in ("市辖区", self.province):
            parts.append(self.prefecture)
        if self.county and self.county not in (self.province, self.prefecture):
            parts.append(self.county)
        return "".join(p for p in parts if p)

    @property
    def era_note(self) -> str:
        """Empty for codes in use; for abolished codes e.g. "1983–1993 年使用的旧代码"."""
        if not self.abolished:
            return ""
        last = self.eras[-1]
        span = f"{last.start}–{last.end}" if last.start else f"{last.end} 年及以前"
        return f"{span} 年使用的旧代码" if last.start else f"{span}使用的旧代码"

    @property
    def label(self) -> str:
        return f"{self.name}（{self.era_note}）" if self.era_note else self.name


def parse_eras(text: str) -> tuple[Era, ...]:
    """'[-1987]建阳地区,[1988-1993]南平地区' → (Era('建阳地区', None, 1987), Era('南平地区', 1988, 1993))."""
    eras = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        m = _ERA.match(part)
        if m:
            eras.append(Era(m.group(3).translate(_TRAD), int(m.group(1)) if m.group(1) else None,
                            int(m.group(2)) if m.group(2) else None))
        else:
            eras.append(Era(part.translate(_TRAD), None, None))
    return tuple(eras)


def _info(code6: str) -> tuple[str, str] | None:
    """(province, county field) for a code stdnum knows at the county level, else None."""
    from stdnum import numdb

    parts = numdb.get("cn/loc").info(code6)
    if sum(len(p) for p, _ in parts) < 6 or not parts[-1][1]:
        return None
    props: dict[str, str] = {}
    for _, p in parts:
        props.update(p)
    return props.get("province", "").translate(_TRAD), props.get("county", "")


@lru_cache(maxsize=16384)
def lookup(code6: str) -> Region | None:
    """The region behind a six-digit address code of any era, or None when unknown."""
    if len(code6) != 6 or not code6.isdigit():
        return None
    if code6 in SUPPLEMENT:
        return Region(code6, "", "", (Era(SUPPLEMENT[code6], 2018, None),))
    info = _info(code6)
    if info is None:
        return None
    province, county = info
    eras = parse_eras(county)
    prefecture = ""
    if not code6.endswith("00"):
        pre = _info(code6[:4] + "00")
        if pre is not None:
            pre_eras = parse_eras(pre[1])
            prefecture = _era_overlapping(pre_eras, eras[-1] if eras else None)
    return Region(code6, province, prefecture, eras)


def _era_overlapping(candidates: tuple[Era, ...], era: Era | None) -> str:
    """The prefecture name in use during the county's latest era (the latest name when unclear)."""
    if not candidates:
        return ""
    if era is not None:
        lo, hi = era.start or 0, era.end or 9999
        for c in reversed(candidates):
            if (c.start or 0) <= hi and (c.end or 9999) >= lo:
                return c.name
    return candidates[-1].name


def name_of(code6: str) -> str | None:
    """The region's plain name (province + prefecture + county) if the code is known, else None."""
    r = lookup(code6)
    return r.name if r is not None else None


def label_of(code6: str) -> str | None:
    """The name plus an era note for abolished codes, e.g. "福建省南平地区南平市（1994 年及以前使用的旧代码）"."""
    r = lookup(code6)
    return r.label if r is not None else None


def is_known(code6: str) -> bool:
    return lookup(code6) is not None
