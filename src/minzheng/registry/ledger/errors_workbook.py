"""The error workbook: one row per error (and per warning) with sheet, Excel row, column, message and the
offending row's original cells under the ledger's own headers, written as text so nothing is reformatted. Rows
recognised as not data (合计, signature footers, notes) are listed on their own sheet as ignored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from minzheng.core.excel import workbook_bytes

if TYPE_CHECKING:
    from .service import ImportResult
    from .validate import Issue

HEAD = ["工作表", "行号", "列", "问题说明"]


def _rows(issues: list[Issue]) -> list[list[str | int]]:
    return [[i.sheet, i.row or "", i.column, i.message, *i.values] for i in issues]


def original_headers(result: ImportResult, issues: list[Issue]) -> list[str]:
    """The ledger's own header texts over the original cells (the first sheet's where sheets differ; a column
    without a header text keeps “原第N列”)."""
    width = max((len(i.values) for i in issues), default=0)
    sheets = [i.sheet for i in issues if i.sheet in result.stats.headers]
    own = result.stats.headers.get(sheets[0], []) if sheets else []
    return [own[n] if n < len(own) and own[n] else f"原第{n + 1}列" for n in range(width)]


def write_error_workbook(result: ImportResult) -> bytes:
    issues = [*result.errors, *result.warnings, *result.stats.ignored]
    headers = HEAD + original_headers(result, issues)
    summary = [["文件", result.file_name], ["结果", result.summary()],
               ["说明", "“行号”是 Excel 中显示的行号；改正原台账中的这些行后重新导入即可。"
                        "“已忽略”的合计行、签字栏和备注不是错误，不需要修改。"]]
    return workbook_bytes([
        ("错误", headers, _rows(result.errors)),
        ("警告", headers, _rows(result.warnings)),
        ("已忽略", headers, _rows(result.stats.ignored)),
        ("说明", ["项目", "内容"], summary),
    ])
