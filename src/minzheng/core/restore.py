"""`minzheng restore FILE`: an archive made by `minzheng backup`, into an EMPTY installation.

Empty means: no tables in the configured database, no uploads, no audit checkpoints (a fresh MINZHENG_HOME and, on
PostgreSQL, a database just made with createdb). Nothing is overwritten, so a restore can never destroy data.
The archive is checked in full before anything is written. Keys: from the archive when it holds them, otherwise
the audit key must already be in MINZHENG_HOME (from the key escrow) with the fingerprint the manifest names,
since without it the restored audit chain cannot be verified or continued.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from minzheng.audit import anchor, chain
from minzheng.audit import services as audit

from . import dbdump, keyfiles, sealed, tempnames
from .backup import CHECKPOINTS, Archive, BackupError, check


@dataclass(frozen=True)
class Restored:
    archive: Archive
    verify: audit.VerifyResult
    notes: list[str]


def restore(path: Path) -> Restored:
    archive = check(path)
    m = archive.manifest
    if m["database"] != dbdump.vendor():
        raise BackupError(f"备份来自 {m['database']} 数据库，当前配置为 {dbdump.vendor()}：请设置相应的 DATABASE_URL")
    _require_empty()
    notes = _check_keys(archive)
    with tempfile.TemporaryDirectory(prefix=tempnames.prefix("restore")) as tmp:
        staged = Path(tmp)
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(staged, filter="data")
        _place_keys(archive, staged)
        db_member = next(n for n in archive.members if n.startswith("database/"))
        dbdump.load(staged / db_member)
        media = staged / "media"
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
        if (staged / CHECKPOINTS).is_file():
            target = anchor.path()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged / CHECKPOINTS, target)
            target.chmod(0o600)
    chain.forget_keys()
    sealed.forget()
    call_command("migrate", interactive=False, verbosity=0)  # a backup from an older version: bring it up to date
    audit.record("system.restore", summary=f"从备份 {path.name} 恢复（备份时间 {m['created_at']}）",
                 detail={"file": str(path), "audit_head": m.get("audit_head"), "keys_included": m["keys_included"]})
    return Restored(archive, audit.verify(), notes)


def _require_empty() -> None:
    problems = []
    if tables := connection.introspection.table_names():
        problems.append(f"数据库已有 {len(tables)} 张表（{connection.settings_dict['NAME']}）")
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        problems.append(f"上传文件目录 {media} 不为空")
    if anchor.path().exists() and anchor.path().stat().st_size:
        problems.append(f"审计检查点文件 {anchor.path()} 不为空")
    if problems:
        raise BackupError("只能恢复到空的安装（新的 MINZHENG_HOME 和空数据库），以免覆盖现有数据：" + "；".join(problems))


def _check_keys(archive: Archive) -> list[str]:
    """The audit key must be the one the backup's chain was made with; the Django secret key is only noted."""
    m = archive.manifest
    want = m["keys"].get("audit_key")
    have = keyfiles.fingerprint(chain.key_path())
    notes = []
    if m["keys_included"]:
        if have is not None and have != want:
            raise BackupError(f"{chain.key_path()} 已存在且与备份的审计密钥不同：请移走它，或换一个空目录恢复")
        notes.append("密钥取自备份")
    elif want is not None and have != want:
        raise BackupError(
            f"备份不含密钥（未使用 --include-keys）。请先把原安装的 audit_key（指纹 {want[:16]}…）放到 "
            f"{chain.key_path()}，再运行恢复；没有它审计日志无法校验和续写。")
    # The field key opens the sealed account and phone numbers (core/sealed.py): without it they are lost.
    want_field = m["keys"].get("field_key")
    have_field = keyfiles.fingerprint(keyfiles.key_files()["field_key"])
    if m["keys_included"] and have_field is not None and have_field != want_field:
        raise BackupError(f"{keyfiles.key_files()['field_key']} 已存在且与备份的字段密钥不同：请移走它，或换一个空目录恢复")
    if not m["keys_included"] and want_field is not None and have_field != want_field:
        raise BackupError(
            f"备份不含密钥（未使用 --include-keys）。请先把原安装的 field_key（指纹 {want_field[:16]}…）放到 "
            f"{keyfiles.key_files()['field_key']}，再运行恢复；没有它银行账号和电话无法解密。")
    secret = m["keys"].get("secret_key")
    if not m["keys_included"] and secret and secret != keyfiles.fingerprint(keyfiles.key_files()["secret_key"]):
        notes.append("本安装的 secret_key 与原安装不同：原有的登录会话失效，须重新登录")
    return notes


def _place_keys(archive: Archive, staged: Path) -> None:
    if not archive.manifest["keys_included"]:
        return
    files = keyfiles.key_files()
    for member in archive.members:
        if member.startswith("keys/") and (name := member.removeprefix("keys/")) in files:
            target = files[name]
            target.parent.mkdir(parents=True, exist_ok=True)
            # secret_key was written by settings at start-up for this empty installation: nothing depends on it yet
            shutil.copyfile(staged / member, target)
            target.chmod(0o600)
