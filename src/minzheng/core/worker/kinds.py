"""Job kinds: what the worker can run. Each app's function is named here by its dotted path (imported on use)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Kind:
    label: str
    func: str                 # dotted path of fn(run: JobRun, **params) -> dict (the job's result)
    heavy: bool = False       # counted against MINZHENG_WORKER_HEAVY_CONCURRENCY
    on_abandon: str = ""      # dotted path of fn(job) called when a dead worker's job is marked failed
    daily: bool = False       # queued once a day by the worker itself

    def function(self) -> Callable[..., Any]:
        return import_string(self.func)


KINDS: dict[str, Kind] = {
    "registry.import": Kind("台账导入", "minzheng.registry.ledger.jobs.run_task", heavy=True,
                            on_abandon="minzheng.registry.ledger.jobs.abandon"),
    "crosscheck.run": Kind("信息核对", "minzheng.crosscheck.services.runs.run_task", heavy=True,
                           on_abandon="minzheng.crosscheck.services.runs.abandon"),
    "payments.generate": Kind("生成花名册", "minzheng.payments.jobs.generate_task", heavy=True),
    "payments.allowances": Kind("津贴补贴核定", "minzheng.payments.jobs.allowances_task", heavy=True),
    "assistance.sweep": Kind("社会救助每日任务", "minzheng.assistance.jobs.sweep_task", daily=True),
    "disaster.overdue": Kind("灾情报告逾期检查", "minzheng.disaster.jobs.overdue_task", daily=True),
    "workforce.escalate": Kind("民情逾期提级", "minzheng.workforce.jobs.escalate_task", daily=True),
    "core.export": Kind("导出 Excel", "minzheng.core.exportjobs.run_task", heavy=True),
    "core.export_sweep": Kind("清理过期导出文件", "minzheng.core.exportjobs.sweep_task", daily=True),
    "care.sweep": Kind("关爱走访逾期提级", "minzheng.care.jobs.sweep_task", daily=True),
    "fieldapp.upload_sweep": Kind("清理外勤App未完成的照片", "minzheng.fieldapp.uploads.sweep_task", daily=True),
}


def get(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"未知的任务类型：{kind}") from None
