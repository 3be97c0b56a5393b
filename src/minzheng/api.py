"""REST API under /api/ with an OpenAPI 3 document at /api/openapi.json.

Authentication: `Authorization: Bearer <token>` (no CSRF: a browser never sends that header cross-site on its own)
or the browser session (with CSRF for writes). Jurisdiction is the same as in the UI: routers read rows only
through minzheng.core.scoping. Every refusal is a 4xx with a Chinese `detail` (core/api_errors.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as ParamsInvalid
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import APIKeyCookie, HttpBearer

from minzheng.assistance import api as assistance_api
from minzheng.audit import api as audit_api
from minzheng.audit import context as audit_context
from minzheng.care import api as care_api
from minzheng.core import api as core_api
from minzheng.core import api_errors, dates
from minzheng.core.forms import errors_by_field
from minzheng.crosscheck import api as crosscheck_api
from minzheng.disaster import api as disaster_api
from minzheng.fieldapp import api as fieldapp_api
from minzheng.payments import api as payments_api
from minzheng.policy import api as policy_api
from minzheng.policy.services import MissingParameter
from minzheng.purchased import api as purchased_api
from minzheng.registry import api as registry_api
from minzheng.stats import api as stats_api
from minzheng.workforce import api as workforce_api


class SessionAuth(APIKeyCookie):
    """Django session cookie; CSRF is enforced on unsafe methods, and only when the request carries the cookie
    (a token request without one is not refused for a CSRF token it has no use for)."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        return user if user.is_authenticated else None


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from minzheng.accounts.services import user_for_token

        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        audit_context.set_actor(audit_context.Actor(user.username, user.role, str(request.META.get("REMOTE_ADDR", ""))))
        return user


class BeijingTimeEncoder(NinjaJSONEncoder):
    """Times leave the API in Beijing time (+08:00), as users read them, not in the database's UTC."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and o.tzinfo is not None:
            o = dates.local(o)
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = BeijingTimeEncoder


class ContractAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        api_errors.document_errors(schema)
        return schema


# The token comes first: a request carrying `Authorization: Bearer` is judged by its token alone.
api = ContractAPI(
    title="minzheng 民政 API",
    renderer=Renderer(),
    version="1",
    description="民政业务接口。所有数据按用户所属区划限定范围（辖区）。",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "记录不存在或不在您的辖区内"}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "没有权限"}, status=403)


@api.exception_handler(AuthenticationError)
def _unauth(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = errors_by_field(exc)
    return api.create_response(request, {"detail": api_errors.summary(errors), "errors": errors}, status=422)


@api.exception_handler(ParamsInvalid)
def _params_invalid(request: HttpRequest, exc: ParamsInvalid) -> HttpResponse:
    errors = api_errors.describe(list(exc.errors))
    return api.create_response(request, {"detail": api_errors.summary(errors), "errors": errors}, status=422)


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The database refused a value (too long for its column, a number beyond its type): the caller's to fix.
    return api.create_response(request, {"detail": "数据超出允许的长度或范围"}, status=422)


@api.exception_handler(MissingParameter)
def _missing_parameter(request: HttpRequest, exc: MissingParameter) -> HttpResponse:
    # A date before the policy's first version (or a division without one) is the caller's to change.
    return api.create_response(request, {"detail": str(exc), "errors": {"__all__": [str(exc)]}}, status=422)


_HTTP_MESSAGES = {"CSRF check Failed": "会话请求缺少有效的 CSRF 令牌", "Cannot parse request body": "请求体无法解析"}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    text = _HTTP_MESSAGES.get(exc.message.split(" (")[0], exc.message)
    return api.create_response(request, {"detail": text}, status=exc.status_code)


# Each app's router under /api/<app>/ (accounts and regions publish no API of their own).
api.add_router("/core/", core_api.router)
api.add_router("/audit/", audit_api.router)
api.add_router("/policy/", policy_api.router)
api.add_router("/registry/", registry_api.router)
api.add_router("/assistance/", assistance_api.router)
api.add_router("/payments/", payments_api.router)
api.add_router("/crosscheck/", crosscheck_api.router)
api.add_router("/disaster/", disaster_api.router)
api.add_router("/workforce/", workforce_api.router)
api.add_router("/purchased/", purchased_api.router)
api.add_router("/stats/", stats_api.router)
api.add_router("/care/", care_api.router)
api.add_router("/fieldapp/", fieldapp_api.router)
