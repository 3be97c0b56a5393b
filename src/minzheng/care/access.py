"""Who sees which care files, and who may visit whom. Every care query goes through `files_for` (on top of
core.scoping's division subtree), so children's files reach only roles holding Cap.VIEW_CHILDREN, and the children's
roles (儿童主任, 儿童督导员) see children's files only."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from minzheng.accounts.roles import Cap, Role, is_outside
from minzheng.audit import services as audit
from minzheng.core.scoping import get_visible, in_scope, visible
from minzheng.regions.models import Level

from .models import CareFile, Group

CHILD_ROLES = frozenset({Role.CHILD_DIRECTOR, Role.CHILD_SUPERVISOR})


def groups_for(user: Any) -> list[str]:
    """The groups whose files this user may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if getattr(user, "role", "") in CHILD_ROLES:
        return [Group.CHILD]
    groups = [g for g in Group.values if g != Group.CHILD]
    if user.has_cap(Cap.VIEW_CHILDREN) and not is_outside(user):
        groups.insert(0, Group.CHILD)
    return groups


def files_for(user: Any, qs: QuerySet[CareFile] | None = None) -> QuerySet[CareFile]:
    """The care files this user may see: their jurisdiction, and only the groups their role has need of."""
    base = visible(qs if qs is not None else CareFile.objects.all(), user)
    return base.filter(group__in=groups_for(user))


def scoped(model: Any, user: Any, path: str = "file") -> QuerySet[Any]:
    """Rows hanging off a care file (visits, referrals …) limited to the files this user may see."""
    return visible(model, user).filter(**{f"{path}__group__in": groups_for(user)})


def open_file(user: Any, file_id: int) -> CareFile:
    """One file for a page or the API: 404 outside the user's files. A child's file is refused (403, in Chinese)
    to a role without the need even in its own division, and every opening of a child's file is audited."""
    f = get_visible(CareFile.objects.select_related("person__household", "village__parent", "responsible"), user,
                    pk=file_id)
    if f.group not in groups_for(user):
        if f.group == Group.CHILD:
            raise PermissionDenied("儿童关爱档案仅限儿童主任、儿童督导员和民政经办人员查看")
        raise PermissionDenied("您的角色不查看此类关爱档案")
    if f.group == Group.CHILD:
        audit.record("care.child.view", obj=f, summary=f"查看儿童关爱档案 {f.pk}")
    return f


def may_visit(user: Any, f: CareFile) -> bool:
    """A visit is recorded by whoever is assigned to the file, by the village's own 协管员 (other groups) or 儿童主任
    (children), or by township or county staff with the file in their jurisdiction."""
    if user is None or not user.has_cap(Cap.CARE_VISIT) or f.group not in groups_for(user):
        return False
    if f.responsible_id is not None and f.responsible_id == user.pk:
        return True
    if is_outside(user) or not in_scope(user, f.village):
        return False
    div = user.division
    if div is not None and div.level == Level.VILLAGE:
        return div.pk == f.village_id
    return True


def require_visit(user: Any, f: CareFile) -> None:
    """Before recording a visit: a clear error naming the file when the person is not in the visitor's assignment."""
    if user is None:
        return  # the operator or the demo, already holding the machine
    if f.group == Group.CHILD and f.group not in groups_for(user):
        raise PermissionDenied("儿童关爱档案仅限儿童主任、儿童督导员和民政经办人员走访")
    if not user.has_cap(Cap.CARE_VISIT):
        raise PermissionDenied("您的角色不能记录关爱走访")
    if not may_visit(user, f):
        raise ValidationError({"file": f"{f.person.name}（{f.get_group_display()}）不在您负责走访的对象中"})
