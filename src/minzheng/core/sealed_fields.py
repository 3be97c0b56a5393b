"""Model fields for sealed values (core/sealed.py): the sealed column and the columns derived from it.

    phone = SealedField(_("联系电话"), max_length=32, blank=True)
    phone_index = DerivedField("phone", "index")    # blind index: equality, duplicates
    phone_last4 = DerivedField("phone", "last4")    # search by last four digits

Models holding one inherit SealedModel, so `save(update_fields=["phone"])` also saves the derived columns. Code that
writes rows with raw SQL (the ledger import, the demo, the payroll engine) fills them with core.sealed's functions;
`QuerySet.update()` and `bulk_update()` do not, so they are not used on these columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from . import sealed

# Room for a sealed value of up to 32 characters of any script (e1:<8>:<base64 of 12 + 4 × 32 + 16 bytes>).
SEALED_MAX_LENGTH = 255
_DERIVED_LENGTH = {"index": sealed.INDEX_BYTES * 2, "last4": 4, "shape": 9}


class SealedField(models.CharField):
    """Plaintext in Python, sealed in the database. `max_length` is the plaintext's; lookups other than `= ''` are
    refused (a sealed value never equals its plaintext): use the blind index."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.plain_max_length = kwargs.pop("plain_max_length", None) or kwargs.get("max_length") or 32
        kwargs["max_length"] = SEALED_MAX_LENGTH
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["plain_max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def formfield(self, form_class: Any = None, choices_form_class: Any = None, **kwargs: Any) -> Any:
        return super().formfield(form_class, choices_form_class, **{"max_length": self.plain_max_length, **kwargs})

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None else sealed.unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value and not sealed.is_sealed(str(value)):
            raise FieldError(f"{self.model.__name__}.{self.name} 加密存储，不能按明文查询，请用 {self.name}_index")
        return value

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        value = self.to_python(value)
        return sealed.seal(value) if value else value


class DerivedField(models.CharField):
    """A column computed from a SealedField when the row is saved: 'index', 'last4' or 'shape' (core/sealed)."""

    def __init__(self, source: str, derive: str, *args: Any, **kwargs: Any) -> None:
        self.source, self.derive = source, derive
        kwargs.setdefault("max_length", _DERIVED_LENGTH[derive])
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for k in ("blank", "default", "db_default", "editable"):
            kwargs.pop(k, None)
        return name, path, [self.source, self.derive, *args], kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = sealed.DERIVE[self.derive](getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def derived_of(model: type[models.Model]) -> dict[str, list[DerivedField]]:
    """Sealed field name → its derived fields."""
    out: dict[str, list[DerivedField]] = {}
    for f in model._meta.concrete_fields:
        if isinstance(f, SealedField):
            out.setdefault(f.name, [])
        elif isinstance(f, DerivedField):
            out.setdefault(f.source, []).append(f)
    return out


class SealedModel(models.Model):
    """Saving a sealed field by name saves its derived columns too."""

    class Meta:
        abstract = True

    def save(self, *args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
        if update_fields is not None:
            fields = set(update_fields)
            for source, derived in derived_of(type(self)).items():
                if source in fields:
                    fields.update(d.name for d in derived)
            update_fields = fields
        super().save(*args, update_fields=update_fields, **kwargs)
