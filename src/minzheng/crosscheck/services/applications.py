"""信息核对 during an application: the department rules run for one household, answered per department."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from minzheng.accounts.actor import Actor
from minzheng.accounts.roles import Cap
from minzheng.core import dates
from minzheng.core.scoping import require_edit
from minzheng.registry.models import Household, Programme

from .. import engine, snapshot
from ..describe import describe
from ..models import Dataset
from .datasets import current_datasets, data_dir
from .rule_catalogue import enabled_rules, rule_params

# Which assistance.CheckSource a rule's department answers for.
RULE_SOURCE = {
    "death": "hukou", "name_mismatch": "hukou", "vehicle": "vehicle", "property": "real_estate",
    "business": "business", "pension": "social_insurance", "housing_fund": "housing_fund",
    "public_employee": "other", "prisoner": "other", "kinship": "other",
}


KIND_SOURCE = {"death": "hukou", "vehicle": "vehicle", "property": "real_estate", "business": "business",
               "social_insurance": "social_insurance", "housing_fund": "housing_fund",
               "public_employee": "other", "prisoner": "other", "staff_relatives": "other"}


def application_hits(*, household: Household, programme_code: str, on: dt.date | None = None
                     ) -> tuple[dict[str, list[engine.Hit]], dict[str, Dataset]]:
    """Run the department rules for one household that is not (yet) enrolled: every current member, as if the
    household received `programme_code` from `on`. Used by 信息核对 during an application."""
    on = on or dates.today()
    table = snapshot.applicant_household(household, programme_code, on)
    work = data_dir() / "tmp" / f"app-{household.pk}-{os.getpid()}-{threading.get_ident()}"
    try:
        work.mkdir(parents=True, exist_ok=True)
        ds = current_datasets(on)
        inputs = engine.Inputs(engine.write_parquet(table, str(work / "recipients.parquet")),
                               {k: str(Path(settings.HOME) / d.parquet_path) for k, d in ds.items()},
                               engine.write_parquet(snapshot.kinship_filed(), str(work / "kin.parquet")))
        params, _ = rule_params(on)
        active = [r for r in enabled_rules(on) if r.code in RULE_SOURCE]
        return engine.run_duckdb(inputs, params, active, memory_limit="512MB", threads=1), ds
    finally:
        shutil.rmtree(work, ignore_errors=True)


def check_application(application: Any, *, actor: Actor | None = None, on: dt.date | None = None) -> list[Any]:
    """Attach 疑点 to an application (assistance.CheckResult, one per department answered): the assistance app
    calls this at its 信息核对 step. Departments with no loaded dataset are not answered."""
    from minzheng.assistance import services as assistance

    if actor is not None:
        require_edit(actor, application, Cap.EDIT_BUSINESS)
    on = on or dates.today()
    hits, ds = application_hits(household=application.household, programme_code=application.programme.code, on=on)
    labels = dict(Programme.objects.values_list("code", "name"))
    params, _ = rule_params(on)
    by_source: dict[str, list[tuple[str, engine.Hit]]] = {}
    for code, hs in hits.items():
        for h in hs:
            by_source.setdefault(RULE_SOURCE[code], []).append((code, h))
    answered = sorted({KIND_SOURCE[k] for k in ds if k in KIND_SOURCE})
    results = []
    for source in answered:
        found = by_source.get(source, [])
        summaries = [describe(h, params, labels)[0] for _, h in found]
        refs = "；".join(f"{k} v{d.version}" for k, d in sorted(ds.items()) if KIND_SOURCE.get(k) == source)
        results.append(assistance.add_check_result(
            application, actor=None, source=source, matched=bool(found),
            summary=("；".join(summaries) if found else "未发现疑点")[:200],
            detail={"rules": {code: h.evidence for code, h in found}, "datasets": refs, "as_of": on.isoformat()},
            external_ref=f"crosscheck:{refs}"[:64]))
    return results
