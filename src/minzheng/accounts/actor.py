"""Who is acting: the types that services, selectors and views use for "the user doing this".

- `Actor` is the signed-in user (a page, the API, or the CLI acting as a named account). It is the `User` model,
  so a service may store it (`prepared_by=actor`) as well as check it (`actor.has_cap(Cap.APPROVE)`).
  Services that batch jobs also run take `actor: Actor | None`, where None is the system itself (the daily
  sweep, or the operator at the CLI, who already holds the machine): the capability checks are skipped.
- `Principal` is the smaller promise that the capability and jurisdiction checks read (capabilities, division,
  active, a username to write on the row): `User` keeps it, and so does the demo loader's stand-in officer
  (`disaster.demo.Actor`), which acts before anyone has logged in.
- `AuthedRequest` is the request of a view behind `require_cap`/`login_required`: its `user` is an `Actor`, never
  the anonymous user. (django-stubs' documented way to narrow `request.user`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeAlias

from django.http import HttpRequest

from .models import User

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from minzheng.regions.models import Division

Actor: TypeAlias = User


class Principal(Protocol):
    """Anything the capability and jurisdiction checks can judge (core.scoping): a `User` or a stand-in."""

    @property
    def username(self) -> str: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def division(self) -> Division | None: ...

    def has_cap(self, cap: str) -> bool: ...


class AuthedRequest(HttpRequest):
    """A request whose user has logged in (every view behind `require_cap` or `login_required`)."""

    user: Actor
    htmx: HtmxDetails  # set on every request by django_htmx's middleware
