from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minzheng.audit.context import Actor, acting
from minzheng.core import dates


class Command(BaseCommand):
    help = ("核对待遇金额 / verify amounts: 用规则重新测算每项在保待遇，列出与现发放金额不一致的项目及两边依据 / "
            "recompute every live enrollment with the rules and list each disagreement with both explanations")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["amounts"], help="amounts")
        parser.add_argument("--programme", default="", help="只核对该项目代码或政策类别 / one programme code or "
                            "family (dibao_urban, dibao, tekun, gaoling …)")
        parser.add_argument("--date", help="按该日期核对 (YYYY-MM-DD)，默认今天 / as of this date")
        parser.add_argument("--json", action="store_true", help="输出 JSON / JSON output")
        parser.add_argument("--limit", type=int, default=200, help="文本输出最多列出的不一致项 / rows listed as text")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            day = dt.date.fromisoformat(o["date"]) if o["date"] else dates.today()
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD / date must be YYYY-MM-DD") from exc
        from minzheng.assistance.amount_check import verify
        from minzheng.audit.services import record
        from minzheng.regions.models import Division
        from minzheng.registry.models import Programme

        known = set(Programme.objects.values_list("code", flat=True)) | set(
            Programme.objects.values_list("family", flat=True))
        if o["programme"] and o["programme"] not in known:
            raise CommandError(f"未知项目或类别：{o['programme']} / unknown programme; 可用 available: "
                               f"{', '.join(sorted(known))}")
        with acting(Actor("cli:verify", "operator")):
            report = verify(on=day, programme=o["programme"])
            record("assistance.verify_amounts", summary=f"核对待遇金额：{report.enrollments} 项，不一致 "
                   f"{len(report.disagreements)} 项", detail={k: v for k, v in report.as_dict().items()
                                                          if k != "disagreements"})
        if o["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        else:
            names = dict(Programme.objects.values_list("code", "name"))
            places = dict(Division.objects.values_list("id", "name"))
            for d in report.disagreements[:o["limit"]]:
                self.stdout.write(f"[待遇 {d.enrollment_id}] {names.get(d.programme, d.programme)} 家庭 {d.household_id}"
                                  f"（{places.get(d.division_id, '')}）：现发放 {d.paid} 元，规则测算 {d.expected} 元\n"
                                  f"  现发放依据：{d.paid_explanation}\n  规则测算：{d.expected_explanation}")
            if len(report.disagreements) > o["limit"]:
                self.stdout.write(f"……另有 {len(report.disagreements) - o['limit']} 项，用 --json 查看全部")
            for label, counts in (("已核对", report.checked), ("无金额规则", report.not_ruled),
                                  ("缺认定信息", report.missing_facts)):
                if counts:
                    self.stdout.write(f"{label}：" + "，".join(f"{names.get(k, k)} {n}" for k, n in sorted(counts.items())))
            self.stdout.write(f"verify amounts: enrollments={report.enrollments} disagreements="
                              f"{len(report.disagreements)} seconds={report.seconds:.1f}")
        if report.disagreements:
            raise SystemExit(1)
