"""Keys kept as files under MINZHENG_HOME, outside the database: created once (0600), read, fingerprinted.

Whoever can write the database cannot read these files, so what they protect (the audit chain's MAC) survives a
database writer. Backups list the keys by fingerprint and leave them out unless asked (core/backup.py).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

KEY_BYTES = 32

# name → where that key lives. Apps with keys of their own add them with register().
_extra: dict[str, Callable[[], Path]] = {}


class KeyFileError(RuntimeError):
    pass


def register(name: str, path: Callable[[], Path]) -> None:
    _extra[name] = path


def key_files() -> dict[str, Path]:
    """Every key file the installation uses (the Django secret key, the audit key, registered ones)."""
    home = Path(settings.HOME)
    files = {"secret_key": home / "secret_key", "audit_key": Path(settings.MINZHENG_AUDIT_KEY_FILE),
             # Seals bank account and phone numbers (core/sealed.py); the .next one only while a rotation runs.
             "field_key": home / "field_key"}
    if (home / "field_key.next").exists():
        files["field_key.next"] = home / "field_key.next"
    files.update({name: path() for name, path in _extra.items()})
    return files


def create(path: Path) -> bool:
    """A new random key at `path`, readable by the owner only. False if it already exists (another process won)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        os.write(fd, (secrets.token_hex(KEY_BYTES) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def read(path: Path) -> bytes:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        raise KeyFileError(f"密钥文件 {path} 不存在") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise KeyFileError(f"密钥文件 {path} 内容无效（应为 {KEY_BYTES * 2} 位十六进制）") from None
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"密钥文件 {path} 长度不对（应为 {KEY_BYTES * 2} 位十六进制）")
    return key


def fingerprint(path: Path) -> str | None:
    """SHA-256 of the file's content: names a key without revealing it. None when the file is absent."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return hashlib.sha256(data.strip()).hexdigest()
