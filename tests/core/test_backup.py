"""`minzheng backup` and `minzheng restore` round-trip a demo installation: data, uploads and the audit chain with its
checkpoints, which `minzheng audit verify` accepts afterwards. Keys stay out of the archive unless asked; a restore
needs an empty installation and the right audit key, and refuses a damaged archive. Real commands, fresh homes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

COUNT = ("from minzheng.registry.models import Person; from minzheng.audit.models import AuditEntry; "
         "print(Person.objects.count(), AuditEntry.objects.filter(action='system.restore').count())")
# Sealed account numbers read back as digits: the field key came along.
ACCOUNTS = ("from minzheng.registry.models import Person; "
            "print(all(a.isdigit() for a in Person.objects.exclude(bank_account='').values_list('bank_account', "
            "flat=True)[:50]))")

Run = Callable[..., subprocess.CompletedProcess[str]]


def runner(database_url: str) -> Callable[[Path], Run]:
    def for_home(home: Path) -> Run:
        def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
            env = {**os.environ, "MINZHENG_HOME": str(home), "DATABASE_URL": database_url}
            env.pop("MINZHENG_AUDIT_CHECKPOINTS", None)
            done = subprocess.run([sys.executable, "-m", "minzheng", *args], env=env, capture_output=True, text=True,
                                  timeout=900)
            if ok:
                assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
            return done

        return run

    return for_home


def round_trip(tmp_path: Path, home_a: Run, home_b: Run, home_c: Run, reset_b: Callable[[], None]) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    # given: a demo installation with an upload
    home_a("demo", "--no-serve", "--scale", "0.002")
    (a / "media" / "workforce").mkdir(parents=True)
    (a / "media" / "workforce" / "照片.jpg").write_bytes(b"\xff\xd8 photo")
    persons = home_a("shell", "--no-imports", "-c", COUNT).stdout.split()[0]
    assert int(persons) > 0
    # when: backed up without keys
    out = tmp_path / "backup.tar.gz"
    done = home_a("backup", "--out", str(out))
    assert "已备份并校验" in done.stdout and "audit_key: sha256" in done.stdout and "field_key: sha256" in done.stdout
    with tarfile.open(out) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert "media/workforce/照片.jpg" in names and "audit/audit_checkpoints.log" in names
    assert not any(n.startswith("keys/") for n in names) and manifest["keys_included"] is False
    assert all(len(m["sha256"]) == 64 for m in manifest["members"])
    assert (out.stat().st_mode & 0o077) == 0
    # then: a restore without the audit key is refused with what to do
    refused = home_b("restore", str(out), ok=False)
    assert refused.returncode != 0 and "audit_key" in refused.stderr and "Traceback" not in refused.stderr
    reset_b()
    # with the key from escrow it restores, and the chain verifies
    b.mkdir(exist_ok=True)
    (b / "audit_key").write_bytes((a / "audit_key").read_bytes())
    # the field key too: without it the sealed account and phone numbers could not be read
    refused = home_b("restore", str(out), ok=False)
    assert refused.returncode != 0 and "field_key" in refused.stderr and "Traceback" not in refused.stderr
    (b / "field_key").write_bytes((a / "field_key").read_bytes())
    done = home_b("restore", str(out))
    assert "审计日志完整" in done.stdout
    assert home_b("audit", "verify").returncode == 0
    assert home_b("shell", "--no-imports", "-c", COUNT).stdout.split() == [persons, "1"]
    assert (b / "media" / "workforce" / "照片.jpg").read_bytes() == b"\xff\xd8 photo"
    assert home_b("shell", "--no-imports", "-c", ACCOUNTS).stdout.split() == ["True"]
    # never over an installation that has data
    again = home_b("restore", str(out), ok=False)
    assert again.returncode != 0 and "只能恢复到空的安装" in again.stderr
    # with --include-keys the archive alone is enough
    with_keys = tmp_path / "with-keys.tar.gz"
    home_a("backup", "--out", str(with_keys), "--include-keys")
    home_c("restore", str(with_keys))
    assert home_c("audit", "verify").returncode == 0
    assert (c / "audit_key").read_bytes() == (a / "audit_key").read_bytes()
    assert (c / "field_key").read_bytes() == (a / "field_key").read_bytes()
    assert home_c("shell", "--no-imports", "-c", ACCOUNTS).stdout.split() == ["True"]
    # a damaged archive is refused before anything is written
    damaged = tmp_path / "damaged.tar.gz"
    _tamper(out, damaged)
    bad = home_a("backup", "--check", str(damaged), ok=False)
    assert bad.returncode != 0 and "SHA-256 与清单不符" in bad.stderr


def _tamper(src: Path, dest: Path) -> None:
    with tarfile.open(src) as tar_in, tarfile.open(dest, "w:gz") as tar_out:
        for info in tar_in:
            data = tar_in.extractfile(info).read()  # type: ignore[union-attr]
            if info.name.startswith("media/"):
                data = data.replace(b"photo", b"PHOTO")
            tar_out.addfile(info, io.BytesIO(data))


@pytest.mark.engine_only
def test_backup_and_restore_round_trip_on_sqlite(tmp_path: Path) -> None:
    home = runner("")
    round_trip(tmp_path, home(tmp_path / "a"), home(tmp_path / "b"), home(tmp_path / "c"),
               reset_b=lambda: (tmp_path / "b" / "minzheng.sqlite3").unlink(missing_ok=True))


@pytest.mark.django_db
def test_backup_and_restore_round_trip_on_postgresql(tmp_path: Path) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    import psycopg

    s = connection.settings_dict
    names = {k: f"{s['NAME']}_bk_{k}" for k in "abc"}
    admin = psycopg.connect(host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
                            dbname="postgres", autocommit=True)

    def recreate(name: str) -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')

    for name in names.values():
        recreate(name)
    try:
        base = f"postgres://{s['USER']}@{s['HOST']}:{s['PORT'] or 5432}"
        homes = {k: runner(f"{base}/{n}")(tmp_path / k) for k, n in names.items()}
        round_trip(tmp_path, homes["a"], homes["b"], homes["c"], reset_b=lambda: recreate(names["b"]))
    finally:
        for name in names.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
