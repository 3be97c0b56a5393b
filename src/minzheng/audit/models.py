"""The append-only, hash-chained audit log (等保 2.0 安全审计)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    # Our own gap-free sequence: database sequences skip numbers on rollback, so gaps there prove nothing.
    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    actor_role = models.CharField(_("角色"), max_length=32, blank=True)
    ip = models.CharField(_("来源地址"), max_length=64, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    division_code = models.CharField(_("区划"), max_length=12, blank=True, db_index=True)
    summary = models.TextField(_("摘要"), blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    detail = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    # HMAC-SHA256 under the audit key (plain SHA-256 for entries older than AuditHead.keyed_from).
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计日志")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计日志不能删除")


class AuditHead(models.Model):
    """The latest seq and MAC (`hash`); its copy outside the database is the checkpoint file (anchor.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # After a retention purge, verification starts from here (the last purged entry).
    base_seq = models.BigIntegerField(default=0)
    base_hash = models.CharField(max_length=64, default="0" * 64)
    # Entries from this seq on carry an HMAC; earlier ones (written before the upgrade) a plain SHA-256.
    # NULL: an installation upgraded from the unkeyed chain that has not yet marked its boundary.
    keyed_from = models.BigIntegerField(null=True, default=1)

    def __str__(self) -> str:
        return f"head #{self.seq}"
