"""What a phone keeps for offline work: only the signed-in worker's assigned work, read through the central
scoping layer and masked as their role allows. Nothing else is sent to the device."""

from __future__ import annotations

from typing import Any

from minzheng.accounts.actor import Actor
from minzheng.accounts.models import SecuritySettings
from minzheng.core import dates
from minzheng.core.scoping import visible, visible_divisions
from minzheng.regions.models import Level
from minzheng.registry import masking

from . import kinds

LIST_MAX = 300  # a phone's list, not an export: the newest first


def _me(user: Actor) -> dict[str, Any]:
    return {"username": user.username, "full_name": user.full_name, "role": user.role, "role_label": user.role_label,
            "division": user.division.name if user.division else ""}


def _villages(user: Actor) -> list[dict[str, str]]:
    return [{"code": d.code, "name": d.name} for d in visible_divisions(user).filter(level=Level.VILLAGE)
            .order_by("code")[:LIST_MAX]]


def _needs(user: Actor) -> list[dict[str, Any]]:
    from minzheng.workforce.models import NeedCategory, NeedReport, NeedStatus

    rows = visible(NeedReport, user).exclude(status=NeedStatus.RESOLVED).select_related("village")[:LIST_MAX]
    return [{"id": r.pk, "ref": r.reference, "category": str(NeedCategory(r.category).label),
             "description": r.description[:200], "status": r.get_status_display(), "deadline": r.deadline.isoformat(),
             "village": r.village.name} for r in rows]


def _household(user: Actor, hh: Any) -> dict[str, Any]:
    head = hh.head
    return {"id": hh.pk, "head": head.name if head else "", "id_number": masking.shown(user, head.id_number, "id")
            if head else "", "phone": masking.shown(user, hh.phone or "", "phone"), "address": hh.address,
            "village": hh.division.name}


def _cases(user: Actor) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Open cases in the worker's villages (the households they visit) and those waiting for the 入户调查."""
    from minzheng.assistance import workflow
    from minzheng.assistance.models import OPEN_STATUSES, Application, Status

    rows = list(visible(Application, user).filter(status__in=OPEN_STATUSES)
                .select_related("household__head", "household__division", "programme", "applicant")
                .order_by("-received_on", "-id")[:LIST_MAX])
    households = {a.household_id: _household(user, a.household) for a in rows}
    cases = []
    for a in rows:
        if a.status != Status.INVESTIGATING:
            continue
        action = next((x for x in workflow.allowed_actions(a, user) if x.code == "record_investigation"), None)
        if action is None:
            continue
        cases.append({"id": a.pk, "number": a.number, "programme": a.programme.name, "applicant": a.applicant.name,
                      "household": a.household_id, "address": a.household.address, "version": str(a.version),
                      "step_due": a.step_due.isoformat() if a.step_due else ""})
    return list(households.values()), cases


def _orders(user: Actor) -> list[dict[str, Any]]:
    from minzheng.purchased.models import ServiceOrder

    if not user.has_cap("services.deliver"):
        return []
    rows = (visible(ServiceOrder, user).filter(end__isnull=True)
            .select_related("person", "village", "contract").order_by("village__code", "id")[:LIST_MAX])
    return [{"id": o.pk, "person": o.person.name, "id_number": masking.shown(user, o.person.id_number, "id"),
             "village": o.village.name, "contract": o.contract.title, "min_minutes": o.contract.min_minutes}
            for o in rows]


def rules_data() -> dict[str, Any]:
    """The disaster validation rules exactly as the server evaluates them (the phone's evaluator reads this)."""
    from minzheng.disaster import indicators
    from minzheng.disaster.services import active_rules

    return {"rules": [{"code": r.code, "expression": r.expression, "severity": r.severity, "message": r.message,
                       "each": list(r.each), "kinds": list(r.kinds), "fields": list(r.fields)} for r in active_rules()],
            "indicators": [{"code": i.code, "label": i.label, "unit": i.unit, "integer": i.integer, "group": i.group}
                           for i in indicators.INDICATORS]}


def report_env(report: Any, division: Any, event: Any) -> dict[str, Any]:
    """The names besides the figures that rules read: the previous report, the registers, the villages' sum."""
    from minzheng.disaster import indicators
    from minzheng.disaster.services import register_counts
    from minzheng.disaster.services.reports import previous_report, village_total

    prev = previous_report(report) if report is not None else None
    villages: dict[str, str] = {}
    if report is not None and division.level == Level.TOWNSHIP:
        tot, n = village_total(report)
        villages = tot if n else {}
    return {"prev": dict(indicators.as_numbers(prev.values)) if prev else None,
            "register": register_counts(event, division), "villages": villages}


def _disaster(user: Actor) -> list[dict[str, Any]]:
    from minzheng.disaster.services import open_rounds_for

    from .handlers import report_version

    out = []
    for due in open_rounds_for(user)[:20]:
        rep = due.report
        env = report_env(rep, due.division, due.round.event)
        out.append({"round": due.round.pk, "event": due.round.event.name, "label": str(due.round),
                    "kind": due.round.kind, "due_at": dates.local(due.round.due_at).isoformat(timespec="minutes"),
                    "values": dict(rep.values) if rep else {}, "explanation": rep.explanation if rep else "",
                    "version": report_version(rep), "status": rep.get_status_display() if rep else "未填报",
                    "return_reason": rep.return_reason if rep else "",
                    "env": {"prev": {k: str(v) for k, v in env["prev"].items()} if env["prev"] else None,
                            "register": env["register"], "villages": env["villages"]}})
    return out


def snapshot(user: Actor) -> dict[str, Any]:
    """The phone's whole offline copy, replaced at every sync (what is no longer assigned disappears)."""
    from minzheng.workforce.models import NeedCategory

    allowed = [k.code for k in kinds.for_user(user)]
    households, cases = _cases(user) if "investigation" in allowed else ([], [])
    return {
        "me": _me(user),
        "synced_at": dates.local(dates.now()).isoformat(timespec="seconds"),
        "idle_minutes": SecuritySettings.current().idle_timeout_minutes,
        "kinds": [{"code": k.code, "label": k.label} for k in kinds.for_user(user)],
        "villages": _villages(user) if "need" in allowed else [],
        "categories": [{"code": c.value, "label": str(c.label)} for c in NeedCategory] if "need" in allowed else [],
        "needs": _needs(user) if "need" in allowed else [],
        "households": households,
        "cases": cases,
        "orders": _orders(user) if "service" in allowed else [],
        "disaster": _disaster(user) if "disaster" in allowed else [],
        "disaster_rules": rules_data() if "disaster" in allowed else {"rules": [], "indicators": []},
        # Kinds registered by other apps: their due work and the form the phone shows for them.
        "extra": [{"code": k.code, "label": k.label, "form": [f.as_dict() for f in k.form],
                   "items": k.assigned(user)[:LIST_MAX] if k.assigned else []}
                  for k in kinds.for_user(user) if k.form],
    }
