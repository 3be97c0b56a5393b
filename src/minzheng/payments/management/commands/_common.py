"""Shared helpers of the payroll and allowances commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from minzheng.accounts.actor import Actor
from minzheng.accounts.models import User
from minzheng.regions.models import Division, Level
from minzheng.registry.models import Programme


def user_named(username: str | None) -> Actor | None:
    """The account a command acts as (`--as`), or None for the operator."""
    if not username:
        return None
    try:
        return User.objects.select_related("division").get(username=username, is_active=True)
    except User.DoesNotExist as exc:
        raise CommandError(f"用户 {username} 不存在或已停用 / no such active user") from exc


def programme_coded(code: str | None) -> Programme | None:
    if not code:
        return None
    p = Programme.objects.filter(code=code).first()
    if p is None:
        codes = ", ".join(Programme.objects.values_list("code", flat=True))
        raise CommandError(f"未知项目代码 {code} / unknown programme; 可用 available: {codes}")
    return p


def township_coded(code: str | None) -> Division | None:
    if not code:
        return None
    d = Division.objects.filter(code=code).first() or Division.objects.filter(name=code, level=Level.TOWNSHIP).first()
    if d is None or d.level != Level.TOWNSHIP:
        raise CommandError(f"{code} 不是乡镇(街道)区划代码或名称 / not a township code")
    return d
