"""What each audit entry's MAC covers, and the key it is made with.

From `AuditHead.keyed_from` on, an entry's `hash` is HMAC-SHA256 under the audit key (MINZHENG_HOME/audit_key,
never in the database) over its canonical content, which includes the previous entry's `hash`. Entries written
before the upgrade keep their plain SHA-256; the first keyed entry covers the last plain hash, so they stay chained.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from minzheng.core import keyfiles

GENESIS = "0" * 64

_keys: dict[Path, bytes] = {}
_keys_lock = threading.Lock()


def content(e: Any) -> str:
    at = e.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = [
        e.seq, at, e.actor, e.actor_role, e.ip, e.action, e.object_type, e.object_id,
        e.division_code, e.summary, e.before, e.after, e.detail, e.prev_hash,
    ]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def legacy_hash(e: Any) -> str:
    """The unkeyed SHA-256 of entries written before the chain was keyed."""
    return hashlib.sha256(content(e).encode("utf-8")).hexdigest()


def mac(e: Any, key: bytes) -> str:
    return hmac.new(key, content(e).encode("utf-8"), hashlib.sha256).hexdigest()


def key_path() -> Path:
    return Path(settings.MINZHENG_AUDIT_KEY_FILE)


def load_key(*, create: bool = False) -> bytes:
    """The audit key. `create`: make it first if absent (a new chain, or an upgrade that has not begun)."""
    path = key_path()
    with _keys_lock:
        if (key := _keys.get(path)) is not None:
            return key
        if create and not path.exists():
            keyfiles.create(path)
        key = keyfiles.read(path)
        _keys[path] = key
        return key


def forget_keys() -> None:
    """Drop cached keys (after a restore replaced the file, or in tests)."""
    with _keys_lock:
        _keys.clear()


def checkpoint_key(key: bytes) -> bytes:
    # A key of its own for signing checkpoint lines, derived so one file still holds everything.
    return hmac.new(key, b"minzheng audit checkpoint", hashlib.sha256).digest()
