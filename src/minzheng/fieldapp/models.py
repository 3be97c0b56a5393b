"""The offline field app's server side: the phones allowed to keep work offline, the answer given to each record a
phone sent (so a repeat gets the same answer and nothing is written twice), and photos arriving in pieces."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class FieldDevice(models.Model):
    """A phone a field worker signed in on. Its bearer key is shown once; only the SHA-256 is kept. Revoking it
    (the township, for a lost or shared phone) makes the phone wipe what it holds at its next contact."""

    scope_path = "division"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
                             related_name="field_devices")
    # The user's division when the phone signed in: who may revoke it (the township over it) and the leak test.
    division = models.ForeignKey("regions.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT,
                                 related_name="+")
    label = models.CharField(_("设备"), max_length=120, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("登录时间"))
    last_seen_at = models.DateTimeField(_("最近同步"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("收回时间"), null=True, blank=True)
    revoked_by = models.CharField(_("收回人"), max_length=150, blank=True)
    # Set when the phone confirmed it wiped its store after the revocation.
    wiped_at = models.DateTimeField(_("确认清除"), null=True, blank=True)
    # Set when the account was locked out (someone was guessing its password): the phone keeps its unsynced work
    # but reaches nothing until the password is given again on it, after the lock ends.
    reauth_since = models.DateTimeField(_("待重新验证"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("离线设备")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label or '设备'}（{self.user}）"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class SyncOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("已接收")


class SyncReceipt(models.Model):
    """The first answer to an accepted record, keyed by (user, client id): written in the same transaction as the
    record itself, so a record is either written with its receipt or not at all."""

    scope_path = "division"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=64)
    kind = models.CharField(_("记录类型"), max_length=32)
    division = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(FieldDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=16, choices=SyncOutcome.choices, default=SyncOutcome.ACCEPTED)
    answer = models.JSONField(default=dict)
    received_at = models.DateTimeField()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("同步回执")
        constraints = [models.UniqueConstraint(fields=["user", "client_id"], name="fieldapp_receipt_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id}"


class ChunkedUpload(models.Model):
    """A photo arriving in pieces: the phone asks for the offset and sends the rest after an interruption."""

    scope_path = "division"
    # Transport state, rewritten with every piece: the photo is audited as part of the record that uses it.
    audit_exempt = True

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=64)
    division = models.ForeignKey("regions.Division", on_delete=models.PROTECT, related_name="+")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    received = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("分片上传")
        constraints = [models.UniqueConstraint(fields=["user", "client_id"], name="fieldapp_upload_once")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.received}/{self.size}"

    @property
    def complete(self) -> bool:
        return self.received == self.size
