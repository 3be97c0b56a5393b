"""How a service's refusal reaches the person: a ValidationError becomes form errors, flash messages or an API body.

Services raise `ValidationError` with a Chinese message, either for the whole action or keyed by the field it is
about. Pages, the API and the CLI all read it through these helpers, so a field error always lands next to its field
(or at the top of the form when the form has no such field) and nothing is lost on the way.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest


def errors_by_field(exc: ValidationError) -> dict[str, list[str]]:
    """The messages keyed by field; errors not about one field are under "__all__"."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD_ERRORS: list(exc.messages)}


def error_messages(exc: Exception) -> list[str]:
    """Every message of a ValidationError (field ones included) as a flat list; any other error as its text."""
    found = getattr(exc, "messages", None)
    return list(found) if found else [str(exc)]


def add_errors_to_form(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put each message on the field it names, or on the form when the form has no such field."""
    for field, errs in errors_by_field(exc).items():
        form.add_error(field if field in form.fields else None, errs)


def flash_errors(request: HttpRequest, exc: Exception) -> None:
    """Show each message as an error on the next page."""
    for msg in error_messages(exc):
        messages.error(request, msg)
