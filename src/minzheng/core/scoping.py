"""The one place that enforces jurisdiction (辖区).

Every business model declares `scope_path`, the ORM path to the Division it belongs to (for example
"division" or "household__division"). Views, the API and the CLI obtain business rows only through
`visible()` / `get_visible()` and check writes with `require_edit()`, so a user bound to a township
sees and touches only that township's subtree. The leak test (tests/core/test_jurisdiction.py)
walks every URL and API route as a user of another township.

Organisations outside government (accounts.roles.OUTSIDE_ROLES: a provider's staff, a third-party evaluator) see no
subtree at all: only the rows an app publishes to them with `publish_to_outside` (the purchased-services app: a
provider's staff sees the beneficiaries assigned to them). Every other model gives them nothing, and they are never
"in scope" for a write (tests/purchased/test_provider_scope.py walks every route as one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model, QuerySet
from django.http import Http404

from minzheng.accounts.roles import Cap, is_outside
from minzheng.regions.models import Division
from minzheng.regions.selectors import subtree_ids

if TYPE_CHECKING:
    from minzheng.accounts.actor import Principal

M = TypeVar("M", bound=Model)

# model → narrows a queryset of it to what an outside user (provider staff, evaluator) may see.
OutsideView = Callable[[QuerySet[Any], "Principal"], QuerySet[Any]]
_OUTSIDE: dict[type[Model], OutsideView] = {}


def publish_to_outside(model: type[Model], view: OutsideView) -> None:
    """Called from an app's ready(): rows of `model` an outside user may see (the view filters, never widens)."""
    _OUTSIDE[model] = view


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Principal | None) -> QuerySet[Any]:
        return visible(self, user)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def scope_path_of(model: type[Model]) -> str:
    path = getattr(model, "scope_path", None)
    if not path:
        raise TypeError(f"{model.__name__} has no scope_path: it cannot be scoped by division")
    return path


def _user_division(user: Principal | None) -> Division | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not user.has_cap(Cap.VIEW_BUSINESS):
        return None  # 三员 and users without a business role see no business data
    return user.division


def home_division(user: Principal) -> Division:
    """The division a business user works in; accounts without one (the 三员) cannot act on business records."""
    if user.division is None:
        raise PermissionDenied("您的账号没有所属区划，不能办理此业务")
    return user.division


def visible(qs_or_model: QuerySet[M] | type[M], user: Principal | None) -> QuerySet[M]:
    """Rows of this model inside the user's division subtree (none for users without business access)."""
    qs = qs_or_model._default_manager.all() if isinstance(qs_or_model, type) else qs_or_model
    division = _user_division(user)
    if division is None:
        return qs.none()
    path = scope_path_of(qs.model)
    qs = qs.filter(**{f"{path}__in": subtree_ids(division)})
    if user is not None and is_outside(user):
        view = _OUTSIDE.get(qs.model)
        return view(qs, user) if view is not None else qs.none()
    return qs


def get_visible(qs_or_model: QuerySet[M] | type[M], user: Principal | None, **lookup: Any) -> M:
    """One row the user may see, or 404 — never a 403 that would confirm the row exists elsewhere."""
    try:
        return visible(qs_or_model, user).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("记录不存在或不在您的辖区内") from exc


def division_of(obj: Model) -> Division | None:
    value: Any = obj
    for part in scope_path_of(type(obj)).split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def in_scope(user: Principal | None, division: Division | None) -> bool:
    if is_outside(user):
        return False  # outside organisations act only on rows reached through visible(), by their own services
    mine = _user_division(user)
    return mine is not None and division is not None and division.path.startswith(mine.path)


def require_division(user: Principal, division: Division | None, cap: str = Cap.EDIT_BUSINESS) -> None:
    """Before creating a row in `division`: the user must hold `cap` and the division must be theirs."""
    if not in_scope(user, division):
        raise PermissionDenied("该区划不在您的辖区内")
    if not user.has_cap(cap):
        raise PermissionDenied("您的角色没有此操作权限")


def may_edit(user: Principal | None, obj: Model, cap: str = Cap.EDIT_BUSINESS) -> bool:
    """Whether `require_edit` would let the user change `obj` (for offering an action, never for allowing it)."""
    return user is not None and in_scope(user, division_of(obj)) and user.has_cap(cap)


def require_edit(user: Principal, obj: Model, cap: str = Cap.EDIT_BUSINESS) -> None:
    """Before changing `obj`. Out-of-scope rows raise 404, like reads; read-only roles get 403."""
    if not in_scope(user, division_of(obj)):
        raise Http404("记录不存在或不在您的辖区内")
    if not user.has_cap(cap):
        raise PermissionDenied("您的角色没有此操作权限")


def visible_divisions(user: Principal | None) -> QuerySet[Division]:
    division = _user_division(user)
    if division is None or is_outside(user):  # an outside organisation works no division, only its published rows
        return Division.objects.none()
    return Division.objects.filter(path__startswith=division.path)
