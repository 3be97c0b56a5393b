"""Demo population: deterministic, idempotent, valid IDs, plausible recipients."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import pytest

from minzheng.audit.models import AuditEntry
from minzheng.core import dates
from minzheng.regions.models import Division, Level
from minzheng.registry import demo, demo_people, idnumber, services
from minzheng.registry.models import Enrollment, EnrollmentAmount, Household, Membership, Person

pytestmark = pytest.mark.django_db

SCALE = 0.004  # ≈ 2,000 persons: every village gets its minimum share


def households_of(code: str) -> list[tuple[Any, ...]]:
    v = Division.objects.get(code=code)
    gen = demo_people.Generator(random.Random(demo_people.stable(f"minzheng-demo-{v.code}")))
    return [(h.hukou, h.address, [(m.name, m.sex, m.birth, m.relation, m.region) for m in h.members])
            for h in (gen.household(v) for _ in range(30))]


def test_generation_is_deterministic_per_village(county: Any) -> None:
    a = households_of("350702001001")
    assert a == households_of("350702001001")
    assert a != households_of("350702102201")


def test_load_is_valid_idempotent_and_audited_once(meishan_officer: Any, zhongshan: Any) -> None:
    out = io.StringIO()
    demo.load(out, scale=SCALE)
    n_persons, n_households = Person.objects.count(), Household.objects.count()
    assert n_persons >= 317 * 8 and n_households > 500
    # every ID valid, unique, and birth date / sex agree with it
    rows = list(Person.objects.values_list("id_number", "birth_date", "sex", "name", "name_initials"))
    assert len({r[0] for r in rows}) == len(rows)
    for n, birth, sex, name, ini in rows:
        r = idnumber.check(n)
        assert r.valid, (n, r.reason)
        assert r.birth_date == birth and r.sex_code == sex
        assert ini, name
    regions = {r[0][:6] for r in rows}
    assert "350702" in regions and len(regions) > 1
    # every household has a head among its members, and each member one open membership
    assert not Household.objects.filter(head__isnull=True).exists()
    assert Membership.objects.filter(end_date__isnull=True).count() == n_persons
    # recipients: everyone 80+ gets 高龄津贴; each enrollment has its amount history
    eighty = sum(1 for _n, b, *_ in rows if dates.age_on(b, demo.REF) >= 80)
    assert Enrollment.objects.filter(programme__code="gaoling").count() == eighty
    assert EnrollmentAmount.objects.count() == Enrollment.objects.count()
    codes = set(Enrollment.objects.values_list("programme__code", flat=True))
    assert {"dibao_rural", "gaoling", "canji_care"} <= codes
    assert AuditEntry.objects.filter(action="registry.demo.load").count() == 1
    # a second run adds nothing
    demo.load(out, scale=SCALE)
    assert Person.objects.count() == n_persons and "跳过" in out.getvalue()
    assert AuditEntry.objects.filter(action="registry.demo.load").count() == 1
    # ordinary writes still work after the explicit-key bulk load (sequences moved on PostgreSQL)
    hh = services.create_household(actor=meishan_officer, division=zhongshan, hukou_type="urban",
                                   head={"name": "新户", "id_number": idnumber.make("350702", dt.date(1999, 9, 9), 997)})
    assert hh.pk > 0 and Household.objects.filter(division__level=Level.VILLAGE).count() == n_households + 1
