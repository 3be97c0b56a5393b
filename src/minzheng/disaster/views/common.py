"""Helpers every disaster page shares: form errors, flash messages, the page context and the user's divisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from minzheng.core.scoping import visible_divisions

from .. import services


def _errors_to_form(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for f, errs in exc.message_dict.items():
            form.add_error(f if f in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    msgs = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages
    for m in msgs:
        messages.error(request, m)


def _ctx(**kw: Any) -> dict[str, Any]:
    return {"department": services.department(), **kw}


def _divisions(user: Any, *levels: str) -> Any:
    return visible_divisions(user).filter(level__in=levels).order_by("code")
