"""公民身份号码 (GB 11643-1999): normalisation and checking.

The six-digit region code is where the number was first issued and never changes when a person moves, so a valid
number may carry any region code of any era; it is never rejected because of the birth year (python-stdnum's
cn.ric does that, which is why only its region table is used, see regioncodes.py).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from minzheng.core import dates

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Invisible characters that ride along with text copied from web pages, Word or WeChat.
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad]+")
# What an ID looks like after Excel has turned it into a number: 3.50702199001012E+17 or 350702199001012000.0.
_EXCEL_NUMBER = re.compile(r"^\d(\.\d+)?E\+\d+$|^\d+\.0+$")
EARLIEST_BIRTH_YEAR = 1880


def normalize(raw: Any) -> str:
    """Strip whitespace (also full-width and invisible), full-width → half-width (NFKC), lowercase x → X."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return _INVISIBLE.sub("", text).upper()


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    s = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[s % 11]


def upgrade15(number15: str) -> str:
    """Old 15-digit numbers (YYMMDD, issued to people born in the 1900s) to 18 digits: insert 19, add the check."""
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
    region: str | None = None       # "350702 福建省南平市延平区", with an era note for abolished codes
    notice: str = ""                # e.g. the 15 → 18 upgrade

    @property
    def sex_code(self) -> str:
        """GB/T 2261.1: "1" male, "2" female, "" when unknown."""
        return {"男": "1", "女": "2"}.get(self.sex or "", "")

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return d


def _looks_like_excel_number(raw: Any, n: str) -> bool:
    if isinstance(raw, bool):
        return False
    if isinstance(raw, float | Decimal):
        return True
    return bool(_EXCEL_NUMBER.match(n))


def check(raw: Any, *, today: dt.date | None = None) -> IdCheck:
    """Normalise and check one number; the reason is Chinese and says what is wrong."""
    from . import regioncodes

    text = "" if raw is None else str(raw)
    n = normalize(raw)
    today = today or dates.today()

    def bad(reason: str) -> IdCheck:
        return IdCheck(text, n, False, reason)

    if not n:
        return bad("身份证号为空")
    if _looks_like_excel_number(raw, n):
        return bad("身份证号被存成了数字（Excel 只保留 15 位有效数字，后几位已丢失），请把该列设为文本后按原件重新录入")
    notice = ""
    if len(n) == 15:
        if not n.isdigit():
            return bad("15 位旧身份证号只能由数字组成")
        n = upgrade15(n)
        notice = "15 位旧号码已升级为 18 位"
    if len(n) != 18:
        return bad(f"身份证号应为 18 位（或 15 位旧号码），实际为 {len(n)} 位")
    if not n[:17].isdigit():
        return bad("身份证号前 17 位只能是数字")
    if not (n[17].isdigit() or n[17] == "X"):
        return bad(f"身份证号末位应为数字或 X，实际为“{n[17]}”")
    try:
        birth = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        return bad(f"出生日期 {n[6:10]}-{n[10:12]}-{n[12:14]} 不是真实存在的日期")
    if birth > today:
        return bad(f"出生日期 {birth:%Y-%m-%d} 晚于今天")
    if birth.year < EARLIEST_BIRTH_YEAR:
        return bad(f"出生日期 {birth:%Y-%m-%d} 早于 {EARLIEST_BIRTH_YEAR} 年，不合理")
    expected = check_char(n[:17])
    if expected != n[17]:
        return bad(f"校验码错误：按前 17 位计算末位应为 {expected}，实际为 {n[17]}（可能有数字录错）")
    region = regioncodes.lookup(n[:6])
    if region is None:
        return bad(f"地址码 {n[:6]} 不是已知的行政区划代码（已含历年撤销的旧代码）")
    sex = "男" if int(n[16]) % 2 == 1 else "女"
    return IdCheck(text, n, True, notice or "有效", birth, sex, f"{n[:6]} {region.label}", notice)


def is_valid(raw: Any) -> bool:
    return check(raw).valid


def make(region6: str, birth: dt.date, seq3: int) -> str:
    """A checksum-valid number from its parts (for demo data and tests; seq3 odd = male)."""
    first17 = f"{region6}{birth:%Y%m%d}{seq3:03d}"
    return first17 + check_char(first17)
