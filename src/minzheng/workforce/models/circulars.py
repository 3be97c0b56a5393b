"""文件精神下达: documents sent down, and a read receipt per recipient."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minzheng.core.scoping import ScopedManager


class Circular(models.Model):
    """A document or notice sent down by the district (to townships and villages) or a township (to its villages)."""

    scope_path = "issuer"

    issuer = models.ForeignKey("regions.Division", verbose_name=_("发文单位"), on_delete=models.PROTECT,
                               related_name="+")
    doc_number = models.CharField(_("文号"), max_length=64, blank=True)
    title = models.CharField(_("标题"), max_length=160)
    body = models.TextField(_("正文/要点"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="workforce/circulars/%Y/", blank=True)
    link = models.URLField(_("链接"), blank=True)
    published_at = models.DateTimeField(_("下达时间"))
    published_by = models.CharField(_("下达人"), max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("下达文件")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return self.title


class CircularReceipt(models.Model):
    """阅知回执: one per recipient division; read_at stays empty until someone there opens it."""

    scope_path = "recipient"

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="receipts")
    recipient = models.ForeignKey("regions.Division", verbose_name=_("接收单位"), on_delete=models.PROTECT,
                                  related_name="+")
    read_at = models.DateTimeField(_("阅知时间"), null=True, blank=True)
    read_by = models.CharField(_("阅知人"), max_length=150, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("文件阅知回执")
        ordering = ["recipient__code"]
        constraints = [models.UniqueConstraint(fields=["circular", "recipient"], name="workforce_receipt_once")]

    def __str__(self) -> str:
        return f"{self.circular_id}→{self.recipient_id}"
