"""Reference data every installation needs: the default bank-file layouts."""

from __future__ import annotations

from typing import TextIO

from .bankfiles import seed_layouts


def seed(out: TextIO) -> None:
    n = seed_layouts()
    if n:
        out.write(f"已录入银行文件格式 {n} 种\n")
