from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from minzheng.core import dates
from minzheng.core.forms import flash_errors


def month_param(request: HttpRequest, *, post: bool = False) -> dt.date:
    from django.core.exceptions import BadRequest

    from minzheng.core.inputs import MAX_YEAR, MIN_YEAR

    raw = (request.POST if post else request.GET).get("month", "").strip()
    if not raw:
        return dates.shift_months(dates.current_month(), -1)
    try:
        day = dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise BadRequest(f"参数“month”应为 YYYY-MM，收到“{raw[:20]}”") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise BadRequest(f"月份应在 {MIN_YEAR}–{MAX_YEAR} 年之间")
    return day


def act(request: HttpRequest, done: str, step: Callable[[], Any], back: str, **kw: Any) -> HttpResponse:
    """Run a service step from a POST; its refusal becomes a message on the page it came from."""
    try:
        step()
    except ValidationError as exc:
        flash_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限")
    else:
        messages.success(request, done)
    return redirect(back, **kw)


def post_date(request: HttpRequest, name: str) -> dt.date:
    raw = request.POST.get(name, "").strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: f"日期格式应为 YYYY-MM-DD，收到“{raw[:20]}”"}) from None


def act_strictly(request: HttpRequest, done: str, step: Callable[[], Any], back: str, **kw: Any) -> HttpResponse:
    """Like `act`, for steps whose bad input must answer 4xx: a refusal is a 400 page naming the field (nothing was
    written: the step runs in one transaction), a missing right a 403."""
    from django.core.exceptions import BadRequest

    from minzheng.core.forms import error_messages

    try:
        step()
    except ValidationError as exc:
        raise BadRequest("；".join(error_messages(exc))) from exc
    messages.success(request, done)
    return redirect(back, **kw)
