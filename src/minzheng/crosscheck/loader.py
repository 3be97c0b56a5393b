"""Reading a department file (CSV, XLSX/XLS, Parquet) against its declared schema.

Every problem is reported the way the ledger import reports it: sheet, row number as the user sees it in Excel,
column header and a Chinese message. A file with any bad row is rejected as a whole (nothing is stored), so a
half-loaded dataset can never raise or hide 疑点.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa

from minzheng.core import dates, filebounds
from minzheng.registry import idnumber

from .schemas import Column, DatasetSchema

MAX_REPORTED = 200
EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int           # 1-based, as shown by Excel; 0 for problems with the file or its header
    column: str
    message: str

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}” " if self.sheet else ""
        row = f"第 {self.row} 行 " if self.row else ""
        col = f"“{self.column}”列：" if self.column else ""
        return f"{where}{row}{col}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Parsed:
    table: pa.Table | None
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rows_read: int = 0
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.table is not None


class CellError(ValueError):
    pass


# ------------------------------------------------------------------------------------------------ cells


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


_DATE = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellError(f"“{_text(value)}”不是有效日期")
    s = _text(value)
    m = _DATE.match(s) or _DATE8.match(s)
    if not m:
        raise CellError(f"“{s}”不是日期（应为 2024-05-31 或 2024/5/31）")
    try:
        d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise CellError(f"“{s}”不是有效日期") from None
    if d.year < 1880 or d > dates.today() + dt.timedelta(days=366 * 30):
        raise CellError(f"日期 {d} 不合理")
    return d


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("应为金额或数值")
    s = _text(value).replace(",", "").replace("，", "").replace("元", "").replace("¥", "").replace("￥", "")
    s = s.replace("平方米", "").replace("㎡", "").strip()
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise CellError(f"“{_text(value)}”不是数值") from None
    if not d.is_finite():
        raise CellError(f"“{_text(value)}”不是数值")
    if d < 0:
        raise CellError(f"数值 {d} 不能为负数")
    if d >= Decimal("1e14"):
        raise CellError(f"数值 {d} 过大")
    return d.quantize(Decimal("0.01"))


def parse_int(value: Any) -> int:
    d = parse_decimal(value)
    if d != d.to_integral_value():
        raise CellError(f"“{_text(value)}”应为整数")
    return int(d)


def parse_id(value: Any) -> str:
    if isinstance(value, float):
        # Excel stored the number as a float: the last digits are gone and cannot be recovered.
        raise CellError("身份证号被 Excel 存成了数字，后几位可能已丢失；请把该列设为文本后重新导出")
    result = idnumber.check(value)
    if not result.valid:
        raise CellError(result.reason)
    return result.normalized


PARSERS = {"date": parse_date, "decimal": parse_decimal, "int": parse_int, "id": parse_id}


def parse_choice(col: Column, value: Any) -> str:
    text = re.sub(r"\s", "", _text(value)).lower()
    for spelling, code in col.choices:
        if spelling.lower() == text:
            return code
    allowed = "、".join(dict.fromkeys(s for s, c in col.choices if s != c))
    raise CellError(f"“{_text(value)}”不是有效的{col.label}（可填：{allowed}）")


def parse_cell(col: Column, value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        if col.required:
            raise CellError("必填项为空")
        return None
    if col.choices:
        return parse_choice(col, value)
    parser = PARSERS.get(col.type)
    if parser is None:
        return _text(value) or None
    return parser(value)


# ------------------------------------------------------------------------------------------------ files


def _header_key(h: Any) -> str:
    return re.sub(r"[\s　:：*]", "", _text(h)).lower()


def _map_header(schema: DatasetSchema, header: list[Any]) -> tuple[dict[str, int], list[str]]:
    """Column name → index in the file; and the missing required columns."""
    lookup: dict[str, str] = {}
    for c in schema.columns:
        for h in c.headers:
            lookup.setdefault(_header_key(h), c.name)
    found: dict[str, int] = {}
    for i, h in enumerate(header):
        name = lookup.get(_header_key(h))
        if name and name not in found:
            found[name] = i
    missing = [c.label for c in schema.columns if c.required and c.name not in found]
    return found, missing


def _sheets(path: Path) -> Iterator[tuple[str, Iterator[list[Any]]]]:
    suffix = path.suffix.lower()
    try:   # sizes, rows, cells and strings are bounded before any reader allocates anything
        filebounds.check_file(path)
    except filebounds.FileBoundError as exc:
        raise CellError(str(exc)) from None
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            yield name, iter(rows)
    elif suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise CellError("无法识别文件编码（应为 UTF-8 或 GBK）")
        yield "", iter(csv.reader(io.StringIO(text)))
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        t = pq.read_table(str(path))
        header = list(t.column_names)
        cols = [t.column(i).to_pylist() for i in range(t.num_columns)]
        yield "", iter([header, *map(list, zip(*cols, strict=True))])
    else:
        raise CellError(f"不支持的文件类型“{suffix}”：请使用 CSV、XLSX/XLS 或 Parquet")


def parse_file(schema: DatasetSchema, path: str | Path) -> Parsed:
    path = Path(path)
    out = Parsed(table=None)
    columns: dict[str, list[Any]] = {c.name: [] for c in schema.columns}

    def err(sheet: str, row: int, column: str, message: str) -> None:
        out.error_count += 1
        if len(out.errors) < MAX_REPORTED:
            out.errors.append(RowError(sheet, row, column, message))

    try:
        sheets = list(_sheets(path))
    except CellError as exc:
        err("", 0, "", str(exc))
        return out
    except Exception as exc:  # a corrupt workbook or Parquet file
        err("", 0, "", f"文件无法读取：{exc}")
        return out
    used_sheets = 0
    header_problems: list[tuple[str, str]] = []
    for sheet, rows in sheets:
        # Department exports often put a title and notes above the header: look at the first ten rows.
        head: list[list[Any]] = []
        mapping: dict[str, int] = {}
        header_row = 0
        for i, r in enumerate(rows, start=1):
            head.append(r)
            mapping, missing = _map_header(schema, list(r))
            if not missing:
                header_row = i
                break
            if i >= 10:
                break
        if not header_row:
            if any(any(_text(v) for v in r) for r in head):
                _, missing = _map_header(schema, list(head[0]) if head else [])
                header_problems.append((sheet, f"找不到表头：缺少必填列 {'、'.join(missing)}（{schema.label}）"))
            continue
        used_sheets += 1
        for rownum, r in enumerate(rows, start=header_row + 1):
            if not any(_text(v) for v in r):
                continue
            out.rows_read += 1
            values: dict[str, Any] = {}
            bad = False
            for c in schema.columns:
                idx = mapping.get(c.name)
                raw = r[idx] if idx is not None and idx < len(r) else None
                try:
                    values[c.name] = parse_cell(c, raw)
                except CellError as exc:
                    err(sheet, rownum, c.label, str(exc))
                    bad = True
            if not bad:
                for k, v in values.items():
                    columns[k].append(v)
    if used_sheets == 0:
        for sheet, message in header_problems:
            err(sheet, 0, "", message)
        if not header_problems:
            err("", 0, "", "文件中没有数据")
    else:
        # A notes or summary sheet next to the data is normal; say it was skipped.
        out.notices += [f"工作表“{sheet}”没有{schema.label}表头，已跳过" for sheet, _ in header_problems]
    if out.error_count == 0 and out.rows_read == 0:
        err("", 0, "", "文件中没有数据行")
    if out.error_count:
        return out
    out.table = pa.Table.from_pydict(columns, schema=schema.arrow_schema)
    return out
