"""The chain's head kept outside the database: an append-only file of signed checkpoints.

When a transaction that wrote audit entries commits, the seq and MAC of its last entry are appended to
MINZHENG_AUDIT_CHECKPOINTS (default MINZHENG_HOME/audit_checkpoints.log) as one JSON line signed with a key derived
from the audit key. Someone who can write the database but not this file can then neither delete the newest entries
nor rewind the head nor recompute the chain without `minzheng audit verify` noticing.

Cost: entries of one transaction share one line (a bulk import's summary entry is one line), and lines are fsynced
at most once per MINZHENG_AUDIT_FSYNC_SECONDS, so no bulk path fsyncs per row. A transaction that rolls back
writes nothing (the line is written by an on-commit hook).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from minzheng.core import dates

from . import chain

try:
    import fcntl
except ImportError:  # not on Windows: appends of one short line are atomic there too (O_APPEND)
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_FIELDS = ("seq", "mac", "keyed_from", "at")
_fsync_lock = threading.Lock()
_last_fsync = 0.0


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    mac: str
    keyed_from: int
    at: str
    line: int


class BadCheckpoint(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        super().__init__(f"检查点文件第 {line} 行{reason}")


def path() -> Path:
    return Path(settings.MINZHENG_AUDIT_CHECKPOINTS)


def _signature(key: bytes, seq: int, mac: str, keyed_from: int, at: str) -> str:
    msg = f"{seq}|{mac}|{keyed_from}|{at}".encode()
    return hmac.new(chain.checkpoint_key(key), msg, hashlib.sha256).hexdigest()


def ensure_file() -> Path:
    """The checkpoint file, created empty (owner-only) if it does not exist yet."""
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
    return p


def append(seq: int, mac: str, keyed_from: int) -> None:
    key = chain.load_key()
    at = dates.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    line = {"seq": seq, "mac": mac, "keyed_from": keyed_from, "at": at,
            "sig": _signature(key, seq, mac, keyed_from, at)}
    data = (json.dumps(line, separators=(",", ":")) + "\n").encode()
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data  # a line torn by a crash stays on its own line
        os.write(fd, data)
        _maybe_fsync(fd)
    finally:
        os.close(fd)  # releases the lock


def _maybe_fsync(fd: int) -> None:
    global _last_fsync
    with _fsync_lock:
        now = time.monotonic()
        if now - _last_fsync < settings.MINZHENG_AUDIT_FSYNC_SECONDS:
            return
        _last_fsync = now
    os.fsync(fd)


def read(source: Path | None = None) -> Iterator[Checkpoint]:
    """Every checkpoint in the file, signatures checked; BadCheckpoint at the first line that is not genuine.
    A last line without its newline (torn by a crash while being written) is skipped."""
    p = source or path()
    key = chain.load_key()
    with p.open("rb") as f:
        for n, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                d = json.loads(raw)
                cp = Checkpoint(int(d["seq"]), str(d["mac"]), int(d["keyed_from"]), str(d["at"]), n)
                sig = str(d["sig"])
            except (ValueError, KeyError, TypeError):
                if not raw.endswith(b"\n"):
                    return
                raise BadCheckpoint(n, "格式无效") from None
            if not hmac.compare_digest(sig, _signature(key, cp.seq, cp.mac, cp.keyed_from, cp.at)):
                raise BadCheckpoint(n, "签名无效（被改动，或不是用本安装的审计密钥签发的）")
            yield cp


class _Anchor:
    """The on-commit hook of one transaction's audit entries; later entries of the same transaction update it."""

    def __init__(self, seq: int, mac: str, keyed_from: int) -> None:
        self.seq, self.mac, self.keyed_from = seq, mac, keyed_from
        self.done = False

    def __call__(self) -> None:
        self.done = True
        append(self.seq, self.mac, self.keyed_from)


def after_commit(seq: int, mac: str, keyed_from: int) -> None:
    """Anchor this entry once its transaction commits. Call outside the entry's own savepoint."""
    conn = transaction.get_connection()
    if conn.in_atomic_block:
        # A hook registered under exactly the same savepoints is discarded by exactly the same rollbacks, so
        # it may carry this later entry instead: one line per transaction, however many entries it wrote.
        sids = set(conn.savepoint_ids)
        for hook_sids, func, _robust in reversed(conn.run_on_commit):
            if isinstance(func, _Anchor):
                if hook_sids == sids and not func.done:
                    func.seq, func.mac, func.keyed_from = seq, mac, keyed_from
                    return
                break
    # robust: the data is committed by now; a full disk must not turn that into an error page.
    transaction.on_commit(_Anchor(seq, mac, keyed_from), robust=True)
