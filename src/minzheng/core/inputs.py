"""Query and path parameters, validated once: bounded types for the API (published in the OpenAPI document) and
small readers for the pages' `request.GET`, both refusing bad input with a Chinese message instead of a 500.

Bounds are generous for real use and small enough that no value can overflow a database integer, a date or a
slice: an id is a positive 64-bit integer, a year lies in 2000–2100, a window of days is at most ten years."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

from django.core.exceptions import BadRequest
from django.http import HttpRequest, QueryDict
from ninja import Path, Query
from pydantic import AfterValidator, Field

MAX_ID = 2**63 - 1
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_DAYS = 3660
MAX_OFFSET = 10_000_000
MAX_PAGE = 1_000_000

def _in_years(value: dt.date | None) -> dt.date | None:
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"日期应在 {MIN_YEAR}–{MAX_YEAR} 年之间")
    return value


def _valid_month(value: str) -> str:
    if value:
        month = int(value[5:7]) if len(value) == 7 and value[:4].isdigit() and value[5:7].isdigit() else 0
        if not 1 <= month <= 12 or not MIN_YEAR <= int(value[:4]) <= MAX_YEAR:
            raise ValueError(f"月份应为 YYYY-MM（{MIN_YEAR}–{MAX_YEAR} 年）")
    return value


# In a JSON body.
Day = Annotated[dt.date, AfterValidator(_in_years)]
Moment = Annotated[dt.datetime, AfterValidator(_in_years)]
Ref = Annotated[int, Field(ge=1, le=MAX_ID, description="记录编号（正整数）")]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2,
                                  description="金额或数量（非负，最多两位小数）")]

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="记录编号（正整数）")]
Year = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR, description=f"年度（{MIN_YEAR}–{MAX_YEAR}）")]
OptionalYear = Annotated[int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description=f"年度（{MIN_YEAR}–{MAX_YEAR}），默认今年")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="跳过的条数")]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码，从 1 开始")]
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description=f"天数（1–{MAX_DAYS}）")]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="记录编号（正整数）")]
OptionalDate = Annotated[dt.date | None, Query(description=f"日期 YYYY-MM-DD（{MIN_YEAR}–{MAX_YEAR} 年）"),
                         AfterValidator(_in_years)]
Month = Annotated[str, Query(pattern=r"^(\d{4}-\d{2})?$", description="月份 YYYY-MM"), AfterValidator(_valid_month)]


def limit(most: int) -> object:
    """A page size of 1..most (the OpenAPI document shows the bound)."""
    return Query(ge=1, le=most, description=f"返回条数（1–{most}）")


def check_year(value: int) -> int:
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise BadRequest(f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间")
    return value


# --- pages: request.GET ------------------------------------------------------------------------------------------


def get_int(request: HttpRequest, name: str, *, default: int, lo: int, hi: int, label: str = "") -> int:
    """An integer query parameter within [lo, hi]; absent or empty gives the default, anything else a 400."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"参数“{label or name}”应为整数，收到“{raw[:20]}”") from None
    if not lo <= value <= hi:
        raise BadRequest(f"参数“{label or name}”应在 {lo}–{hi} 之间")
    return value


def get_year(request: HttpRequest, name: str = "year", *, default: int) -> int:
    return get_int(request, name, default=default, lo=MIN_YEAR, hi=MAX_YEAR, label="年度")


def get_days(request: HttpRequest, name: str = "days", *, default: int) -> int:
    return get_int(request, name, default=default, lo=1, hi=MAX_DAYS, label="天数")


def get_date(request: HttpRequest, name: str, *, default: dt.date | None = None) -> dt.date | None:
    """A YYYY-MM-DD query parameter; absent or empty gives the default, a malformed one a 400."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"参数“{name}”应为日期 YYYY-MM-DD，收到“{raw[:20]}”") from None
    check_year(value.year)
    return value


def as_id(raw: str | None, name: str) -> int | None:
    """An optional record id from a query string or form field (e.g. ?household=12); empty gives None."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
        raise BadRequest(f"参数“{name}”应为记录编号（正整数），收到“{raw[:20]}”")
    return int(raw)


def get_id(request: HttpRequest, name: str) -> int | None:
    return as_id(request.GET.get(name), name)


# --- pages: posted form fields (request.POST) ----------------------------------------------------------------
# For fields a view reads itself rather than through a Django form: a bad value is a 400 naming the field.


def _raw(data: QueryDict, name: str) -> str:
    return str(data.get(name) or "").strip()


def form_int(data: QueryDict, name: str, *, label: str, lo: int, hi: int, default: int | None = None) -> int:
    raw = _raw(data, name)
    if not raw:
        if default is None:
            raise BadRequest(f"请填写“{label}”")
        return default
    if len(raw) > 20 or not raw.isascii() or not raw.lstrip("-").isdigit():
        raise BadRequest(f"“{label}”应为整数，收到“{raw[:20]}”")
    value = int(raw)
    if not lo <= value <= hi:
        raise BadRequest(f"“{label}”应在 {lo}–{hi} 之间")
    return value


def form_id(data: QueryDict, name: str, *, label: str) -> int:
    """A required record id (a select's value)."""
    value = as_id(_raw(data, name), label)
    if value is None:
        raise BadRequest(f"请选择“{label}”")
    return value


def form_date(data: QueryDict, name: str, *, label: str, default: dt.date | None = None) -> dt.date:
    raw = _raw(data, name)
    if not raw:
        if default is None:
            raise BadRequest(f"请填写“{label}”")
        return default
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"“{label}”应为日期 YYYY-MM-DD，收到“{raw[:20]}”") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise BadRequest(f"“{label}”应在 {MIN_YEAR}–{MAX_YEAR} 年之间")
    return value


def form_decimal(data: QueryDict, name: str, *, label: str, lo: Decimal, hi: Decimal,
                 required: bool = True) -> Decimal | None:
    raw = _raw(data, name)
    if not raw:
        if required:
            raise BadRequest(f"请填写“{label}”")
        return None
    try:
        value = Decimal(raw) if len(raw) <= 20 else Decimal("NaN")
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise BadRequest(f"“{label}”应为数字，收到“{raw[:20]}”")
    if not lo <= value <= hi:
        raise BadRequest(f"“{label}”应在 {lo}–{hi} 之间")
    return value
