"""`minzheng backup`: one verified archive (tar.gz) of an installation.

Members: the database (SQLite online backup, or a pg_dump custom-format file), the uploads (MEDIA_ROOT), the audit
checkpoint file, and `manifest.json` last, with the SHA-256 of every other member, the audit chain's head and the
fingerprints of the keys. The keys themselves (Django's secret key, the audit key, …) stay out unless
`include_keys`: a backup travels to other media and other hands, and with the audit key in it whoever holds the
archive could forge audit entries (and, with data keys, read protected fields). Keep the keys apart (printed, in a
safe) and the archive names which ones it needs. After writing, the archive is read back and checked member by
member against the manifest.

The checkpoint file is copied before the database, so it never names an entry the database copy lacks.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from minzheng.audit import anchor
from minzheng.audit import services as audit
from minzheng.audit.models import AuditHead

from . import dates, dbdump, keyfiles, tempnames

FORMAT = 1
MANIFEST = "manifest.json"
CHECKPOINTS = "audit/audit_checkpoints.log"


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class Archive:
    path: Path
    manifest: dict[str, Any]

    @property
    def members(self) -> dict[str, dict[str, Any]]:
        return {m["name"]: m for m in self.manifest["members"]}


def default_path() -> Path:
    return Path(settings.HOME) / "backups" / f"minzheng-{dates.local():%Y%m%d-%H%M%S}.tar.gz"


def create(out: Path | None = None, *, include_keys: bool = False) -> Archive:
    out = out or default_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    # First in the chain, so the backup it describes contains it.
    audit.record("system.backup", summary=f"备份到 {out.name}{'（含密钥）' if include_keys else ''}",
                 detail={"file": str(out), "include_keys": include_keys})
    part = out.with_name(out.name + ".part")
    part.touch(mode=0o600)  # the archive holds personal data: owner-only from the first byte
    with tempfile.TemporaryDirectory(prefix=tempnames.prefix("backup")) as tmp:
        staged = Path(tmp)
        checkpoints = staged / "checkpoints"
        if anchor.path().exists():
            shutil.copyfile(anchor.path(), checkpoints)
        db = staged / "database"
        dbdump.dump(db)
        head = AuditHead.objects.filter(id=1).values("seq", "hash", "keyed_from").first()
        files: list[tuple[str, Path]] = [(dbdump.dump_file_name(), db)]
        if checkpoints.exists():
            files.append((CHECKPOINTS, checkpoints))
        files += _media_files()
        key_paths = keyfiles.key_files()
        if include_keys:
            files += [(f"keys/{name}", p) for name, p in key_paths.items() if p.exists()]
        _write(part, files, manifest={
            "format": FORMAT, "created_at": dates.local().isoformat(), "database": dbdump.vendor(),
            "audit_head": head, "keys_included": include_keys,
            "keys": {name: keyfiles.fingerprint(p) for name, p in key_paths.items()},
        })
    archive = check(part)  # read back before it takes the real name
    part.replace(out)
    return Archive(out, archive.manifest)


def _media_files() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return [(f"media/{p.relative_to(root).as_posix()}", p) for p in sorted(root.rglob("*")) if p.is_file()]


def _write(dest: Path, files: list[tuple[str, Path]], *, manifest: dict[str, Any]) -> None:
    entries = []
    with tarfile.open(dest, "w:gz") as tar:
        for name, path in files:
            with path.open("rb") as f:
                info = tar.gettarinfo(fileobj=f, arcname=name)
                info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
                hashing = _HashingReader(f)
                tar.addfile(info, hashing)
            entries.append({"name": name, "size": info.size, "sha256": hashing.hexdigest()})
        manifest = {**manifest, "members": entries}
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(data), 0o600, int(dates.now().timestamp())
        tar.addfile(info, io.BytesIO(data))


class _HashingReader(io.RawIOBase):
    """Hashes exactly the bytes tarfile copies into the archive (a file growing meanwhile cannot disagree)."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f, self._h = f, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self._h.update(data)
        return data

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def check(path: Path) -> Archive:
    """Read the whole archive: every member present in the manifest with its SHA-256, nothing else, no unsafe
    names. BackupError (in Chinese) at the first problem."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            manifest = _manifest(tar)
            expected = {m["name"]: m for m in manifest["members"]}
            seen = set()
            for info, digest in _digests(tar):
                if info.name == MANIFEST:
                    continue
                want = expected.get(info.name)
                if want is None:
                    raise BackupError(f"备份中有清单以外的文件：{info.name}")
                if digest != want["sha256"]:
                    raise BackupError(f"备份已损坏或被改动：{info.name} 的 SHA-256 与清单不符")
                seen.add(info.name)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"无法读取备份文件 {path}：{exc}") from exc
    if missing := sorted(set(expected) - seen):
        raise BackupError(f"备份不完整，缺少：{', '.join(missing[:5])}")
    return Archive(path, manifest)


def _manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        f = tar.extractfile(MANIFEST)
    except KeyError:
        raise BackupError("不是 minzheng 备份：缺少 manifest.json") from None
    if f is None:
        raise BackupError("manifest.json 无效")
    manifest = json.loads(f.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式：{manifest.get('format')}")
    return manifest


def _digests(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, str]]:
    for info in tar:
        if not info.isfile() or info.name.startswith("/") or ".." in Path(info.name).parts:
            raise BackupError(f"备份中有不安全的条目：{info.name}")
        f = tar.extractfile(info)
        if f is None:
            raise BackupError(f"备份中的条目无法读取：{info.name}")
        h = hashlib.sha256()
        while block := f.read(1 << 20):
            h.update(block)
        yield info, h.hexdigest()
