"""The API's one error shape and its place in the OpenAPI document.

Every refusal is `{"detail": "中文说明", "errors": {"字段": ["中文说明", …]}}` (errors only when a field is to
blame), and every operation documents the statuses it can answer with, so a client generated from
/api/openapi.json knows them all."""

from __future__ import annotations

from typing import Any

from ninja import Schema

# pydantic error type → Chinese message (a template over the error's ctx).
_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）",
    "decimal_max_places": "小数位数过多（最多 {decimal_places} 位）",
    "decimal_whole_digits": "整数部分位数过多（最多 {whole_digits} 位）",
    "finite_number": "应为有限数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 YYYY-MM-DDTHH:MM:SS",
    "datetime_from_date_parsing": "时间格式应为 YYYY-MM-DDTHH:MM:SS",
    "datetime_type": "时间格式应为 YYYY-MM-DDTHH:MM:SS",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "json_invalid": "不是有效的 JSON",
    "value_error": "{error}",
}


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form", "file")]
    return ".".join(parts) or "__all__"


def describe(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """pydantic's errors as {field: [Chinese messages]}."""
    out: dict[str, list[str]] = {}
    for e in errors:
        template = _MESSAGES.get(str(e.get("type", "")), "格式不正确")
        try:
            message = template.format(**(e.get("ctx") or {}))
        except (KeyError, IndexError):
            message = "格式不正确"
        out.setdefault(_field(e.get("loc", ())), []).append(message)
    return out


def summary(errors: dict[str, list[str]]) -> str:
    first = next(iter(errors.items()), None)
    if first is None:
        return "请求数据有误"
    name, messages = first
    return f"请求数据有误：{name} {messages[0]}" if name != "__all__" else f"请求数据有误：{messages[0]}"


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


_STATUS = {
    "400": "请求格式有误（如不是有效的 JSON）",
    "401": "未登录或令牌无效",
    "403": "没有权限，或会话请求缺少 CSRF 令牌",
    "404": "记录不存在或不在您的辖区内",
    "422": "数据有误：detail 为中文说明，errors 按字段列出",
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the shared error responses to every operation that does not declare its own for that status."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            # ninja keys responses by int, JSON by string: one key per status, or the document holds "422" twice
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for code, text in _STATUS.items():
                responses.setdefault(code, {"description": text, "content": {"application/json": {"schema": ref}}})
    return schema
