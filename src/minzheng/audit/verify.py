"""Verifying the audit chain: `minzheng audit verify`, the audit page's button and the API all call verify().

It walks the entries in order (sequence without gaps, each linked to the previous MAC, each MAC recomputed with the
key), checks the starting point left by a retention purge against the keyed purge entry, and compares the
database with the checkpoints kept outside it, which catches deleted newest entries, a rewound head and a chain
recomputed without the key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from minzheng.core.keyfiles import KeyFileError

from . import anchor, chain
from .models import AuditEntry, AuditHead

_CHUNK = 5000
_LOOKUP = 900  # checkpoints looked up per query: within every SQLite build's limit on query parameters


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0
    anchored_seq: int = 0
    legacy: int = 0  # entries from before the keyed scheme, checked by their plain SHA-256


class _Broken(Exception):
    def __init__(self, seq: int | None, reason: str) -> None:
        self.seq, self.reason = seq, reason


def verify(*, checkpoints: Path | None = None) -> VerifyResult:
    """`checkpoints`: an exported copy to check as well (the auditor's), besides the installation's own file."""
    head = AuditHead.objects.filter(id=1).first()
    if head is None:
        if AuditEntry.objects.exists():
            return VerifyResult(False, 0, None, "审计链头记录缺失（被删除）")
        return VerifyResult(True, 0)
    checked = legacy = 0
    try:
        key = _key_for(head)
        _check_start(head)
        checked, legacy = _walk(head, key)
        n, anchored = _check_against(head, key, anchor.path())
        if checkpoints is not None:
            m, outside = _check_against(head, key, checkpoints)
            n, anchored = n + m, max(anchored, outside)
    except _Broken as exc:
        return VerifyResult(False, checked, exc.seq, exc.reason, legacy=legacy)
    return VerifyResult(True, checked, checkpoints=n, anchored_seq=anchored, legacy=legacy)


def _key_for(head: AuditHead) -> bytes | None:
    try:
        return chain.load_key()
    except KeyFileError as exc:
        if head.keyed_from is not None and head.seq >= head.keyed_from:
            raise _Broken(None, f"{exc}，无法校验带密钥的审计记录（请从密钥备份恢复 audit_key）") from None
        return None


def _check_start(head: AuditHead) -> None:
    """Where the walk begins must be vouched for by a keyed entry: the upgrade boundary and a purge's base."""
    kf = head.keyed_from
    if kf is not None and head.seq > 0 and kf > head.seq:
        raise _Broken(kf, f"链头记录的密钥起点（第 {kf} 条）之后没有升级记录（链头被改动）")
    if head.base_seq:
        purge = (AuditEntry.objects.filter(action="audit.purge", seq__gt=head.base_seq).order_by("-seq")
                 .values_list("seq", "detail").first())
        detail = purge[1] if purge and isinstance(purge[1], dict) else {}
        if detail.get("through_seq") != head.base_seq or detail.get("through_hash", head.base_hash) != head.base_hash:
            raise _Broken(head.base_seq + 1, f"第 {head.base_seq} 条之前的记录不见了，却没有对应的按保留期清理记录")


def _walk(head: AuditHead, key: bytes | None) -> tuple[int, int]:
    expected_prev = head.base_hash if head.base_seq else chain.GENESIS
    expected_seq = head.base_seq + 1
    kf = head.keyed_from
    checked = legacy = 0
    for e in AuditEntry.objects.order_by("seq").iterator(chunk_size=_CHUNK):
        if e.seq != expected_seq:
            raise _Broken(expected_seq, f"缺少第 {expected_seq} 条审计记录（已被删除）")
        if e.prev_hash != expected_prev:
            raise _Broken(e.seq, f"第 {e.seq} 条记录的前序校验码与上一条不符")
        keyed = kf is not None and e.seq >= kf
        if keyed and key is None:
            raise _Broken(e.seq, "审计密钥缺失，无法校验带密钥的审计记录")
        want = chain.mac(e, key) if keyed and key is not None else chain.legacy_hash(e)
        if want != e.hash:
            raise _Broken(e.seq, f"第 {e.seq} 条记录的内容与其校验码不符（被改动或被重新计算）")
        if keyed and e.seq == kf and kf > 1 and not _is_upgrade(e, kf):
            raise _Broken(e.seq, f"第 {e.seq} 条应为审计链升级记录（链头记录的密钥起点被改动）")
        expected_prev, expected_seq = e.hash, e.seq + 1
        checked += 1
        legacy += not keyed
    if head.seq != expected_seq - 1 or head.hash != expected_prev:
        raise _Broken(expected_seq, f"链尾应为第 {head.seq} 条，实际只有到第 {expected_seq - 1} 条")
    return checked, legacy


def _is_upgrade(e: AuditEntry, keyed_from: int) -> bool:
    return (e.action == "audit.chain_upgrade" and isinstance(e.detail, dict)
            and e.detail.get("legacy_through") == keyed_from - 1)


def _check_against(head: AuditHead, key: bytes | None, source: Path) -> tuple[int, int]:
    """Every checkpoint must match the database: same entry MAC at its seq, and no seq beyond the head."""
    has_keyed = head.keyed_from is not None and head.seq >= head.keyed_from
    if not source.exists():
        if has_keyed:
            raise _Broken(None, f"检查点文件 {source} 不存在（无法确认最新记录未被删除）")
        return 0, 0
    if key is None:
        if source.stat().st_size:
            raise _Broken(None, "审计密钥缺失，无法校验检查点文件")
        return 0, 0
    count = anchored = 0
    try:
        for chunk in _chunks(anchor.read(source), _LOOKUP):
            stored = dict(AuditEntry.objects.filter(seq__in=[c.seq for c in chunk]).values_list("seq", "hash"))
            for c in chunk:
                _compare(head, c, stored)
                count += 1
                anchored = max(anchored, c.seq)
    except anchor.BadCheckpoint as exc:
        raise _Broken(None, str(exc)) from None
    return count, anchored


def _compare(head: AuditHead, c: anchor.Checkpoint, stored: dict[int, str]) -> None:
    where = f"检查点文件第 {c.line} 行"
    if c.keyed_from != head.keyed_from:
        raise _Broken(c.keyed_from, f"{where}记录审计链自第 {c.keyed_from} 条起带密钥，数据库却标为"
                                    f"{head.keyed_from or '未升级'}（链头被改动，或整条链被重新计算）")
    if c.seq > head.seq:
        raise _Broken(head.seq + 1, f"{where}已记到第 {c.seq} 条，数据库链尾只到第 {head.seq} 条"
                                    "（最新记录被删除或链尾被回退）")
    if c.seq < head.base_seq:
        return  # purged by retention
    mac = head.base_hash if c.seq == head.base_seq else stored.get(c.seq)
    if mac != c.mac:
        raise _Broken(c.seq, f"第 {c.seq} 条记录与{where}不符（被改动或被重新计算）")


def _chunks(items: Iterator[anchor.Checkpoint], size: int) -> Iterator[list[anchor.Checkpoint]]:
    chunk: list[anchor.Checkpoint] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
