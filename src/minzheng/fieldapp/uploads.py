"""Photos sent in pieces, resumable: the phone asks how much arrived and sends the rest; the whole is checked
against the SHA-256 the phone announced before a record may use it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from minzheng.accounts.actor import Actor
from minzheng.core import dates
from minzheng.core.scoping import home_division
from minzheng.policy import services as policy

from .models import ChunkedUpload

CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_client_id(value: object, field: str = "client_id") -> str:
    text = str(value or "")
    if not CLIENT_ID.match(text):
        raise ValidationError({field: "记录编号格式不正确（应为设备生成的编号）"})
    return text


def max_bytes() -> int:
    """The largest photo any phone form takes (each service checks its own limit again)."""
    today = dates.today()
    return 1024 * max(int(policy.value("workforce.needs.photo_max_kb", on=today)),
                      int(policy.value("purchased.photo_max_kb", on=today)))


def _path(up: ChunkedUpload) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "fieldapp" / "uploads" / str(up.user_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{up.client_id}.part"


def find(user: Actor, client_id: str) -> ChunkedUpload | None:
    return ChunkedUpload.objects.filter(user=user, client_id=check_client_id(client_id)).first()


@transaction.atomic
def start(*, user: Actor, client_id: str, size: int, sha256: str) -> ChunkedUpload:
    """Announce a photo (again after an interruption: the answer then says how much already arrived)."""
    client_id = check_client_id(client_id)
    sha256 = str(sha256 or "").lower()
    if not SHA256.match(sha256):
        raise ValidationError({"sha256": "照片校验值格式不正确"})
    limit = max_bytes()
    if not 0 < size <= limit:
        raise ValidationError({"size": f"照片大小应在 1 字节到 {limit // 1024} KB 之间"})
    up, created = ChunkedUpload.objects.select_for_update().get_or_create(
        user=user, client_id=client_id,
        defaults={"size": size, "sha256": sha256, "division": home_division(user), "created_at": dates.now()})
    if not created and (up.size != size or up.sha256 != sha256):
        raise ValidationError({"client_id": "该照片编号已用于另一张照片"})
    if created:
        _path(up).write_bytes(b"")
    return up


@transaction.atomic
def append(*, user: Actor, client_id: str, offset: int, data: bytes) -> ChunkedUpload:
    """Write one piece at `offset`. A piece sent again (the answer was lost) overwrites the same bytes; a piece
    beyond what arrived is refused with the offset to resume from."""
    up = ChunkedUpload.objects.select_for_update().filter(user=user, client_id=check_client_id(client_id)).first()
    if up is None:
        raise ValidationError({"client_id": "请先登记这张照片"})
    if offset < 0 or offset > up.received:
        raise ValidationError({"offset": f"分片位置不连续，请从第 {up.received} 字节续传"})
    if offset + len(data) > up.size:
        raise ValidationError({"offset": "分片超出照片大小"})
    path = _path(up)
    with path.open("r+b" if path.exists() else "w+b") as fh:
        fh.truncate(offset)
        fh.seek(offset)
        fh.write(data)
    up.received = offset + len(data)
    if up.complete and hashlib.sha256(path.read_bytes()).hexdigest() != up.sha256:
        up.received = 0
        path.write_bytes(b"")
        up.save(update_fields=["received"])
        raise ValidationError({"sha256": "照片传输后校验不符，请重新上传"})
    up.save(update_fields=["received"])
    return up


def as_file(user: Actor, client_id: str, field: str) -> SimpleUploadedFile:
    """A complete, verified photo as the services take an upload."""
    up = find(user, client_id)
    if up is None or not up.complete:
        raise ValidationError({field: "照片尚未上传完整，请稍后再同步"})
    data = _path(up).read_bytes()
    return SimpleUploadedFile(f"{client_id}.jpg", data, content_type="application/octet-stream")


def discard(user: Actor, client_ids: list[str]) -> None:
    """Photos a written record now holds (the services keep their own re-encoded copy)."""
    for up in ChunkedUpload.objects.filter(user=user, client_id__in=client_ids):
        path = _path(up)
        transaction.on_commit(lambda p=path: p.unlink(missing_ok=True))  # type: ignore[misc]
        up.delete()


def sweep(*, keep_days: int | None = None) -> int:
    """Photos of people that no record took: uploads left unfinished or unused past the keep period, and piece
    files whose upload row is gone (a crash between the two deletes). Returns how many files were removed."""
    days = settings.MINZHENG_FIELD_UPLOAD_KEEP_DAYS if keep_days is None else keep_days
    cutoff = dates.now() - dt.timedelta(days=days)
    removed = 0
    for up in ChunkedUpload.objects.filter(created_at__lt=cutoff):
        path = _path(up)
        if path.exists():
            path.unlink(missing_ok=True)
            removed += 1
        up.delete()
    root = Path(settings.MEDIA_ROOT) / "fieldapp" / "uploads"
    if root.is_dir():
        live = {(str(u), c) for u, c in ChunkedUpload.objects.values_list("user_id", "client_id")}
        for part in root.glob("*/*.part"):
            if (part.parent.name, part.stem) not in live:
                part.unlink(missing_ok=True)
                removed += 1
    return removed


def sweep_task(run: object, **_: object) -> dict[str, object]:
    removed = sweep()
    return {"summary": f"清理未完成或未被使用的外勤照片 {removed} 个", "removed": removed}
