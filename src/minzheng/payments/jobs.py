"""Payroll generation as a task of the worker process (kind payments.generate). services.generate is idempotent:
a draft is rebuilt, approved rosters are never touched, so a run queued twice for a month pays nobody twice."""

from __future__ import annotations

from typing import Any

from minzheng.core import dates


def generate_task(run: Any, *, month: str, programme_id: int | None = None,
                  township_id: int | None = None) -> dict[str, Any]:
    from minzheng.accounts.models import User
    from minzheng.regions.models import Division
    from minzheng.registry.models import Programme

    from . import services
    from .engine import parse_month

    job = run.job
    user = User.objects.get(pk=job.created_by_id) if job.created_by_id else None
    programme = Programme.objects.get(pk=programme_id) if programme_id else None
    run.progress("生成花名册", 0, 1)
    township = Division.objects.get(pk=township_id) if township_id else None
    res = services.generate(month=parse_month(month), user=user, programme=programme, township=township,
                            today=dates.today())
    run.progress("完成", 1, 1)
    notes = [f"{p.township.name}{p.programme.name}：{why}" for p, why in res.skipped]
    if res.blocking_count:
        notes.append(f"发放前检查：{res.blocking_count} 笔不能发放（{len(res.blocking)} 本花名册），请打开花名册补正或挂起后再提交")
    notes += [u.message for u in res.unrostered[:20]]
    return {"summary": f"已生成 {month} 草稿花名册 {len(res.payrolls)} 本，"
                       f"{sum(p.line_count for p in res.payrolls)} 笔，合计 {res.total} 元",
            "notes": notes, "month": month, "payrolls": [p.pk for p in res.payrolls],
            "lines": sum(p.line_count for p in res.payrolls), "total": str(res.total),
            "blocking_lines": res.blocking_count, "link": f"/payments/?month={month}"}


def allowances_task(run: Any, *, month: str) -> dict[str, Any]:
    """高龄津贴、残疾人两项补贴、优抚 for a month, for the job's user's jurisdiction (the whole county: tens of
    thousands of people, a heavy job)."""
    from minzheng.accounts.models import User

    from . import allowances
    from .engine import parse_month

    job = run.job
    user = User.objects.get(pk=job.created_by_id) if job.created_by_id else None
    run.progress("核定津贴补贴", 0, 1)
    res = allowances.refresh(month=parse_month(month), user=user)
    run.progress("完成", 1, 1)
    notes = []
    if res.missing:
        notes.append(f"{len(res.missing)} 项待遇缺少认定信息，已照原样保留（未停发），见“津贴补贴”页的“缺认定信息”清单")
    return {"summary": f"{month} 核定完成：新增 {len(res.created)}，调整 {len(res.changed)}，停发 {len(res.ended)}，"
                       f"不变 {res.unchanged}", "notes": notes, **res.as_dict(), "link": "/payments/allowances/"}
