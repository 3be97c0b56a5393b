"""公民身份号码 (GB 11643-1999): normalisation and checking.

The six-digit region code is where the number was first issued and never changes when a person moves, so a valid
number may carry any region code of any era; it is never rejected because of the birth year.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def normalize(raw: Any) -> str:
    """Strip whitespace, full-width → half-width (NFKC), lowercase x → X."""
    text = unicodedata.normalize("NFKC", str(raw if raw is not None else ""))
    return re.sub(r"\s+", "", text).upper()


def check_char(first17: str) -> str:
    s = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[s % 11]


def upgrade15(number15: str) -> str:
    """Old 15-digit numbers (YYMMDD, issued before 2000 to people born in the 1900s) to 18 digits."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


@dataclass(frozen=True)
class IdCheck:
    input: str
    normalized: str
    valid: bool
    reason: str
    birth_date: dt.date | None = None
    sex: str | None = None          # "男" / "女"
    region: str | None = None       # region code, and name when known, e.g. "350702 福建省南平市延平区"
    notice: str = ""                # e.g. the 15 → 18 upgrade

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return d


def check(raw: Any, *, today: dt.date | None = None) -> IdCheck:
    from . import regioncodes

    text = "" if raw is None else str(raw)
    n = normalize(raw)
    today = today or dt.date.today()

    def bad(reason: str) -> IdCheck:
        return IdCheck(text, n, False, reason)

    notice = ""
    if len(n) == 15:
        if not n.isdigit():
            return bad("15 位身份证号只能由数字组成")
        n = upgrade15(n)
        notice = "15 位旧号码已升级为 18 位"
    if len(n) != 18:
        return bad(f"身份证号应为 18 位，实际为 {len(n)} 位")
    if not (n[:17].isdigit() and (n[17].isdigit() or n[17] == "X")):
        return bad("身份证号前 17 位须为数字，末位为数字或 X")
    try:
        birth = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return bad(f"出生日期 {n[6:14]} 不是有效日期")
    if birth > today:
        return bad(f"出生日期 {birth:%Y-%m-%d} 晚于今天")
    if birth.year < 1880:
        return bad(f"出生日期 {birth:%Y-%m-%d} 不合理")
    if check_char(n[:17]) != n[17]:
        return IdCheck(text, n, False, f"校验码错误：末位应为 {check_char(n[:17])}，实际为 {n[17]}")
    region_name = regioncodes.name_of(n[:6])
    if region_name is None:
        return IdCheck(text, n, False, f"地址码 {n[:6]} 不是已知的行政区划代码（含历史代码）")
    sex = "男" if int(n[16]) % 2 == 1 else "女"
    return IdCheck(text, n, True, notice or "有效", birth, sex, f"{n[:6]} {region_name}".strip(), notice)


def is_valid(raw: Any) -> bool:
    return check(raw).valid
