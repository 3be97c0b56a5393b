"""The ID number (公民身份号码) cell: the common clean number checked fast, everything else judged by idnumber.check
with the message a township officer can act on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.registry import idnumber

from .. import parsers as P

_WEIGHTS = idnumber.WEIGHTS
_CHECK_CHARS = idnumber.CHECK_CHARS


def _weighted(digits: str, offset: int) -> int:
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS[offset:], strict=False))


# The MOD 11-2 sum in three parts: region (6 digits), birth date (8), sequence (3). The first two repeat across a
# ledger and are cached with their verdicts; the third has only 1000 values.
_SEQUENCE_PART = {f"{i:03d}": _weighted(f"{i:03d}", 14) for i in range(1000)}


def fast_id(raw: Any, today: dt.date, regions: dict[str, int],
            births: dict[str, tuple[dt.date | None, int]] | None = None) -> tuple[str, dt.date, str] | None:
    """The common case, a clean 18-character number, checked without building an IdCheck: the same rules as
    registry.idnumber.check (tests/registry/test_ledger_parsers.py keeps them equal). Returns (number, birth,
    sex code), or None: then id_verdict gives the verdict and the reason. `regions` and `births` are the
    caller's caches of the parts already judged (region code → its part of the sum, or -1 if unknown)."""
    if type(raw) is not str or len(raw) != 18 or not raw.isascii() or not raw[:17].isdigit() \
            or raw[17] not in _CHECK_CHARS:
        return None
    code6 = raw[:6]
    region_part = regions.get(code6)
    if region_part is None:
        from minzheng.registry import regioncodes

        region_part = regions[code6] = _weighted(code6, 0) if regioncodes.lookup(code6) is not None else -1
    if region_part < 0:
        return None
    key = raw[6:14]
    known = births.get(key) if births is not None else None
    if known is None:
        birth: dt.date | None
        try:
            birth = dt.date(int(key[:4]), int(key[4:6]), int(key[6:]))
        except ValueError:
            birth = None
        if birth is not None and (birth > today or birth.year < idnumber.EARLIEST_BIRTH_YEAR):
            birth = None
        known = (birth, _weighted(key, 6))
        if births is not None:
            births[key] = known
    birth, birth_part = known
    if birth is None or _CHECK_CHARS[(region_part + birth_part + _SEQUENCE_PART[raw[14:17]]) % 11] != raw[17]:
        return None
    return raw, birth, "1" if raw[16] in "13579" else "2"


def id_verdict(raw: Any, today: dt.date) -> tuple[str, dt.date, str, str, str]:
    """Any ID cell fast_id did not accept: (number, birth, sex code, the old 15-digit number or "", the notice to
    warn about or ""), or CellError saying what is wrong and, where Excel caused it, how to repair it."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raise P.CellError("身份证号被 Excel 存成了数字，末几位已丢失，无法恢复；请将该列设为文本格式后重新录入")
    if P.is_blank(raw):
        raise P.CellError("身份证号为空")
    if P.looks_scientific(P.text(raw)):
        raise P.CellError(f"身份证号“{P.text(raw)}”是科学计数法数字，末几位已丢失；请设为文本后重新录入")
    chk = idnumber.check(raw, today=today)
    if not chk.valid:
        msg = f"身份证号“{chk.normalized}”无效：{chk.reason}"
        if chk.normalized.endswith("000") and "校验码" in chk.reason:
            msg += "（末三位为 000，可能被 Excel 当作数字截断过）"
        raise P.CellError(msg)
    assert chk.birth_date is not None
    old15 = P.text(raw).replace(" ", "")[:15] if chk.notice else ""
    return chk.normalized, chk.birth_date, "1" if chk.sex == "男" else "2", old15, chk.notice


def duplicate_message(idn: str, sheet: str, first: tuple[str, int]) -> str:
    """The error for a number already met in this file, at `first` (sheet, row)."""
    where = f"第 {first[1]} 行" if first[0] == sheet else f"工作表“{first[0]}”第 {first[1]} 行"
    return f"身份证号 {idn} 在本文件中重复（与{where}）"
