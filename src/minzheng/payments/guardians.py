"""领款监护人: recording who receives a person's payments when the person cannot (a minor without parents, someone
without legal capacity). The guardian's account must be a payable account; without one the person's lines are held
back by the pre-flight check (监护人没有银行账号)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.roles import Cap
from minzheng.audit.services import record
from minzheng.core.scoping import require_edit
from minzheng.registry import idnumber
from minzheng.registry.masking import mask_account, mask_id
from minzheng.registry.models import Person

from . import accounts
from .models import Guardianship


def _shown(g: Guardianship | None) -> dict[str, str]:
    if g is None:
        return {}
    return {"监护人": g.guardian_name, "身份证号": mask_id(g.guardian_id_number) if g.guardian_id_number else "",
            "关系": g.relation, "开户银行": g.bank_name, "账号": mask_account(g.bank_account) if g.bank_account else ""}


def set_guardian(*, person: Person, user: Any, guardian_name: str, guardian_id_number: str = "", relation: str = "",
                 bank_name: str = "", bank_account: str = "", since: dt.date | None = None,
                 note: str = "") -> Guardianship:
    require_edit(user, person, Cap.EDIT_BUSINESS)
    errors: dict[str, str] = {}
    name = (guardian_name or "").strip()
    if not name:
        errors["guardian_name"] = "请填写监护人姓名"
    number = ""
    if (guardian_id_number or "").strip():
        chk = idnumber.check(guardian_id_number)
        if not chk.valid:
            errors["guardian_id_number"] = chk.reason
        else:
            number = chk.normalized
            if number == person.id_number:
                errors["guardian_id_number"] = "监护人不能是本人"
    account = (bank_account or "").replace(" ", "")
    if account:
        verdict = accounts.check(account)
        if not verdict.ok:
            errors["bank_account"] = verdict.message
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        g = Guardianship.objects.select_for_update().filter(person=person).first()
        before = _shown(g)
        g = g or Guardianship(person=person)
        g.guardian_name, g.guardian_id_number, g.relation = name[:64], number, (relation or "").strip()[:32]
        g.bank_name, g.bank_account, g.since, g.note = (bank_name or "").strip()[:64], account, since, note[:200]
        g.save()
        record("payments.guardian", obj=person, summary=f"登记 {person.name} 的领款监护人 {name}",
               before=before, after=_shown(g))
    return g


def remove_guardian(*, person: Person, user: Any) -> None:
    require_edit(user, person, Cap.EDIT_BUSINESS)
    with transaction.atomic():
        g = Guardianship.objects.filter(person=person).first()
        if g is None:
            raise ValidationError("此人没有登记领款监护人")
        before = _shown(g)
        g.delete()
        record("payments.guardian", obj=person, summary=f"撤销 {person.name} 的领款监护人", before=before)
