"""Reference data every installation needs: the rule catalogue rows for the rule versions defined in code."""

from __future__ import annotations

from typing import TextIO

from .services import sync_rules


def seed(out: TextIO) -> None:
    n = sync_rules()
    if n:
        out.write(f"已登记信息核对规则 {n} 条\n")
