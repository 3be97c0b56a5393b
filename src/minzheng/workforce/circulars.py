"""文件精神下达: documents and notices sent down, with a read receipt per recipient division.

使上级民政部门文件精神下达及基层情况和民政数据上传更加便捷、快速 (延平区民政局课题组, 2018)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import in_scope, require_division
from minzheng.regions.models import Division, Level

from .models import Circular, CircularReceipt

ALLOWED_EXT = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ofd", ".wps", ".txt", ".jpg", ".png", ".zip"}


@transaction.atomic
def publish(*, actor: Actor, issuer: Division, title: str, recipients: list[Division], body: str = "",
            doc_number: str = "", attachment: Any = None, link: str = "",
            now: dt.datetime | None = None) -> Circular:
    require_division(actor, issuer, Cap.EDIT_BUSINESS)
    if issuer.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise ValidationError({"issuer": "只有区民政局和乡镇(街道)可以下达文件"})
    if not title.strip():
        raise ValidationError({"title": "请填写标题"})
    recipients = [d for d in recipients if d.pk != issuer.pk and d.path.startswith(issuer.path)]
    if not recipients:
        raise ValidationError({"recipients": "请选择接收单位"})
    if attachment:
        ext = os.path.splitext(attachment.name)[1].lower()
        if ext not in ALLOWED_EXT:
            raise ValidationError({"attachment": f"不支持的附件类型 {ext}"})
        if attachment.size > 30 * 1024 * 1024:
            raise ValidationError({"attachment": "附件不能超过 30MB"})
    c = Circular.objects.create(issuer=issuer, title=title.strip(), body=body, doc_number=doc_number,
                                attachment=attachment or "", link=link, published_at=now or dates.now(),
                                published_by=getattr(actor, "full_name", "") or getattr(actor, "username", ""))
    CircularReceipt.objects.bulk_create([CircularReceipt(circular=c, recipient=d) for d in
                                         {d.pk: d for d in recipients}.values()])
    from minzheng.audit import services as audit

    audit.record("workforce.circular.publish", obj=c, summary=f"下达文件：{c.title}（{len(recipients)} 个单位）",
                 detail={"recipients": [d.code for d in recipients]})
    return c


def mark_read(*, user: Actor, receipt: CircularReceipt, now: dt.datetime | None = None) -> bool:
    """The first opening by someone of the recipient division itself counts; the district looking does not."""
    if receipt.read_at is not None or user.division_id != receipt.recipient_id:
        return False
    if not in_scope(user, receipt.recipient):
        return False
    receipt.read_at = now or dates.now()
    receipt.read_by = user.full_name or user.username
    receipt.save(update_fields=["read_at", "read_by"])
    return True
