"""Writing and verifying the audit chain.

Each entry stores SHA-256 over its own canonical content plus the previous entry's hash, so editing or deleting
any row in the database breaks verification at that row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from minzheng.core import dates

from . import context
from .models import AuditEntry, AuditHead

GENESIS = "0" * 64
# 网络安全法 第二十一条: logs kept at least six months. Nothing younger is ever purged.
MIN_RETENTION_DAYS = 180


def _jsonable(value: Any) -> Any:
    """Normalise to plain JSON so the stored value reads back identically on SQLite and PostgreSQL."""

    def default(o: Any) -> Any:
        if isinstance(o, Decimal | dt.date | dt.datetime | dt.time):
            return str(o)
        if isinstance(o, set | frozenset | tuple):
            return sorted(o, key=str)
        return str(o)

    if value is None:
        return None
    return json.loads(json.dumps(value, default=default, ensure_ascii=False))


def _content(e: AuditEntry) -> str:
    at = e.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = [
        e.seq, at, e.actor, e.actor_role, e.ip, e.action, e.object_type, e.object_id,
        e.division_code, e.summary, e.before, e.after, e.detail, e.prev_hash,
    ]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def compute_hash(e: AuditEntry) -> str:
    return hashlib.sha256(_content(e).encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(7410521)")
    # SQLite: transactions are IMMEDIATE (settings), so the write lock is already ours.


def record(
    action: str,
    *,
    summary: str = "",
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    division_code: str = "",
    before: Any = None,
    after: Any = None,
    detail: Any = None,
    actor: context.Actor | None = None,
) -> AuditEntry:
    """Append one entry. Call inside the business transaction so both commit or neither does."""
    who = actor or context.current()
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or str(obj.pk)
        division_code = division_code or _division_code_of(obj)
    with transaction.atomic():
        _lock_chain()
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        now = dates.now()
        entry = AuditEntry(
            seq=head.seq + 1,
            at=now,
            actor=who.username,
            actor_role=who.role,
            ip=who.ip,
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:64],
            division_code=division_code,
            summary=summary,
            before=_jsonable(before),
            after=_jsonable(after),
            detail=_jsonable(detail),
            prev_hash=head.hash,
        )
        entry.hash = compute_hash(entry)
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def _division_code_of(obj: Any) -> str:
    from minzheng.core.scoping import division_of

    try:
        div = division_of(obj)
    except Exception:  # an object without a division (settings, users of admin roles)
        return ""
    return div.code if div is not None else ""


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify() -> VerifyResult:
    """Walk the chain in order; report the first entry whose hash, link or sequence is wrong."""
    head = AuditHead.objects.filter(id=1).first()
    expected_prev = head.base_hash if head else GENESIS
    expected_seq = (head.base_seq if head else 0) + 1
    checked = 0
    for e in _iter_entries():
        if e.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"缺少第 {expected_seq} 条审计记录（已被删除）")
        if e.prev_hash != expected_prev:
            return VerifyResult(False, checked, e.seq, f"第 {e.seq} 条记录的前序哈希与上一条不符")
        if compute_hash(e) != e.hash:
            return VerifyResult(False, checked, e.seq, f"第 {e.seq} 条记录的内容与其哈希不符（已被改动）")
        expected_prev, expected_seq = e.hash, e.seq + 1
        checked += 1
    if head is not None and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        return VerifyResult(False, checked, expected_seq, f"链尾应为第 {head.seq} 条，实际只有到第 {expected_seq - 1} 条")
    return VerifyResult(True, checked)


def _iter_entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=5000)


class RetentionError(ValueError):
    pass


@transaction.atomic
def purge_before(cutoff: dt.datetime) -> int:
    """Delete entries older than `cutoff`, keeping the chain verifiable from the last purged entry."""
    if cutoff > dates.now() - dt.timedelta(days=MIN_RETENTION_DAYS):
        raise RetentionError(f"审计日志至少保留 {MIN_RETENTION_DAYS} 天，不能清理 {cutoff:%Y-%m-%d} 之后的记录")
    _lock_chain()
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    last = AuditEntry.objects.filter(at__lt=cutoff).order_by("-seq").first()
    if last is None:
        return 0
    n = AuditEntry.objects.filter(seq__lte=last.seq).count()
    # QuerySet.delete bypasses Model.delete: retention is the only sanctioned removal.
    AuditEntry.objects.filter(seq__lte=last.seq)._raw_delete(AuditEntry.objects.db)
    head.base_seq, head.base_hash = last.seq, last.hash
    head.save(update_fields=["base_seq", "base_hash"])
    record("audit.purge", summary=f"按保留期清理 {n} 条审计记录（{cutoff:%Y-%m-%d} 之前）", detail={"through_seq": last.seq})
    return n


def record_output(kind: str, *, what: str, count: int = 0, division_code: str = "", detail: Any = None) -> AuditEntry:
    """Every export (导出) and print (打印) is audited: kind is "export" or "print"."""
    return record(f"{kind}.{what}", summary=f"{'导出' if kind == 'export' else '打印'} {what}（{count} 条）",
                  division_code=division_code, detail=detail)
