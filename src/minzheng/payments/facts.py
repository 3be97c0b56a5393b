"""Allowance facts as data people maintain: disability grade/type and the need of long-term care (残联), 优抚 category
and status (退役军人事务), each with where it came from and when it was checked.

Department files arrive through the cross-check loader (`minzheng crosscheck load disability|veteran FILE`, which
calls `import_rows`); an officer can type a fact in (`set_manual`). A fact missing is listed for the township
(`missing`) — an allowance refresh never ends an enrollment because of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from minzheng.accounts.roles import Cap
from minzheng.audit.services import batched, record
from minzheng.core import dates
from minzheng.core.scoping import require_edit, visible
from minzheng.registry.models import Enrollment, EnrollmentStatus, Person

from . import rules
from .models import BeneficiaryFacts, FactSource

SOURCE_OF_KIND = {"disability": FactSource.CDPF, "veteran": FactSource.VETERANS}


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    updated: int = 0
    unchanged: int = 0
    unmatched: list[str] = field(default_factory=list)   # masked ID numbers not in the registry

    @property
    def message(self) -> str:
        text = f"已记入待遇认定信息 {self.updated} 人（{self.unchanged} 人无变化）"
        if self.unmatched:
            text += f"，{len(self.unmatched)} 人不在本区档案中"
        return text


def _yes_no(code: str | None) -> bool | None:
    return None if code is None else code == "yes"


def _disability(person: Person, facts: BeneficiaryFacts, row: dict[str, Any], as_of: dt.date) -> list[str]:
    changed = []
    grade, category = int(row["disability_grade"]), row["disability_category"]
    if (person.disability_grade, person.disability_category) != (grade, category):
        person.disability_grade, person.disability_category = grade, category
        changed += ["disability_grade", "disability_category"]
    if row.get("cert_no") and row["cert_no"] != person.disability_cert_no:
        person.disability_cert_no = str(row["cert_no"])[:24]
        changed.append("disability_cert_no")
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    care = _yes_no(row.get("needs_long_term_care"))
    new = {"disability_source": FactSource.CDPF, "disability_checked_on": row.get("checked_on") or as_of}
    if care is not None:
        new["needs_long_term_care"] = care
    return changed + _apply(facts, new)


def _veteran(facts: BeneficiaryFacts, row: dict[str, Any], as_of: dt.date) -> list[str]:
    new: dict[str, Any] = {"youfu_category": row["youfu_category"], "youfu_status": row.get("youfu_status") or "active",
                           "youfu_source": FactSource.VETERANS, "youfu_checked_on": as_of}
    if row.get("youfu_since"):
        new["youfu_since"] = row["youfu_since"]
    if row.get("service_years") is not None:
        new["service_years"] = int(row["service_years"])
    return _apply(facts, new)


def _apply(facts: BeneficiaryFacts, new: dict[str, Any]) -> list[str]:
    changed = [k for k, v in new.items() if getattr(facts, k) != v]
    for k in changed:
        setattr(facts, k, new[k])
    return changed


def import_rows(*, kind: str, rows: list[dict[str, Any]], as_of: dt.date, reference: str,
                actor: Any = None) -> ImportResult:
    """Record a department file's facts on the persons it names (rows already checked by the loader). The file is
    the department's current word: a value it gives replaces ours; a value it leaves empty keeps ours."""
    from minzheng.registry.masking import mask_id

    if kind not in SOURCE_OF_KIND:
        raise ValidationError(f"“{kind}”不是待遇认定信息数据")
    result = ImportResult(kind, rows=len(rows))
    # with their household and division: each facts row's audit entry names the division
    persons = {p.id_number: p for p in Person.objects.filter(id_number__in={r["id_number"] for r in rows})
               .select_related("household__division")}
    existing = {f.person_id: f for f in BeneficiaryFacts.objects.filter(person__in=persons.values())}
    changes: list[dict[str, Any]] = []
    with batched():  # one transaction; each person's facts entry chained at its end
        for row in rows:
            person = persons.get(row["id_number"])
            if person is None:
                result.unmatched.append(mask_id(row["id_number"]))
                continue
            facts = existing.get(person.pk) or BeneficiaryFacts(person=person)
            changed = _disability(person, facts, row, as_of) if kind == "disability" else _veteran(facts, row, as_of)
            facts_changed = [c for c in changed if hasattr(BeneficiaryFacts, c)]
            if facts_changed or facts.pk is None:
                facts.save()
                existing[person.pk] = facts
            if changed:
                result.updated += 1
                changes.append({"person": person.pk, "fields": changed})
            else:
                result.unchanged += 1
        record("payments.facts_import", summary=f"{reference}：{result.message}", actor=None,
               detail={"kind": kind, "as_of": str(as_of), "changes": changes[:2000],
                       "unmatched": result.unmatched[:200], "by": getattr(actor, "username", "")})
    return result


