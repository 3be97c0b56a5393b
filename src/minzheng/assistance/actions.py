"""One dispatcher for case actions, shared by the pages and the API: parse the submitted fields, call the service.

Each handler takes plain data (a form's POST or an API body), so the UI and the API cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError

from minzheng.accounts.actor import Actor
from minzheng.core import dates
from minzheng.core.scoping import get_visible

from . import services
from .models import Application, Objection
from .workflow import ACTIONS, WorkflowError


def _s(data: Mapping[str, Any], key: str, default: str = "") -> str:
    v = data.get(key, default)
    return str(v if v is not None else default).strip()


def _b(data: Mapping[str, Any], key: str) -> bool:
    v = data.get(key)
    return v is True or str(v).lower() in ("1", "true", "on", "yes", "y")


def _i(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    try:
        return int(str(data.get(key, default)).strip() or default)
    except ValueError as exc:
        raise ValidationError({key: "请输入整数"}) from exc


def _d(data: Mapping[str, Any], key: str, default: dt.date | None = None) -> dt.date:
    raw = data.get(key)
    if isinstance(raw, dt.date):
        return raw
    if not raw:
        if default is not None:
            return default
        raise ValidationError({key: "请填写日期"})
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise ValidationError({key: "日期格式应为 YYYY-MM-DD"}) from exc


def _lines(data: Mapping[str, Any], key: str) -> list[str]:
    raw = data.get(key, "")
    if isinstance(raw, list | tuple):
        return [str(x).strip() for x in raw if str(x).strip()]
    return [x.strip() for x in str(raw).replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
            if x.strip()]


def _neighbours(data: Mapping[str, Any]) -> list[dict[str, str]]:
    raw = data.get("neighbour_visits", "")
    if isinstance(raw, list):
        return [{"name": str(x.get("name", "")), "relation": str(x.get("relation", "")),
                 "statement": str(x.get("statement", ""))} for x in raw if isinstance(x, dict)]
    out = []
    for line in str(raw).splitlines():
        parts = [p.strip() for p in line.replace("：", ":").split(":", 1)]
        if parts[0]:
            out.append({"name": parts[0], "relation": "邻居", "statement": parts[1] if len(parts) > 1 else ""})
    return out


def _version(data: Mapping[str, Any]) -> int | None:
    v = data.get("version")
    return None if v is None or v == "" else int(v)


Handler = Callable[[Application, Any, Mapping[str, Any]], str]


def _start(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.start_investigation(app, actor=user, version=_version(data))
    return "已开始入户调查"


def _investigation(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.record_investigation(
        app, actor=user, version=_version(data), visited_on=_d(data, "visited_on", dates.today()),
        investigator_1=_s(data, "investigator_1"), investigator_2=_s(data, "investigator_2"),
        investigator_1_signed=_b(data, "investigator_1_signed"),
        investigator_2_signed=_b(data, "investigator_2_signed"), applicant_signed=_b(data, "applicant_signed"),
        neighbour_visits=_neighbours(data), living_conditions=_s(data, "living_conditions"),
        findings=_s(data, "findings"))
    return "已录入入户调查"


def _checks(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.complete_checks(app, actor=user, version=_version(data), text=_s(data, "text"))
    return "信息核对完成"


def _review(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.record_review(
        app, actor=user, version=_version(data), held_on=_d(data, "held_on", dates.today()),
        attendees=_lines(data, "attendees"), panel_size=_i(data, "panel_size"), votes_for=_i(data, "votes_for"),
        votes_against=_i(data, "votes_against"), votes_abstain=_i(data, "votes_abstain"),
        record=_s(data, "record"), all_signed=_b(data, "all_signed"), place=_s(data, "place"))
    return "已录入民主评议"


def _opinion(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    app = services.township_opinion(app, actor=user, version=_version(data), text=_s(data, "text"))
    return "初审同意，已在村(社区)公示" if app.status == "publicity" else "初审同意，已报县级审核确认"


def _township_refuse(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.township_refuse(app, actor=user, version=_version(data), reasons=_s(data, "reasons"))
    return "已作出不予批准决定，请在期限内送达告知书"


def _end_publicity(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.end_publicity(app, actor=user, version=_version(data))
    return "公示期满，已报县级审核确认"


def _spot(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.record_spot_check(app, actor=user, version=_version(data),
                               visited_on=_d(data, "visited_on", dates.today()), visitors=_s(data, "visitors"),
                               findings=_s(data, "findings"), confirmed=_b(data, "confirmed"))
    return "已录入县级入户核查"


def _approve(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    app = services.county_approve(app, actor=user, version=_version(data), text=_s(data, "text"))
    return f"已批准，自{app.effective_month:%Y年%m月}起执行"


def _county_refuse(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.county_refuse(app, actor=user, version=_version(data), reasons=_s(data, "reasons"))
    return "已作出不予批准决定，请在期限内送达告知书"


def _return(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.county_return(app, actor=user, version=_version(data), text=_s(data, "text"))
    return "已退回乡镇重新初审"


def _withdraw(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    services.withdraw(app, actor=user, version=_version(data), text=_s(data, "text"))
    return "申请已撤回"


def _objection(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    objection = get_visible(Objection.objects.filter(application=app), user, pk=_i(data, "objection_id"))
    services.handle_objection(objection, actor=user, upheld=_b(data, "upheld"), outcome=_s(data, "outcome"),
                              redo=_s(data, "redo", "investigate"), version=_version(data))
    return "异议已处理"


def _notice(app: Application, user: Actor, data: Mapping[str, Any]) -> str:
    notice = getattr(app, "refusal", None)
    if notice is None:
        raise WorkflowError("本案没有不予批准告知书")
    services.issue_refusal_notice(notice, actor=user, issued_on=_d(data, "issued_on", dates.today()))
    return "已登记告知书送达"


HANDLERS: dict[str, Handler] = {
    "start_investigation": _start, "record_investigation": _investigation, "complete_checks": _checks,
    "record_review": _review, "township_opinion": _opinion, "township_refuse": _township_refuse,
    "end_publicity": _end_publicity, "record_spot_check": _spot, "county_approve": _approve,
    "county_refuse": _county_refuse, "county_return": _return, "withdraw": _withdraw,
    "handle_objection": _objection, "issue_notice": _notice,
}


def dispatch(app: Application, code: str, user: Actor, data: Mapping[str, Any]) -> str:
    """Run one action; raises WorkflowError / ValidationError / PermissionDenied / Http404 with Chinese text."""
    handler = HANDLERS.get(code)
    if handler is None:
        raise WorkflowError(f"未知操作：{code}")
    if code in ACTIONS or code == "issue_notice":
        return handler(app, user, data)
    raise WorkflowError(f"未知操作：{code}")
