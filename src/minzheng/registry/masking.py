"""Masking of personal data for roles that do not need it, and for anything public (公示).

社会救助暂行办法 第六十一条 and PIPL 第二十八条: ID numbers, phones, bank accounts, disability and children's data are
sensitive; only roles holding Cap.VIEW_SENSITIVE see them in full.
"""

from __future__ import annotations

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap


def can_see_sensitive(user: Actor | None) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.has_cap(Cap.VIEW_SENSITIVE))


def mask_id(id_number: str) -> str:
    """3507**********123X: region prefix and last four only."""
    if not id_number:
        return ""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_account(account: str) -> str:
    if not account:
        return ""
    return "*" * max(0, len(account) - 4) + account[-4:]


def mask_name(name: str) -> str:
    """陈志富 → 陈*富, 陈富 → 陈*: the form used on public notices where a local rule asks for masking."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def shown(user: Actor | None, value: str, kind: str) -> str:
    """The value as this user may see it. kind: id | phone | account."""
    if can_see_sensitive(user):
        return value
    return {"id": mask_id, "phone": mask_phone, "account": mask_account}[kind](value)
