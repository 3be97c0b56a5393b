"""The 探访 visit as a record kind of the offline field app: the visits due (and overdue) travel to the phone with
each file's own visit form (the group's form in force, a policy parameter), and a visit captured offline is written
through `record_visit`, as the web page writes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates

from . import selectors
from .access import open_file
from .models import Group
from .services.visits import form_for, record_visit

# How many due files travel to a phone (the nearest first).
DUE_MAX = 300
_ANSWER = "a_"   # answers travel as a_<code>, beside the visit's own fields


def _allowed(user: Actor) -> bool:
    return user.has_cap(Cap.CARE_VISIT)


def _form(group: str, on: dt.date, village: Any) -> list[dict[str, Any]]:
    fields, _ = form_for(group, on, village)
    out: list[dict[str, Any]] = [
        {"name": "visited_on", "label": "走访日期", "type": "date", "required": True, "choices": []}]
    for f in fields:
        kind = f.get("type", "text")
        if kind == "bool":
            out.append({"name": _ANSWER + f["code"], "label": f["label"], "type": "select", "required": bool(
                f.get("required")), "choices": ["是", "否"]})
        elif kind == "choice":
            out.append({"name": _ANSWER + f["code"], "label": f["label"], "type": "select",
                        "required": bool(f.get("required")), "choices": list(f.get("choices", []))})
        else:
            out.append({"name": _ANSWER + f["code"], "label": f["label"], "type": "text",
                        "required": bool(f.get("required")), "choices": []})
    out += [{"name": "findings", "label": "发现的情况和需求", "type": "textarea", "required": False, "choices": []},
            {"name": "photo", "label": "照片", "type": "photo", "required": False, "choices": []}]
    return out


def _assigned(user: Actor) -> list[dict[str, Any]]:
    today = dates.today()
    files = selectors.mine(user).select_related("person", "village").order_by("next_due")[:DUE_MAX]
    forms: dict[tuple[str, int], list[dict[str, Any]]] = {}
    out = []
    for f in files:
        form = forms.setdefault((f.group, f.village_id), _form(f.group, today, f.village))
        late = "，已逾期" if f.next_due < today else ""
        out.append({"id": f.pk, "title": f"{f.person.name}（{Group(f.group).label}）",
                    "detail": f"{f.village.name} · 走访期限 {f.next_due:%Y-%m-%d}{late}", "form": form})
    return out


def _handle(user: Actor, sub: Any) -> Any:
    from django.core.exceptions import ValidationError

    from minzheng.fieldapp.handlers import photo
    from minzheng.fieldapp.kinds import Accepted

    try:
        file_id = int(str(sub.data.get("item", "")))
    except ValueError:
        raise ValidationError({"item": "缺少走访对象"}) from None
    f = open_file(user, file_id)
    answers: dict[str, Any] = {}
    for key, value in sub.data.items():
        if str(key).startswith(_ANSWER) and value not in ("", None):
            answers[str(key)[len(_ANSWER):]] = value
    data = {"visited_on": sub.data.get("visited_on") or "", "findings": sub.data.get("findings") or "",
            "answers": answers, "client_id": sub.client_id}
    visit = record_visit(user, f, data, photo(sub, "photo", user))
    return Accepted(ref=f"走访 {visit.pk}", text="走访已记录")


def register() -> None:
    from minzheng.fieldapp.kinds import FormField, RecordKind
    from minzheng.fieldapp.kinds import register as add

    add(RecordKind("visit", "关爱走访", _allowed, _handle, photo_fields=("photo",), assigned=_assigned,
                   form=(FormField("visited_on", "走访日期", "date", True), FormField("findings", "情况", "textarea"))))
