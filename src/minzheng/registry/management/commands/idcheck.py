from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minzheng.registry import idnumber


class Command(BaseCommand):
    help = ("校验公民身份号码（GB 11643-1999）：规范化、位数、出生日期、校验码、地址码（含历年旧代码），15 位自动升级 18 位 / "
            "Check citizen ID numbers: normalise, length, birth date, MOD 11-2 check character, region code of any era")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("numbers", nargs="+", metavar="NUMBER", help="身份证号（可多个） / ID numbers")
        parser.add_argument("--json", action="store_true", help="输出 JSON 列表 / print a JSON list")

    def handle(self, *args: Any, **o: Any) -> None:
        results = [idnumber.check(n) for n in o["numbers"]]
        if o["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
        else:
            for i, r in enumerate(results):
                if i:
                    self.stdout.write("")
                rows = [
                    ("输入 input", r.input),
                    ("规范化 normalized", r.normalized),
                    ("有效 valid", "是 yes" if r.valid else "否 no"),
                    ("说明 reason", r.reason),
                    ("出生日期 birth_date", r.birth_date.isoformat() if r.birth_date else ""),
                    ("性别 sex", r.sex or ""),
                    ("地区 region", r.region or ""),
                ]
                for label, value in rows:
                    self.stdout.write(f"{label:<20} {value}")
        if not all(r.valid for r in results):
            # A non-zero exit lets scripts stop on a bad number.
            raise SystemExit(1)
