"""`import_ledger`: validate a household ledger in one streaming pass, then write it in one transaction.

Default is atomic: any error and nothing is written (an audit entry still records the failed attempt).
`skip_invalid` writes the valid households and reports the rest; `dry_run` only validates.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.audit import services as audit
from minzheng.core import dates

from .validate import Issue, Stats, Validator, read_spool
from .writer import LedgerWriter
from .writer_process import WriterProcess, can_reach_database

Progress = Callable[[str, int, int], None]   # (phase "validate"/"write", done, total)
# Called after an import has committed, with (user, today, result): the assistance app registers its 存量核查
# computation here (the registry does not import the rules).
AFTER_IMPORT: list[Callable[[Actor | None, dt.date, ImportResult], None]] = []


@dataclass
class ImportResult:
    file_name: str
    stats: Stats
    errors: list[Issue]
    warnings: list[Issue]
    error_count: int
    warning_count: int
    dry_run: bool
    skip_invalid: bool
    imported: bool = False
    written_households: int = 0
    programme: str = ""
    notes: list[str] = field(default_factory=list)
    writer: str = ""           # "process" (a second process wrote while the file was read) or "inline"
    timings: dict[str, float] = field(default_factory=dict)   # seconds per phase, for the benchmark and logs

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_json(self) -> dict[str, Any]:
        """The `--json` shape: counts and total cover the valid households (what --skip-invalid writes)."""
        return {
            "households": self.stats.households,
            "persons": self.stats.persons,
            "enrollments": self.stats.enrollments,
            "monthly_total": f"{self.stats.monthly_total:.2f}",
            "imported": self.imported,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
            "ignored_rows": self.stats.ignored_rows,
            "ignored": [i.as_dict() for i in self.stats.ignored],
            "to_verify": self.imported and self.stats.enrollments > 0,
        }

    def summary(self) -> str:
        s = self.stats
        what = f"{s.households} 户 {s.persons} 人，享受待遇 {s.enrollments} 项，月保障金额合计 {s.monthly_total:.2f} 元"
        if self.dry_run:
            head = "预检完成（未写入）"
        elif self.imported:
            head = "已导入"
        else:
            head = "未导入"
        tail = f"；错误 {self.error_count} 处，警告 {self.warning_count} 处"
        if s.ignored_rows:
            tail += f"；已忽略非数据行 {s.ignored_rows} 行（合计、签字栏、备注）"
        if self.imported and s.enrollments:
            tail += "；享受待遇为“存量核查中”，经规则核算并由乡镇确认后方可发放"
        return f"{head}：{'有效 ' if not self.imported else ''}{what}{tail}"


def import_ledger(path: str | Path, *, user: Actor | None = None, programme: str | None = None, dry_run: bool = False,
                  skip_invalid: bool = False, today: dt.date | None = None, file_name: str | None = None,
                  progress: Progress | None = None) -> ImportResult:
    """Import a household ledger (.xlsx/.xls/.csv). `user` limits it to the user's jurisdiction (None: an
    operator at the command line, the whole county). Raises LedgerFileError for an unreadable file and
    CellError for an unknown --programme."""
    if user is not None and not user.has_cap(Cap.IMPORT):
        raise PermissionDenied("您的角色没有导入台账的权限")
    path = Path(path)
    name = file_name or path.name
    today = today or dates.today()
    scope = getattr(user, "division", None) if user is not None else None
    if user is not None and scope is None:
        raise PermissionDenied("您的账号未绑定区划，不能导入台账")

    def vprog(done: int, total: int) -> None:
        if progress:
            progress("validate", done, total)

    division_code = scope.code if scope is not None else ""
    nested = connection.in_atomic_block
    overlap = (not dry_run and not nested and path.stat().st_size > settings.MINZHENG_IMPORT_PROCESS_MIN_BYTES
               and not getattr(settings, "MINZHENG_IMPORT_INLINE", False) and can_reach_database())
    with tempfile.TemporaryFile(prefix="minzheng-ledger-") as spool:
        background = WriterProcess(name, today, skip_invalid, progress) if overlap else None
        v = Validator(scope=scope, programme_option=programme, today=today, spool=spool, progress=vprog,
                      sink=background.put if background else None)
        if background is not None:
            background.validator = v
        started = time.perf_counter()
        try:
            v.run(path)
        except BaseException:
            if background is not None:
                background.finish(commit=False)
            raise
        v.errors.sort(key=lambda i: (v.stats.sheets.index(i.sheet) if i.sheet in v.stats.sheets else -1,
                                     i.row or 0))
        result = ImportResult(name, v.stats, v.errors, v.warnings, v.error_count, v.warning_count, dry_run,
                              skip_invalid, programme=v.option.code if v.option else "",
                              writer="" if dry_run else "process" if background is not None else "inline",
                              timings={"validate": time.perf_counter() - started})
        if dry_run:
            return result
        detail = {"file": name, "programme": result.programme, "skip_invalid": skip_invalid,
                  "households": v.stats.households, "persons": v.stats.persons,
                  "enrollments": v.stats.enrollments, "monthly_total": str(v.stats.monthly_total),
                  "errors": v.error_count, "warnings": v.warning_count, "sheets": v.stats.sheets,
                  "first_errors": [e.as_dict() for e in v.errors[:20]]}
        summary = (f"导入家庭台账“{name}”：{v.stats.households} 户 {v.stats.persons} 人，享受待遇 {v.stats.enrollments} 项，"
                   f"月保障金额合计 {v.stats.monthly_total:.2f} 元"
                   + (f"；跳过有错误的家庭 {v.stats.invalid_households} 户" if v.error_count else ""))
        if (v.error_count and not skip_invalid) or v.stats.households == 0:
            if background is not None:
                background.finish(commit=False)
            _record_failure(name, v.error_count, detail, division_code,
                            "有错误，按整体导入规则未写入任何数据" if v.error_count else "没有可导入的家庭")
            return result
        try:
            if background is not None:
                waited = time.perf_counter()
                written = background.finish(commit=True, summary=summary, detail=detail,
                                               division_code=division_code)
                result.timings |= {"wait_for_writer": time.perf_counter() - waited, **background.timings}
            else:
                with transaction.atomic():
                    writer = LedgerWriter(source_ref=name, today=today,
                                          expected_persons=0 if nested else v.stats.persons)
                    try:
                        for batch in read_spool(spool):
                            writer.write(batch)
                            if progress:
                                progress("write", writer.written.households, v.stats.households)
                        writer.finish()
                    finally:
                        writer.close()
                    audit.record("registry.import", division_code=division_code, summary=summary,
                                 object_type="registry.household", detail=detail)
                written = writer.written.households
        except (IntegrityError, DatabaseError) as exc:
            msg = "写入时与已有数据冲突（可能有人同时录入了相同的身份证号），未写入任何数据，请重新导入"
            if not isinstance(exc, IntegrityError):
                msg = f"写入数据库失败，未写入任何数据：{type(exc).__name__}"
            result.errors.append(Issue("", None, "", msg))
            result.error_count += 1
            _record_failure(name, result.error_count, {**detail, "exception": str(exc)[:500]}, division_code, msg)
            return result
        result.imported = True
        result.written_households = written
        for hook in AFTER_IMPORT:
            hook(user, today, result)
        return result


def _record_failure(name: str, errors: int, detail: dict[str, Any], division_code: str, why: str) -> None:
    """Outside any rolled-back transaction, so the attempt itself stays on record."""
    audit.record("registry.import.failed", division_code=division_code, object_type="registry.household",
                 summary=f"导入家庭台账“{name}”失败：{why}（错误 {errors} 处）", detail=detail)

