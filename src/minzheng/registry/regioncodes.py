"""Known six-digit address codes of any era (GB/T 2260 and earlier).

python-stdnum ships a historical table of address codes (stdnum/cn/loc.dat, including abolished codes), which is
what the birthplace part of a 公民身份号码 must be checked against.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=8192)
def name_of(code6: str) -> str | None:
    """The region's name (province + prefecture + county) if the code is known, else None."""
    from stdnum import numdb

    if len(code6) != 6 or not code6.isdigit():
        return None
    parts = numdb.get("cn/loc").info(code6)
    if sum(len(p) for p, _ in parts) < 6 or not parts[-1][1]:
        return None
    names = [props.get("province") or props.get("county") or "" for _, props in parts]
    return "".join(n for n in names if n and n != "市辖区") or None
