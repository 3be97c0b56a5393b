"""Every create/update/delete of business data is audited with before and after values.

Bulk writes (imports, payroll) bypass model signals by design; those services record one summary entry per batch.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import signals as auth_signals
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from minzheng.apps_list import APPS
from minzheng.core import sealed
from minzheng.core.sealed_fields import DerivedField, SealedField

from . import context, services

# Every app of the project except the log itself (its entries are the record, chained by services.record).
AUDITED_APPS = set(APPS) - {"audit"}
# Noise or secrets: never copied into the log.
SKIP_FIELDS = {"last_login", "updated_at", "modified_at"}
SECRET_FIELDS = {"password", "token_hash", "key_hash"}
SKIP_MODELS = {"accounts.loginattempt", "accounts.passwordhistory", "accounts.apitoken_used"}


def _sealed(value: str) -> str:
    """A sealed number as the log keeps it: masked, with a keyed tag that tells two numbers apart (the log is
    append-only, so a plaintext copy there could never be sealed or re-keyed)."""
    if not value:
        return ""
    return "*" * max(0, len(value) - 4) + value[-4:] + f" #{sealed.blind_index(value)[:8]}"


def snapshot(instance: Model) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        if f.name in SKIP_FIELDS or isinstance(f, DerivedField):
            continue
        value = f.value_from_object(instance)
        if isinstance(f, SealedField):
            value = _sealed(value or "")
        data[f.attname if f.is_relation else f.name] = "***" if f.name in SECRET_FIELDS and value else value
    return data


def _audited(sender: type[Model]) -> bool:
    meta = sender._meta
    return (
        meta.app_label in AUDITED_APPS
        and f"{meta.app_label}.{meta.model_name}" not in SKIP_MODELS
        and not getattr(sender, "audit_exempt", False)
    )


def _pre_save(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _audited(sender) or instance.pk is None:
        return
    # At most one row: no ORDER BY to build (first() would order by the model's ordering or pk on every save).
    old = next(iter(sender._default_manager.filter(pk=instance.pk).order_by()[:1]), None)
    instance._audit_before = snapshot(old) if old is not None else None  # type: ignore[attr-defined]


def _post_save(sender: type[Model], instance: Model, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw or not _audited(sender):
        return
    after = snapshot(instance)
    before = None if created else getattr(instance, "_audit_before", None)
    if before is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed:
            return
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after[k] for k in sorted(changed)}
    label = sender._meta.verbose_name
    services.record(
        f"{sender._meta.app_label}.{sender._meta.model_name}.{'create' if created else 'update'}",
        obj=instance,
        summary=f"{'新增' if created else '修改'}{label}：{instance}",
        before=before,
        after=after,
    )


def _post_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if not _audited(sender):
        return
    services.record(
        f"{sender._meta.app_label}.{sender._meta.model_name}.delete",
        obj=instance,
        summary=f"删除{sender._meta.verbose_name}：{instance}",
        before=snapshot(instance),
    )


def _login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    actor = context.Actor(user.username, getattr(user, "role", ""), client_ip(request))
    context.set_actor(actor)
    services.record("auth.login", summary=f"{user.username} 登录", obj=user, actor=actor)


def _logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    actor = context.Actor(user.username, getattr(user, "role", ""), client_ip(request))
    services.record("auth.logout", summary=f"{user.username} 退出", obj=user, actor=actor)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    actor = context.Actor(username, "", client_ip(request))
    services.record("auth.login_failed", summary=f"{username} 登录失败", actor=actor, object_type="accounts.user",
                    object_id=username)


def client_ip(request: Any) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def connect() -> None:
    for model in apps.get_models():
        if _audited(model):
            pre_save.connect(_pre_save, sender=model, dispatch_uid=f"audit-pre-{model._meta.label}")
            post_save.connect(_post_save, sender=model, dispatch_uid=f"audit-post-{model._meta.label}")
            post_delete.connect(_post_delete, sender=model, dispatch_uid=f"audit-del-{model._meta.label}")
    auth_signals.user_logged_in.connect(_login, dispatch_uid="audit-login")
    auth_signals.user_logged_out.connect(_logout, dispatch_uid="audit-logout")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="audit-login-failed")