def set_manual(*, person: Person, user: Any, **values: Any) -> BeneficiaryFacts:
    """An officer records facts by hand (手工录入); the source and date say so."""
    require_edit(user, person, Cap.EDIT_BUSINESS)
    allowed = {"needs_long_term_care", "work_injury_care", "youfu_category", "youfu_status", "youfu_since",
               "service_years", "note"}
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(f"未知的认定信息：{'、'.join(sorted(unknown))}")
    with transaction.atomic():
        facts, _ = BeneficiaryFacts.objects.get_or_create(person=person)
        before = {k: getattr(facts, k) for k in values}
        for k, v in values.items():
            setattr(facts, k, v)
        if {"needs_long_term_care", "work_injury_care"} & set(values):
            facts.disability_source, facts.disability_checked_on = FactSource.MANUAL, dates.today()
        if {"youfu_category", "youfu_status", "youfu_since", "service_years"} & set(values):
            facts.youfu_source, facts.youfu_checked_on = FactSource.MANUAL, dates.today()
            if facts.youfu_category and not facts.youfu_status:
                facts.youfu_status = "active"
        facts.full_clean()
        facts.save()
        record("payments.facts", obj=person, summary=f"登记 {person.name} 的待遇认定信息（手工录入）",
               before={k: str(v) for k, v in before.items()}, after={k: str(v) for k, v in values.items()})
    return facts


@dataclass(frozen=True)
class Missing:
    township: str
    village: str
    person: Person
    programme: str
    programme_name: str
    what: str


def missing(user: Any, *, on: dt.date | None = None, limit: int = 500) -> list[Missing]:
    """Live allowance enrollments in the user's area whose deciding fact is not recorded (缺认定信息)."""
    on = on or dates.today()
    qs = (visible(Enrollment, user).filter(programme__code__in=("canji_life", "canji_care", "youfu"),
                                           status=EnrollmentStatus.ACTIVE, person__isnull=False)
          .filter(Q(person__disability_grade__isnull=True, programme__code__in=("canji_life", "canji_care"))
                  | Q(programme__code="canji_care", person__payment_facts__needs_long_term_care__isnull=True)
                  | Q(programme__code="youfu") & (Q(person__payment_facts__isnull=True)
                                                  | Q(person__payment_facts__youfu_category=""))
                  | Q(programme__code="youfu", person__payment_facts__youfu_category="old_conscript",
                      person__payment_facts__service_years__isnull=True))
          .select_related("person__payment_facts", "programme", "household__division__parent")
          .order_by("household__division__code", "person_id"))
    out = []
    for e in qs[:limit]:
        p = e.person
        if p is None:
            continue
        f = rules.PersonFacts(person_id=p.pk, birth=p.birth_date, alive=True, disability_grade=p.disability_grade,
                              needs_long_term_care=getattr(getattr(p, "payment_facts", None), "needs_long_term_care",
                                                           None),
                              youfu_category=getattr(getattr(p, "payment_facts", None), "youfu_category", ""),
                              service_years=getattr(getattr(p, "payment_facts", None), "service_years", None))
        what = rules.missing_fact(e.programme.code, f)
        if not what:
            continue
        d = e.household.division
        out.append(Missing(d.parent.name if d.parent and d.level != "township" else d.name, d.name, p,
                           e.programme.code, e.programme.name, what))
    return out
