"""Bank account and phone numbers sealed at rest (AES-256-GCM, `cryptography`), with what search still needs.

A sealed value reads `e1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`; the empty value stays empty, so "has no
account" is still a plain SQL test. The key is a file under MINZHENG_HOME (`field_key`, 0600, core/keyfiles), from
which HKDF derives one key for encryption and one for the blind index. Next to each sealed column the models keep
what search and the payroll engine need without the plaintext (core/sealed_fields.py):

- a blind index: HMAC-SHA256 of the number's digits under the index key, for equality (find a phone, a
  duplicate account across payees) — useless to whoever has the database but not the key;
- the last four digits, which every masked display already shows;
- for bank accounts, the shape: leading digits (at most six, the card's issuer), length and whether the Luhn check
  digit holds, so the pre-flight checks account schemes in SQL.

Rotation (`minzheng keys rotate`, core/sealing.py) writes a new key to `field_key.next`, re-seals every row under it
and then makes it current; the old key moves to `field_keys_retired/` so older backups stay readable. While a
rotation is under way values are written under the new key and searches try both keys' indexes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from . import keyfiles

PREFIX = "e1:"
# Not bound to the column: the payroll engine copies a payee's sealed account onto a payroll line in SQL.
AAD = b"minzheng sealed field v1"
NONCE_BYTES = 12
INDEX_BYTES = 12   # 96 bits: no two numbers of a province collide; short index keys
PREFIX_DIGITS = 6
# How often a long-running process looks at the key files again (a rotation run from the CLI).
RECHECK_SECONDS = 1.0


class SealError(RuntimeError):
    pass


def key_path() -> Path:
    return Path(settings.HOME) / "field_key"


def next_path() -> Path:
    return Path(settings.HOME) / "field_key.next"


def retired_dir() -> Path:
    return Path(settings.HOME) / "field_keys_retired"


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


@dataclass(frozen=True)
class Key:
    kid: str
    aead: AESGCM = field(repr=False)
    index_key: bytes = field(repr=False)
    # HMAC-SHA256 with the key already absorbed: each index copies it (half the work of a fresh HMAC).
    _mac: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_mac", hmac.new(self.index_key, digestmod=hashlib.sha256))

    @classmethod
    def from_file(cls, path: Path) -> Key:
        master = keyfiles.read(path)
        kid = hashlib.sha256(master.hex().encode()).hexdigest()[:8]
        return cls(kid, AESGCM(_derive(master, b"minzheng field encryption")),
                   _derive(master, b"minzheng field blind index"))

    def index(self, normal: str) -> str:
        m = self._mac.copy()
        m.update(normal.encode())
        return m.digest()[:INDEX_BYTES].hex()


@dataclass(frozen=True)
class Keyring:
    current: Key | None
    next: Key | None
    by_kid: dict[str, Key]

    @property
    def write(self) -> Key | None:
        return self.next or self.current

    @property
    def rotating(self) -> bool:
        return self.next is not None


_lock = threading.Lock()
_ring: Keyring | None = None
_ring_checked = 0.0
_ring_stamp: tuple[object, ...] = ()


def _stamp() -> tuple[object, ...]:
    out: list[object] = [str(Path(settings.HOME))]
    for p in (key_path(), next_path()):
        try:
            st = p.stat()
            out.append((st.st_ino, st.st_mtime_ns))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


def _load() -> Keyring:
    by_kid: dict[str, Key] = {}
    retired = retired_dir()
    if retired.is_dir():
        for p in sorted(retired.glob("*.key")):
            old = Key.from_file(p)
            by_kid[old.kid] = old
    current = Key.from_file(key_path()) if key_path().exists() else None
    nxt = Key.from_file(next_path()) if next_path().exists() else None
    for k in (current, nxt):
        if k is not None:
            by_kid[k.kid] = k
    return Keyring(current, nxt, by_kid)


def keyring(*, refresh: bool = False) -> Keyring:
    """The keys as the files in MINZHENG_HOME say, looked at again at most once a second."""
    global _ring, _ring_checked, _ring_stamp
    now = time.monotonic()
    ring = _ring
    if ring is not None and not refresh and now - _ring_checked < RECHECK_SECONDS:
        return ring
    with _lock:
        stamp = _stamp()
        if _ring is None or refresh or stamp != _ring_stamp:
            _ring, _ring_stamp = _load(), stamp
        _ring_checked = now
        return _ring


def forget() -> None:
    """Drop the cached keys (tests that switch MINZHENG_HOME, a restore)."""
    global _ring, _ring_stamp
    with _lock:
        _ring, _ring_stamp = None, ()


def ensure_key() -> Keyring:
    """The keyring, creating the first key if the installation has none yet."""
    ring = keyring()
    if ring.write is None:
        keyfiles.create(key_path())
        ring = keyring(refresh=True)
    return ring


def _write_key() -> Key:
    key = ensure_key().write
    assert key is not None
    return key


# --- values ----------------------------------------------------------------------------------------------------


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def kid_of(value: str) -> str:
    return value[len(PREFIX):len(PREFIX) + 8] if is_sealed(value) else ""


def seal(plain: str, key: Key | None = None) -> str:
    """The sealed form of `plain` ('' stays ''; an already sealed value is returned as it is)."""
    if not plain or plain.startswith(PREFIX):
        return plain
    k = key or _write_key()
    nonce = os.urandom(NONCE_BYTES)
    body = base64.urlsafe_b64encode(nonce + k.aead.encrypt(nonce, plain.encode(), AAD)).rstrip(b"=").decode()
    return f"{PREFIX}{k.kid}:{body}"


def unseal(value: str) -> str:
    """The plaintext of a sealed value. A value never sealed (before the upgrade sealed it) is returned as is."""
    if not value or not value.startswith(PREFIX):
        return value
    kid = value[len(PREFIX):len(PREFIX) + 8]
    key = keyring().by_kid.get(kid) or keyring(refresh=True).by_kid.get(kid)
    if key is None:
        raise SealError(f"字段密钥 {kid} 不在 {Path(settings.HOME)} 中：请从密钥备份恢复 field_key"
                        "（或 field_keys_retired/ 下的旧密钥）")
    body = value[len(PREFIX) + 9:]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        return key.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], AAD).decode()
    except InvalidTag:
        raise SealError(f"加密字段校验失败（密钥 {kid}）：数据库中的密文被改动过") from None


def digits(plain: str) -> str:
    if plain.isascii() and plain.isdigit():
        return plain   # the usual case: the ledger import writes these by the hundred thousand
    return "".join(ch for ch in plain if "0" <= ch <= "9")


def _normal(plain: str) -> str:
    # 0599-8812345 and 05998812345 are the same number; a value without digits is indexed as written.
    return digits(plain) or plain.strip()


def blind_index(plain: str, key: Key | None = None) -> str:
    if not plain:
        return ""
    return (key or _write_key()).index(_normal(plain))


def index_candidates(plain: str) -> list[str]:
    """The blind index of `plain` under every key rows may be indexed with (two while a rotation runs)."""
    if not plain:
        return []
    ring = ensure_key()
    return [k.index(_normal(plain)) for k in (ring.current, ring.next) if k is not None]


def last4(plain: str) -> str:
    return digits(plain)[-4:]


def account_shape(plain: str) -> str:
    """Leading digits (≤ 6, never reaching the last eight), length and Luhn check of an account: what the payroll
    pre-flight needs to check account schemes in SQL (payments/accounts.sql_valid_shape). 'x': not all digits."""
    if not plain:
        return ""
    if not plain.isascii() or not plain.isdigit() or len(plain) > 99:
        return "x"
    lead = plain[:min(PREFIX_DIGITS, max(0, len(plain) - 8))]
    return f"{lead:_<{PREFIX_DIGITS}}{len(plain):02d}{int(_luhn_ok(plain))}"


# Digit byte → the Luhn value of that digit doubled (2d, minus 9 from 10 on).
_DOUBLED = bytes((2 * (c - 48) - (9 if c >= 53 else 0)) if 48 <= c <= 57 else 0 for c in range(256))


def _luhn_ok(number: str) -> bool:
    """The Luhn check (payments.accounts.luhn_ok), in C loops: the ledger import shapes every account."""
    b = number.encode()
    kept, doubled = b[-1::-2], b[-2::-2]
    return (sum(kept) - 48 * len(kept) + sum(doubled.translate(_DOUBLED))) % 10 == 0


DERIVE: dict[str, Callable[[str], str]] = {"index": blind_index, "last4": last4, "shape": account_shape}


# --- rotation files --------------------------------------------------------------------------------------------


def start_rotation() -> tuple[Key | None, Key]:
    """(old, new): make `field_key.next` unless a rotation already under way left one."""
    ensure_key()
    keyfiles.create(next_path())
    ring = keyring(refresh=True)
    assert ring.next is not None
    return ring.current, ring.next


def finish_rotation() -> Key:
    """The new key becomes current; the old one is kept under field_keys_retired/ (older backups need it)."""
    ring = keyring(refresh=True)
    if ring.next is None:
        raise SealError("没有进行中的密钥轮换")
    if ring.current is not None:
        retired = retired_dir()
        retired.mkdir(mode=0o700, exist_ok=True)
        target = retired / f"{ring.current.kid}.key"
        if not target.exists():
            shutil.copyfile(key_path(), target)
            target.chmod(0o600)
    os.replace(next_path(), key_path())   # atomic: a crash leaves either the rotation or its end
    return keyring(refresh=True).current or ring.next


# --- for code that writes rows with raw SQL (the ledger import, the demo) ----------------------------------------

PHONE = ("index", "last4")          # the derived columns of a phone, in the models' order
ACCOUNT = ("index", "last4", "shape")


def columns(plain: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The sealed value followed by its derived columns, for one plaintext value."""
    if not plain:
        return ("",) * (1 + len(kinds))
    key = _write_key()
    normal = _normal(plain)
    out = [seal(plain, key)]
    for k in kinds:
        if k == "index":
            out.append(key.index(normal))
        elif k == "last4":
            out.append(normal[-4:] if normal.isdigit() else last4(plain))
        else:
            out.append(account_shape(plain))
    return tuple(out)
