"""What a ledger check reports: errors and warnings, each at a sheet, row and column, and the totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from .. import parsers as P
from ..reader import Row

MAX_KEPT_ISSUES = 100_000   # issues beyond this are counted, not kept (a wrong file can have millions)


@dataclass
class Issue:
    sheet: str
    row: int | None
    column: str
    message: str
    values: list[str] = field(default_factory=list)   # the row as written, for the error workbook

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Stats:
    households: int = 0
    persons: int = 0
    enrollments: int = 0
    monthly_total: Decimal = Decimal("0.00")
    rows_read: int = 0
    invalid_households: int = 0
    sheets: list[str] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    programmes: dict[str, int] = field(default_factory=dict)
    # Rows recognised as not data (合计, signature footers, notes): counted and listed, never errors.
    ignored_rows: int = 0
    ignored: list[Issue] = field(default_factory=list)
    # The sheet's own header text per column (for the error workbook).
    headers: dict[str, list[str]] = field(default_factory=dict)


MAX_KEPT_IGNORED = 1000


class Report(Protocol):
    """How the household check reports an issue (`error` False: a warning)."""

    def __call__(self, error: bool, sheet: str, row: Row | None, column: str, message: str) -> None: ...


class NotPlain(Exception):
    """The fast path's report: the household has an issue, so the exact path checks it again and reports it."""


def stop(error: bool, sheet: str, row: Row | None, column: str, message: str) -> None:
    raise NotPlain


class IssueLog:
    """Every error and warning counted; the first MAX_KEPT_ISSUES of each kept, with the row as written."""

    def __init__(self) -> None:
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.error_count = 0
        self.warning_count = 0

    def error(self, sheet: str, row: Row | None, column: str, message: str) -> None:
        self.error_count += 1
        _keep(self.errors, sheet, row, column, message)

    def warn(self, sheet: str, row: Row | None, column: str, message: str) -> None:
        self.warning_count += 1
        _keep(self.warnings, sheet, row, column, message)

    def report(self, error: bool, sheet: str, row: Row | None, column: str, message: str) -> None:
        (self.error if error else self.warn)(sheet, row, column, message)


def _keep(bucket: list[Issue], sheet: str, row: Row | None, column: str, message: str) -> None:
    if len(bucket) < MAX_KEPT_ISSUES:
        bucket.append(Issue(sheet, row.number if row else None, column, message,
                            [P.text(v) for v in row.values] if row is not None else []))
