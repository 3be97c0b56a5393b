"""Writing the audit chain, upgrading it to the keyed scheme, and purging by retention.

Each entry stores HMAC-SHA256 (key outside the database, see chain.py) over its own canonical content plus the
previous entry's MAC, so editing, deleting or recomputing any row breaks verification at that row; the head is
anchored outside the database after each commit (anchor.py), so deleting the newest rows is caught too.
Verification: verify.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from minzheng.core import dates

from . import anchor, chain, context
from .chain import GENESIS
from .models import AuditEntry, AuditHead
from .verify import VerifyResult, verify

__all__ = ["GENESIS", "MIN_RETENTION_DAYS", "VerifyResult", "batched", "compute_hash", "record", "upgrade_chain",
           "verify"]

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


def compute_hash(e: AuditEntry) -> str:
    """The MAC a keyed entry must carry."""
    return chain.mac(e, chain.load_key())


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
    fields = {"actor": who.username, "actor_role": who.role, "ip": who.ip, "action": action,
              "object_type": object_type, "object_id": str(object_id)[:64], "division_code": division_code,
              "summary": summary, "before": _jsonable(before), "after": _jsonable(after), "detail": _jsonable(detail)}
    pending = _pending.get()
    if pending is not None:
        pending.append((dates.now(), fields))
        return AuditEntry(at=pending[-1][0], **fields)  # not saved yet: written when the batch ends
    with transaction.atomic():
        head = _locked_head()
        if head.keyed_from is None:
            _begin_keyed_chain(head)
        entry = _append(head, fields)
    anchor.after_commit(entry.seq, entry.hash, head.keyed_from or 1)
    return entry


# Entries recorded inside batched(), in order, with the time each was recorded.
_pending: ContextVar[list[tuple[dt.datetime, dict[str, Any]]] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """A batch of writes in one transaction whose entries are chained together at its end: the chain is locked
    once and the entries inserted together, instead of a lock, an insert and a head update per entry. Each entry
    is the one `record` would have written, with the time it was recorded, in the same order.

    The block is atomic: an error leaving it rolls back the writes and their entries alike. Code inside must not
    catch an error and go on after its writes were rolled back (their entries would stay); a nested batch joins
    the outer one. Entries are not readable before the block ends."""
    if _pending.get() is not None:
        with transaction.atomic():
            yield
        return
    pending: list[tuple[dt.datetime, dict[str, Any]]] = []
    with transaction.atomic():
        token = _pending.set(pending)
        try:
            yield
        finally:
            _pending.reset(token)
        if pending:
            _write_batch(pending)


def _write_batch(pending: list[tuple[dt.datetime, dict[str, Any]]]) -> None:
    with transaction.atomic():
        head = _locked_head()
        if head.keyed_from is None:
            _begin_keyed_chain(head)
        _append_all(head, pending)
    anchor.after_commit(head.seq, head.hash, head.keyed_from or 1)


def _locked_head() -> AuditHead:
    _lock_chain()
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    return head


def _append(head: AuditHead, fields: dict[str, Any]) -> AuditEntry:
    return _append_all(head, [(None, fields)])[0]


def _append_all(head: AuditHead, items: Sequence[tuple[dt.datetime | None, dict[str, Any]]]) -> list[AuditEntry]:
    """Chain entries onto the locked head, in order; an entry without a time is stamped now."""
    # Creating the key is safe only while no keyed entry needs the old one (_begin_keyed_chain set keyed_from).
    key = chain.load_key(create=head.seq < (head.keyed_from or 1))
    entries = []
    for at, fields in items:
        entry = AuditEntry(seq=head.seq + 1, at=at or dates.now(), prev_hash=head.hash, **fields)
        entry.hash = chain.mac(entry, key)
        head.seq, head.hash = entry.seq, entry.hash
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    head.save(update_fields=["seq", "hash", "keyed_from"])
    return entries


def _begin_keyed_chain(head: AuditHead) -> None:
    """Entries from before the keyed scheme keep their SHA-256; the chain goes on keyed from a marked boundary."""
    head.keyed_from = head.seq + 1
    if head.seq == 0:
        return
    who = context.Actor("minzheng-upgrade", "system")
    _append(head, {
        "actor": who.username, "actor_role": who.role, "ip": "", "action": "audit.chain_upgrade",
        "object_type": "", "object_id": "", "division_code": "", "before": None, "after": None,
        "summary": f"审计链升级为带密钥的 HMAC-SHA256：第 1–{head.seq} 条为升级前的 SHA-256 记录，由本条接续",
        "detail": {"legacy_through": head.seq, "legacy_head": head.hash},
    })


def upgrade_chain() -> bool:
    """Mark the boundary now (`minzheng init` calls this) rather than at the next write. True if it did."""
    with transaction.atomic():
        head = _locked_head()
        if head.keyed_from is not None:
            return False
        _begin_keyed_chain(head)
        head.save(update_fields=["keyed_from"])
    if head.seq:
        anchor.after_commit(head.seq, head.hash, head.keyed_from or 1)
    return True


def prepare() -> bool:
    """`minzheng init`: the audit key (created if no keyed entry needs an old one), the checkpoint file, and the
    keyed chain's boundary on an installation upgraded from the unkeyed chain. True if the chain was upgraded."""
    head = AuditHead.objects.filter(id=1).first()
    keyed = head is not None and head.keyed_from is not None and head.seq >= head.keyed_from
    chain.load_key(create=not keyed)  # KeyFileError when keyed entries exist but their key is gone
    anchor.ensure_file()
    return upgrade_chain() and head is not None and head.seq > 0


def _division_code_of(obj: Any) -> str:
    from minzheng.core.scoping import division_of

    try:
        div = division_of(obj)
    except Exception:  # an object without a division (settings, users of admin roles)
        return ""
    return div.code if div is not None else ""


class RetentionError(ValueError):
    pass


@transaction.atomic
def purge_before(cutoff: dt.datetime) -> int:
    """Delete entries older than `cutoff`, keeping the chain verifiable from the last purged entry."""
    if cutoff > dates.now() - dt.timedelta(days=MIN_RETENTION_DAYS):
        raise RetentionError(f"审计日志至少保留 {MIN_RETENTION_DAYS} 天，不能清理 {cutoff:%Y-%m-%d} 之后的记录")
    head = _locked_head()
    last = AuditEntry.objects.filter(at__lt=cutoff).order_by("-seq").first()
    if last is None:
        return 0
    n = AuditEntry.objects.filter(seq__lte=last.seq).count()
    # QuerySet.delete bypasses Model.delete: retention is the only sanctioned removal.
    AuditEntry.objects.filter(seq__lte=last.seq)._raw_delete(AuditEntry.objects.db)
    head.base_seq, head.base_hash = last.seq, last.hash
    head.save(update_fields=["base_seq", "base_hash"])
    # The keyed purge entry vouches for the new starting point: verify checks the base against it.
    record("audit.purge", summary=f"按保留期清理 {n} 条审计记录（{cutoff:%Y-%m-%d} 之前）",
           detail={"through_seq": last.seq, "through_hash": last.hash})
    return n


def record_output(kind: str, *, what: str, count: int = 0, division_code: str = "", detail: Any = None) -> AuditEntry:
    """Every export (导出) and print (打印) is audited: kind is "export" or "print"."""
    return record(f"{kind}.{what}", summary=f"{'导出' if kind == 'export' else '打印'} {what}（{count} 条）",
                  division_code=division_code, detail=detail)
