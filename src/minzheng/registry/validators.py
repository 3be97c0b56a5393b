"""The ledger import's rules for names, phones and bank accounts, for every other way a person's data comes in:
web forms and services (a ValidationError on the field) and API bodies (pydantic types that refuse with the same
Chinese message). One set of rules, so `<script>` or `=HYPERLINK(…)` is no more a name on a form than in a ledger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from pydantic import AfterValidator

from .ledger.parsers import CellError, parse_account, parse_name, parse_phone


def _checked(parse: Callable[[Any], str], value: Any, field: str | None) -> str:
    try:
        return parse(value)
    except CellError as exc:
        raise ValidationError({field: str(exc)} if field else str(exc)) from None


def person_name(value: Any, *, field: str | None = "name") -> str:
    """A person's name as the import reads it (spaces removed, middle dots unified); refused: empty, digits,
    brackets, markup or formula characters."""
    return _checked(parse_name, value, field)


def phone(value: Any, *, field: str | None = "phone") -> str:
    """Empty, or a phone number as the import reads it."""
    return _checked(parse_phone, value, field)


def bank_account(value: Any, *, field: str | None = "bank_account") -> str:
    """Empty, or 6–32 digits (spaces and dashes removed)."""
    return _checked(parse_account, value, field)


class PersonNameField(forms.CharField):
    """A form field holding a person's name, cleaned by the import's rule."""

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        return person_name(text, field=None) if text else text


def _pydantic(check: Callable[..., str], *, blank: bool) -> AfterValidator:
    def validate(value: str) -> str:
        if blank and not value.strip():
            return ""
        try:
            return check(value, field=None)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None

    return AfterValidator(validate)


PersonName = Annotated[str, _pydantic(person_name, blank=False)]
OptionalPersonName = Annotated[str, _pydantic(person_name, blank=True)]
Phone = Annotated[str, _pydantic(phone, blank=True)]
BankAccount = Annotated[str, _pydantic(bank_account, blank=True)]
