"""Demo: the facts 护理补贴 and 优抚 are decided on, as the departments would send them — a 残联 file of disabled
persons (grade, type, long-term care need) and a 退役军人事务 file of 优抚对象 (category, status, years of service) —
loaded through the cross-check loader like any department file. A few are left out or given a negative answer, so
the allowance page shows "缺认定信息" and a refresh that ends an enrollment for a reason. Plus one payee paid through
a guardian. Deterministic."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings

from minzheng.core import dates
from minzheng.registry.models import Enrollment, EnrollmentStatus, Person, Relation

NOTE = "演示数据：待遇认定信息"
YOUFU_CYCLE = ["demobilised", "war_veteran", "ill_veteran", "disabled", "old_conscript", "illness_family"]
LABELS = {"demobilised": "在乡老复员军人", "war_veteran": "参战参试退役人员", "ill_veteran": "带病回乡退伍军人",
          "disabled": "残疾军人", "old_conscript": "农村籍老义务兵", "illness_family": "病故军人遗属"}


def _enrolled(code: str) -> list[Person]:
    ids = Enrollment.objects.filter(programme__code=code, status=EnrollmentStatus.ACTIVE,
                                    person__isnull=False).values("person_id")
    return list(Person.objects.filter(pk__in=ids, is_deceased=False).order_by("id"))


def _write(path: Path, headers: list[str], rows: list[list[Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(headers)
        w.writerows(rows)
    return path


def disability_rows() -> list[list[Any]]:
    """Every disabled person with a disability allowance; care need certified for most grade 1–2, refused for every
    twentieth, and not yet assessed for every thirtieth (listed as a missing fact)."""
    people = {p.pk: p for p in _enrolled("canji_care") + _enrolled("canji_life")}
    rows = []
    for i, p in enumerate(sorted(people.values(), key=lambda x: x.pk)):
        if p.disability_grade is None or not p.disability_category:
            continue
        care = ""
        if p.disability_grade in (1, 2):
            care = "" if i % 30 == 29 else ("否" if i % 20 == 19 else "是")
        rows.append([p.id_number, p.name, f"{p.disability_grade}级", p.disability_category, care,
                     p.disability_cert_no])
    return rows


def veteran_rows() -> list[list[Any]]:
    """Every 优抚 recipient but one (a missing fact), one of them suspended."""
    rows = []
    people = _enrolled("youfu")
    for i, p in enumerate(people):
        if i == len(people) - 1 and i > 0:
            break   # not in the department's file: the township is asked for it
        category = YOUFU_CYCLE[i % len(YOUFU_CYCLE)]
        status = "暂停" if i == 3 else "在册"
        years = 3 + i % 4 if category == "old_conscript" else ""
        rows.append([p.id_number, p.name, LABELS[category], status, "", years])
    return rows


def load(out: TextIO) -> None:
    from minzheng.crosscheck import services as crosscheck
    from minzheng.crosscheck.models import Dataset

    if Dataset.objects.filter(note=NOTE).exists():
        return
    folder = Path(settings.HOME) / "payments" / "demo_input"
    files = [
        ("disability", _write(folder / "残联-残疾人信息.csv",
                              ["身份证号", "姓名", "残疾等级", "残疾类别", "是否需长期照护", "残疾证号"], disability_rows())),
        ("veteran", _write(folder / "退役军人事务局-优抚对象信息.csv",
                           ["身份证号", "姓名", "优抚对象类别", "状态", "认定日期", "服役年限"], veteran_rows())),
    ]
    for kind, path in files:
        with path.open(encoding="utf-8-sig") as f:
            if sum(1 for _ in f) < 2:
                continue   # nobody to report (a tiny demo population)
        res = crosscheck.load_dataset(kind=kind, path=path, as_of=dates.today(), note=NOTE)
        if not res.ok:
            errors = res.parsed.errors[:5] if res.parsed else []
            raise RuntimeError(f"演示待遇认定信息 {kind} 加载失败：{[str(e) for e in errors]}")
        out.write(f"待遇认定信息：{res.message}\n")


def seed_guardian(out: TextIO, officer: Any) -> None:
    """One disabled payee in 梅山 whose allowance goes to the household head as guardian (监护人代领)."""
    from . import guardians
    from .models import Guardianship

    if officer is None or officer.division is None:
        return
    if Guardianship.objects.filter(person__household__division__parent=officer.division).exists():
        return
    # Intellectual or mental disability first: the usual reason a relative receives the money.
    candidates = sorted(_enrolled("canji_care"), key=lambda x: (x.disability_category not in ("5", "6"), x.pk))
    for p in candidates:
        d = p.household.division
        head = p.household.head
        if d.parent_id != officer.division_id or head is None or head.pk == p.pk or not head.bank_account \
                or p.relation == Relation.HEAD:
            continue
        guardians.set_guardian(person=p, user=officer, guardian_name=head.name, guardian_id_number=head.id_number,
                               relation="户主", bank_name=head.bank_name, bank_account=head.bank_account)
        out.write(f"领款监护人：{d.name} {p.name} 的补贴由户主 {head.name} 代领\n")
        return
