"""A consistent copy of the database while the server runs, and loading it back: SQLite through its online backup
API, PostgreSQL through pg_dump / pg_restore (custom format) when those client programs are installed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class DumpError(RuntimeError):
    pass


def vendor() -> str:
    return connection.vendor


def dump_file_name() -> str:
    return "database/minzheng.sqlite3" if vendor() == "sqlite" else "database/minzheng.pgdump"


def dump(dest: Path) -> None:
    if vendor() == "sqlite":
        _sqlite_backup(Path(connection.settings_dict["NAME"]), dest)
    elif vendor() == "postgresql":
        _pg("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", f"--file={dest}"])
    else:
        raise DumpError(f"不支持备份 {vendor()} 数据库")


def load(src: Path) -> None:
    """Into the configured database, which the caller has checked is empty."""
    if vendor() == "sqlite":
        target = Path(connection.settings_dict["NAME"])
        connection.close()
        for leftover in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
        _sqlite_backup(src, target)
    else:
        connection.close()
        _pg("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", str(src)])


def _sqlite_backup(src: Path, dest: Path) -> None:
    # The online backup API copies a consistent snapshot of a live database.
    if not src.is_file():
        raise DumpError(f"数据库文件 {src} 不存在")
    source = sqlite3.connect(src)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # one step: a single read snapshot; in WAL mode writers go on meanwhile
        ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    finally:
        target.close()
        source.close()
    if ok != "ok":
        raise DumpError(f"数据库副本完整性检查失败：{ok}")


def _pg(program: str, args: list[str]) -> None:
    exe = shutil.which(program)
    if exe is None:
        raise DumpError(f"未找到 {program}：PostgreSQL 的备份与恢复需要安装 PostgreSQL 客户端程序"
                        f"（Debian/Ubuntu：apt install postgresql-client，版本不低于服务器）/ {program} not found")
    s = connection.settings_dict
    cmd = [exe, f"--dbname={s['NAME']}"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if s.get(key):
            cmd.append(f"{flag}={s[key]}")
    env = {**os.environ, **({"PGPASSWORD": str(s["PASSWORD"])} if s.get("PASSWORD") else {})}
    done = subprocess.run([*cmd, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise DumpError(f"{program} 失败：{done.stderr.strip()[-2000:]}")
