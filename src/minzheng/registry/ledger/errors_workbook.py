"""The error workbook: one row per error (and per warning) with sheet, Excel row, column, message and the
offending row's original cells, written as text so nothing is reformatted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from minzheng.core.excel import workbook_bytes

if TYPE_CHECKING:
    from .service import ImportResult
    from .validate import Issue

HEAD = ["工作表", "行号", "列", "问题说明"]


def _rows(issues: list[Issue]) -> list[list[str | int]]:
    return [[i.sheet, i.row or "", i.column, i.message, *i.values] for i in issues]


def write_error_workbook(result: ImportResult) -> bytes:
    width = max((len(i.values) for i in [*result.errors, *result.warnings]), default=0)
    original = [f"原第{n}列" for n in range(1, width + 1)]
    # Original cells are written as text (names and ID numbers as typed).
    headers = HEAD + original
    summary = [["文件", result.file_name], ["结果", result.summary()],
               ["说明", "“行号”是 Excel 中显示的行号；改正原台账中的这些行后重新导入即可。"]]
    return workbook_bytes([
        ("错误", headers, _rows(result.errors)),
        ("警告", headers, _rows(result.warnings)),
        ("说明", ["项目", "内容"], summary),
    ])
