"""Records from a phone, each accepted once: the record and its receipt (user, client id) are written in one
transaction, so a batch sent again — after a lost answer, a killed browser, a second tab — returns the first answer
and writes nothing twice. A refused record writes nothing and comes back with the reason in Chinese; a record whose
server copy changed since the phone's comes back as a conflict for the worker to decide."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from minzheng.accounts.actor import Actor
from minzheng.core import dates
from minzheng.core.forms import errors_by_field
from minzheng.core.scoping import home_division
from minzheng.policy.services import MissingParameter

from . import kinds, uploads
from .models import FieldDevice, SyncReceipt

BATCH_MAX = 50


def _refused(client_id: str, message: str, errors: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    return {"client_id": client_id, "status": "rejected", "message": message, "errors": dict(errors or {})}


def _summary(errors: Mapping[str, list[str]]) -> str:
    return "；".join(m for msgs in errors.values() for m in msgs) or "记录未通过校验"


def apply_one(user: Actor, device: FieldDevice | None, item: Mapping[str, Any]) -> dict[str, Any]:
    client_id = str(item.get("client_id", ""))[:64]
    try:
        client_id = uploads.check_client_id(client_id)
    except ValidationError:
        return _refused(client_id, "记录编号格式不正确")
    first = SyncReceipt.objects.filter(user=user, client_id=client_id).first()
    if first is not None:
        return {**first.answer, "repeat": True}
    kind = kinds.get(str(item.get("kind", "")))
    if kind is None or not kind.allowed(user):
        return _refused(client_id, "您的角色不能提交这类记录")
    data = item.get("data")
    photos = item.get("photos") or {}
    if not isinstance(data, dict) or not isinstance(photos, dict):
        return _refused(client_id, "记录格式不正确")
    photos = {k: str(v) for k, v in photos.items() if k in kind.photo_fields and v}
    sub = kinds.Submission(client_id, data, str(item.get("base_version") or "")[:64], photos)
    try:
        with transaction.atomic():
            done = kind.handle(user, sub)
            answer = {"client_id": client_id, "status": "accepted", "ref": done.ref, "message": done.text,
                      "received_at": dates.local(dates.now()).isoformat(timespec="seconds")}
            SyncReceipt.objects.create(user=user, client_id=client_id, kind=kind.code, division=home_division(user),
                                       device=device, answer=answer, received_at=dates.now())
            uploads.discard(user, list(photos.values()))
    except IntegrityError:
        # Another request with this client id committed first: its answer is the answer.
        first = SyncReceipt.objects.filter(user=user, client_id=client_id).first()
        if first is None:
            raise
        return {**first.answer, "repeat": True}
    except kinds.Conflict as exc:
        return {"client_id": client_id, "status": "conflict", "message": exc.message, "server": exc.server,
                "server_version": exc.version}
    except ValidationError as exc:
        errors = errors_by_field(exc)
        return _refused(client_id, _summary(errors), errors)
    except (PermissionDenied, Http404) as exc:
        return _refused(client_id, str(exc) or "没有权限或记录不在您的辖区内")
    except MissingParameter as exc:
        return _refused(client_id, str(exc))
    return answer


def apply_batch(user: Actor, device: FieldDevice | None, records: list[Any]) -> list[dict[str, Any]]:
    if len(records) > BATCH_MAX:
        raise ValidationError({"records": f"每批最多 {BATCH_MAX} 条记录"})
    out = []
    for item in records:
        if not isinstance(item, dict):
            out.append(_refused("", "记录格式不正确"))
            continue
        out.append(apply_one(user, device, item))
    return out
