"""minzheng allowances refresh|upcoming"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting
from minzheng.payments import allowances
from minzheng.payments.engine import parse_month

from ._common import township_coded, user_named


class Command(BaseCommand):
    help = "津贴补贴核定（高龄津贴、残疾人两项补贴、优抚） / allowance enrollments: refresh, upcoming"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        r = sub.add_parser("refresh", help="按规则新增、调整、停发津贴（可重复执行） / apply the rules (idempotent)")
        r.add_argument("--month", required=True, help="月份 YYYY-MM")
        r.add_argument("--township", help="乡镇区划代码 / township code")
        r.add_argument("--as", dest="as_user", help="以该用户身份 / act as")
        r.add_argument("--json", action="store_true")
        u = sub.add_parser("upcoming", help="下月新增高龄津贴名单 / who becomes eligible next month")
        u.add_argument("--month", required=True)
        u.add_argument("--as", dest="as_user", required=True)

    def handle(self, *args: Any, **o: Any) -> None:
        user = user_named(o.get("as_user"))
        with acting(Actor(f"cli:{user.username if user else 'operator'}", user.role if user else "operator")):
            try:
                if o["action"] == "refresh":
                    res = allowances.refresh(month=parse_month(o["month"]), user=user,
                                             division=township_coded(o.get("township")))
                    if o["json"]:
                        self.stdout.write(json.dumps(res.as_dict(), ensure_ascii=False, indent=1))
                    else:
                        self.stdout.write(f"{res.month:%Y-%m}: 新增 created {len(res.created)}，调整 changed "
                                          f"{len(res.changed)}，停发 ended {len(res.ended)}，不变 unchanged {res.unchanged}")
                        for action, rows in (("新增", res.created), ("调整", res.changed), ("停发", res.ended)):
                            for code, pid, why in rows[:50]:
                                self.stdout.write(f"  {action} {code} 人员#{pid}: {why}")
                        if res.missing:
                            self.stdout.write(f"缺认定信息 facts missing: {len(res.missing)}（照原样保留，未停发 kept）")
                        for town, lacking in res.missing_by_township().items():
                            self.stdout.write(f"  {town}: {len(lacking)} 项 — " + "；".join(
                                f"人员#{r['person_id']} {r['programme']} 缺{r['missing']}" for r in lacking[:10]))
                else:
                    for up in allowances.upcoming_gaoling(month=parse_month(o["month"]), user=user):
                        self.stdout.write(f"{up.person.household.division.name} {up.person.name} "
                                          f"{up.birth:%Y-%m-%d} → {up.band.label} {up.band.amount} 元")
            except (ValidationError, PermissionDenied) as exc:
                raise CommandError("；".join(getattr(exc, "messages", None) or [str(exc)])) from exc
