"""A service's ValidationError reaches forms, flash messages and the API through one set of helpers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from minzheng.core.forms import add_errors_to_form, error_messages, errors_by_field, flash_errors


class _NameForm(forms.Form):
    name = forms.CharField(required=False)


def test_field_errors_land_on_their_field_and_unknown_fields_on_the_form() -> None:
    form = _NameForm({"name": "x"})
    assert form.is_valid()
    add_errors_to_form(form, ValidationError({"name": "姓名有误", "household": "该家庭已有在办申请"}))
    assert form.errors["name"] == ["姓名有误"]
    assert form.non_field_errors() == ["该家庭已有在办申请"]


def test_a_plain_error_goes_to_the_top_of_the_form() -> None:
    form = _NameForm({"name": "x"})
    assert form.is_valid()
    add_errors_to_form(form, ValidationError(["第一条", "第二条"]))
    assert form.non_field_errors() == ["第一条", "第二条"]
    assert "name" not in form.errors


def test_messages_flatten_field_errors_and_fall_back_to_the_text() -> None:
    assert sorted(error_messages(ValidationError({"a": "甲", "b": ["乙", "丙"]}))) == ["丙", "乙", "甲"]
    assert error_messages(ValidationError("单条")) == ["单条"]
    assert error_messages(PermissionDenied("没有权限")) == ["没有权限"]


def test_by_field_keeps_the_fields_and_puts_the_rest_under_all() -> None:
    assert errors_by_field(ValidationError({"month": "月份有误"})) == {"month": ["月份有误"]}
    assert errors_by_field(ValidationError("数据有误")) == {"__all__": ["数据有误"]}


def test_flash_shows_every_message() -> None:
    request: Any = RequestFactory().get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    flash_errors(request, ValidationError({"a": "甲", "b": "乙"}))
    assert sorted(str(m) for m in get_messages(request)) == ["乙", "甲"]
