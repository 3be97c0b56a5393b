"""外勤App API: sign-in of a phone, its offline copy of the assigned work, records in batches (each accepted once)
and photos in resumable pieces.

A phone authenticates with its own key (`Authorization: Bearer mzf_…`, given at sign-in; the session cookie dies
with the browser, the key does not). A revoked key answers 410 and the phone wipes what it holds. A plain API token
or the browser session work too (no device then)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import Field

from minzheng.accounts.actor import AuthedRequest
from minzheng.audit import context as audit_context
from minzheng.core.api_errors import ErrorOut

from . import devices, sync, uploads, work
from .models import FieldDevice

REVOKED = "此设备的离线权限已被收回或账号已停用，设备上的数据已清除"
REAUTH = "账号因连续登录失败被锁定过，本机数据仍保留；请在锁定结束后在本机重新输入密码"


class DeviceAuth(HttpBearer):
    """A phone's key; any other bearer token is judged as the rest of the API judges it."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from minzheng.accounts.services import user_for_token

        device: FieldDevice | None = None
        user: Any
        if token.startswith("mzf_"):
            device = devices.for_key(token)
            if device is None:
                return None
            if device.revoked or not devices.may_use(device.user):
                devices.confirm_wiped(device)
                raise HttpError(410, REVOKED)
            if device.reauth_since is not None and not request.path.endswith(("/unlock", "/logout")):
                raise HttpError(423, REAUTH)  # 423 Locked: the phone shows its lock screen, keeps its outbox
            user = device.user
        else:
            user = user_for_token(token)
            if user is None:
                return None
        request.user = user
        request.field_device = device  # type: ignore[attr-defined]
        audit_context.set_actor(audit_context.Actor(user.username, user.role, str(request.META.get("REMOTE_ADDR", ""))))
        return user


class FieldSession(APIKeyCookie):
    """The browser session (CSRF enforced on writes), as in minzheng.api."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return user if user.is_authenticated else None


router = Router(tags=["外勤App"], auth=[DeviceAuth(), FieldSession()])


def _device(request: HttpRequest) -> FieldDevice | None:
    return getattr(request, "field_device", None)


def _field_user(request: AuthedRequest) -> Any:
    """Only the phone-first roles, confirmed (an account whose role waits for the 安全管理员 reaches nothing)."""
    if not devices.may_use(request.user):
        raise PermissionDenied(devices.ROLES_ONLY)
    return request.user


class FieldSignIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=200)
    label: str = Field("", max_length=120, description="设备说明（如“张三的手机”）")


class SignedIn(Schema):
    key: str
    device_id: int


@router.post("/login", auth=None, response={200: SignedIn, 403: ErrorOut})
def login(request: HttpRequest, body: FieldSignIn) -> SignedIn:
    """A phone signs in: the password is checked as on the login page; the phone gets its own key."""
    device, key = devices.sign_in(request=request, username=body.username, password=body.password, label=body.label)
    return SignedIn(key=key, device_id=device.pk)


class Password(Schema):
    password: str = Field(max_length=200)


class Ok(Schema):
    ok: bool


@router.post("/unlock", response={200: Ok, 410: ErrorOut})
def unlock(request: AuthedRequest, body: Password) -> Ok:
    """The idle lock asks for the password again; online it is checked here (with the sign-in's lockout)."""
    device = _device(request)
    if device is None:
        raise PermissionDenied("仅供已登录的外勤App设备使用")
    if not devices.reauthenticate(device=device, password=body.password, request=request):
        raise PermissionDenied("密码不正确")
    return Ok(ok=True)


@router.post("/logout", response={200: Ok, 410: ErrorOut})
def logout(request: AuthedRequest) -> Ok:
    """The worker signs out on the phone: its key stops working (the phone wipes its copy itself)."""
    device = _device(request)
    if device is not None:
        devices.sign_out(device)
    return Ok(ok=True)


@router.get("/work", response={200: dict[str, Any], 410: ErrorOut, 423: ErrorOut})
def assigned_work(request: AuthedRequest) -> dict[str, Any]:
    """The phone's offline copy: the worker's assigned work, masked for their role, and the rules its forms check."""
    device = _device(request)
    if device is not None:
        devices.touch(device)
    return work.snapshot(_field_user(request))


class Batch(Schema):
    records: list[dict[str, Any]] = Field(max_length=sync.BATCH_MAX)


class BatchOut(Schema):
    results: list[dict[str, Any]]


@router.post("/sync", response={200: BatchOut, 410: ErrorOut, 423: ErrorOut})
def sync_batch(request: AuthedRequest, body: Batch) -> BatchOut:
    """Records captured offline. Each: {client_id, kind, data, base_version?, photos?: {field: photo client id}}.
    Each answer: accepted (with the reference; `repeat` when sent before), rejected (reason in Chinese, nothing
    written) or conflict (the server copy changed since the phone's; nothing written)."""
    results = sync.apply_batch(_field_user(request), _device(request), body.records)
    device = _device(request)
    if device is not None:
        devices.touch(device)
    return BatchOut(results=results)


class UploadIn(Schema):
    client_id: str = Field(max_length=64)
    size: int = Field(ge=1, le=2**31 - 1)
    sha256: str = Field(max_length=64)
    record: str = Field("", max_length=64, description="使用这张照片的记录编号：记录已接收时无需再传")


class UploadOut(Schema):
    client_id: str
    size: int
    received: int
    complete: bool
    not_needed: bool = False


def _upload_out(up: Any) -> UploadOut:
    return UploadOut(client_id=up.client_id, size=up.size, received=up.received, complete=up.complete)


@router.post("/uploads", response={200: UploadOut, 410: ErrorOut, 423: ErrorOut})
def upload_start(request: AuthedRequest, body: UploadIn) -> UploadOut:
    """Announce a photo (again after an interruption: `received` says where to resume)."""
    from .models import SyncReceipt

    _field_user(request)
    if body.record and SyncReceipt.objects.filter(user=request.user, client_id=body.record).exists():
        return UploadOut(client_id=body.client_id, size=body.size, received=body.size, complete=True, not_needed=True)
    return _upload_out(uploads.start(user=request.user, client_id=body.client_id, size=body.size, sha256=body.sha256))


def _mine(request: AuthedRequest, upload_key: str) -> Any:
    from django.http import Http404

    _field_user(request)
    try:
        up = uploads.find(request.user, upload_key)
    except ValidationError as exc:
        raise Http404("记录不存在或不在您的辖区内") from exc
    if up is None:
        raise Http404("记录不存在或不在您的辖区内")
    return up


@router.get("/uploads/{upload_key}", response={200: UploadOut, 410: ErrorOut, 423: ErrorOut})
def upload_status(request: AuthedRequest, upload_key: str) -> UploadOut:
    return _upload_out(_mine(request, upload_key))


class ChunkAt(Schema):
    # Defaults to 0 so a request for someone else's upload is a 404 before anything about its query is judged.
    offset: int = Field(0, ge=0, le=2**31 - 1)


@router.post("/uploads/{upload_key}/chunk", response={200: UploadOut, 410: ErrorOut, 423: ErrorOut})
def upload_chunk(request: AuthedRequest, upload_key: str, at: Query[ChunkAt]) -> UploadOut:
    """One piece of the photo, the raw bytes as the body, starting at `offset`."""
    _mine(request, upload_key)
    return _upload_out(uploads.append(user=request.user, client_id=upload_key, offset=at.offset, data=request.body))
