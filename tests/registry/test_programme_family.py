"""Every installed programme names its policy family; code prefixes are never read to find it."""

from __future__ import annotations

import importlib
from pathlib import Path

from minzheng.registry.models import Programme, ProgrammeFamily

SRC = Path(__file__).resolve().parents[2] / "src" / "minzheng"


def test_installed_programmes_have_their_family(db: None) -> None:
    family = dict(Programme.objects.values_list("code", "family"))
    assert family["dibao_urban"] == family["dibao_rural"] == ProgrammeFamily.DIBAO
    assert family["tekun_dispersed"] == family["tekun_central"] == ProgrammeFamily.TEKUN
    assert family["linshi"] == ProgrammeFamily.LINSHI
    assert family["gaoling"] == family["canji_life"] == family["canji_care"] == ProgrammeFamily.ALLOWANCE
    assert family["youfu"] == ProgrammeFamily.VETERANS
    assert ProgrammeFamily.OTHER not in family.values()


def test_the_migration_fills_the_same_families_as_the_seeds() -> None:
    from minzheng.registry.seeds import PROGRAMMES

    migration = importlib.import_module("minzheng.registry.migrations.0006_programme_family")
    assert migration.FAMILIES == {row[0]: str(row[3]) for row in PROGRAMMES}


def test_no_family_is_read_from_a_code_prefix() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ('startswith("dibao', 'startswith("tekun', 'startswith(("dibao', "code__startswith"):
            if needle in text:
                offenders.append(f"{path.relative_to(SRC)}: {needle}")
    assert offenders == []
