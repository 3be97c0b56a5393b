"""Leak-test planter for the core routes: the division tree addressed by a village code."""

from __future__ import annotations

from typing import Any

from .planted import Planted


def plant(village: Any, owner: Any) -> Planted:
    """Everything in `village` (in one township), created on behalf of `owner`."""
    return Planted(scoped={"code": village.code}, plain={"user_id": owner.pk})
