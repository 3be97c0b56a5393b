"""Registry services: the rules an officer relies on when creating, editing and moving people."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from minzheng.accounts.roles import Role
from minzheng.audit.models import AuditEntry
from minzheng.core import dates, tasks
from minzheng.registry import idnumber, services
from minzheng.registry.models import (
    Enrollment,
    EnrollmentStatus,
    HukouType,
    Membership,
    Person,
    Programme,
    Relation,
)

from .conftest import make_id

pytestmark = pytest.mark.django_db


def test_birth_date_and_sex_come_from_the_id_and_initials_from_the_name(family: Any) -> None:
    head = family.head
    assert head.name == "陈志富" and head.name_initials == "czf"
    assert head.birth_date == dt.date(1950, 3, 15) and head.sex == "1"
    wife = Person.objects.get(name="林秀英")
    assert wife.sex == "2" and wife.relation == Relation.SPOUSE
    # every create is audited with the acting user's change
    assert AuditEntry.objects.filter(action="registry.person.create").count() >= 3


def test_id_is_normalised_and_fifteen_digits_are_upgraded(meishan_officer: Any, family: Any) -> None:
    p = services.add_person(actor=meishan_officer, household=family, name="陈小", relation="30",
                            id_number=" ３５０７０２８５０６０１０２２ ")
    assert p.id_number == "35070219850601022" + idnumber.check_char("35070219850601022")
    assert p.id_number_old == "350702850601022"
    assert p.birth_date == dt.date(1985, 6, 1) and p.sex == "2"


def test_invalid_or_duplicate_id_is_refused_with_a_chinese_reason(meishan_officer: Any, family: Any) -> None:
    with pytest.raises(ValidationError) as e:
        services.add_person(actor=meishan_officer, household=family, name="张三", relation="99",
                            id_number="350702195003150139")
    assert "校验码" in e.value.message_dict["id_number"][0]
    with pytest.raises(ValidationError) as e:
        services.add_person(actor=meishan_officer, household=family, name="张三", relation="99",
                            id_number=family.head.id_number.lower())
    assert "已在系统中登记" in e.value.message_dict["id_number"][0]


def test_disability_needs_category_and_grade_together(meishan_officer: Any, family: Any) -> None:
    with pytest.raises(ValidationError) as e:
        services.update_person(actor=meishan_officer, person=family.head, disability_category="4")
    assert "disability_grade" in e.value.message_dict
    p = services.update_person(actor=meishan_officer, person=family.head, disability_category="4",
                               disability_grade=2)
    assert p.disability_grade == 2


def test_editing_the_id_re_derives_birth_date_and_sex_and_renaming_refreshes_initials(
        meishan_officer: Any, family: Any) -> None:
    son = Person.objects.get(name="陈浩宇")
    services.update_person(actor=meishan_officer, person=son, id_number=make_id(birth=dt.date(1981, 2, 3), seq=46),
                           name="曾浩宇")
    son.refresh_from_db()
    assert son.birth_date == dt.date(1981, 2, 3) and son.sex == "2"
    assert son.name_initials == "zhy"  # 曾 as a surname reads zēng


def test_set_head_keeps_the_relation_history(meishan_officer: Any, family: Any) -> None:
    son = Person.objects.get(name="陈浩宇")
    old = family.head
    services.set_head(actor=meishan_officer, household=family, person=son, former_head_relation=Relation.PARENT,
                      on=dt.date(2025, 1, 1))
    family.refresh_from_db()
    old.refresh_from_db()
    assert family.head_id == son.pk and old.relation == Relation.PARENT
    rows = list(Membership.objects.filter(person=son).order_by("start_date"))
    assert [r.relation for r in rows] == [Relation.SON, Relation.HEAD]
    assert rows[0].end_date == dt.date(2025, 1, 1) and rows[1].end_date is None


def test_moving_a_member_keeps_history_and_their_own_enrollments_follow(
        meishan_officer: Any, family: Any, zhongshan: Any) -> None:
    son = Person.objects.get(name="陈浩宇")
    gaoling = Programme.objects.get(code="gaoling")
    e = Enrollment.objects.create(programme=gaoling, household=family, person=son, monthly_amount=Decimal("100"),
                                  start_month=dt.date(2024, 1, 1))
    other = services.create_household(actor=meishan_officer, division=zhongshan, hukou_type=HukouType.URBAN,
                                      head={"name": "黄玉珍", "id_number": make_id(birth=dt.date(1982, 4, 4), seq=58)})
    services.move_member(actor=meishan_officer, person=son, to_household=other, relation=Relation.SPOUSE,
                         on=dt.date(2025, 3, 1), reason="婚嫁")
    son.refresh_from_db()
    e.refresh_from_db()
    assert son.household_id == other.pk and son.relation == Relation.SPOUSE
    hist = list(Membership.objects.filter(person=son).order_by("start_date"))
    assert [(m.household_id, m.end_date) for m in hist] == [(family.pk, dt.date(2025, 3, 1)), (other.pk, None)]
    assert e.household_id == other.pk


def test_the_head_cannot_leave_before_a_new_head_is_named(meishan_officer: Any, family: Any, zhongshan: Any) -> None:
    other = services.create_household(actor=meishan_officer, division=zhongshan, hukou_type=HukouType.URBAN,
                                      head={"name": "黄玉珍", "id_number": make_id(birth=dt.date(1982, 4, 4), seq=58)})
    with pytest.raises(ValidationError) as e:
        services.move_member(actor=meishan_officer, person=family.head, to_household=other, relation="99")
    assert "新户主" in e.value.messages[0]


def test_recording_a_death_ends_membership_and_flags_live_benefits(meishan_officer: Any, family: Any) -> None:
    wife = Person.objects.get(name="林秀英")
    Enrollment.objects.create(programme=Programme.objects.get(code="gaoling"), household=family, person=wife,
                              monthly_amount=Decimal("100"), start_month=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        services.record_death(actor=meishan_officer, person=wife, death_date=dates.today() + dt.timedelta(days=1))
    services.record_death(actor=meishan_officer, person=wife, death_date=dt.date(2025, 5, 6))
    wife.refresh_from_db()
    assert wife.is_deceased and wife.death_date == dt.date(2025, 5, 6)
    assert Membership.objects.get(person=wife).end_date == dt.date(2025, 5, 6)
    items = [t for t in tasks.for_user(meishan_officer) if t.kind == "已故仍在保"]
    assert len(items) == 1 and "林秀英" in items[0].title
    assert Enrollment.objects.get(person=wife).status == EnrollmentStatus.ACTIVE  # stopping is assistance's procedure


def test_incomes_and_assets_are_dated_and_checked(meishan_officer: Any, family: Any) -> None:
    i = services.add_income(actor=meishan_officer, household=family, category="transfer", monthly_amount="180元",
                            period_start=dt.date(2024, 1, 1), person=family.head, item="城乡居民基础养老金")
    assert i.monthly_amount == Decimal("180.00")
    with pytest.raises(ValidationError):
        services.add_income(actor=meishan_officer, household=family, category="wage", monthly_amount="-1",
                            period_start=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError):
        services.add_income(actor=meishan_officer, household=family, category="salary", monthly_amount="1",
                            period_start=dt.date(2024, 1, 1))
    services.end_income(actor=meishan_officer, income=i, period_end=dt.date(2024, 12, 31))
    a = services.add_asset(actor=meishan_officer, household=family, kind="vehicle", value="35000",
                           description="小型轿车", acquired_on=dt.date(2023, 5, 1))
    with pytest.raises(ValidationError):
        services.dispose_asset(actor=meishan_officer, asset=a, disposed_on=dt.date(2020, 1, 1))


def test_other_townships_and_read_only_roles_cannot_write(family: Any, xiadao_officer: Any, auditor: Any,
                                                          zhongshan: Any) -> None:
    with pytest.raises(Http404):
        services.update_person(actor=xiadao_officer, person=family.head, name="改名")
    with pytest.raises(PermissionDenied):
        services.create_household(actor=xiadao_officer, division=zhongshan, hukou_type="urban",
                                  head={"name": "某", "id_number": make_id(seq=99)})
    with pytest.raises(PermissionDenied):
        services.update_person(actor=auditor, person=family.head, name="改名")
    assert Person.objects.get(pk=family.head_id).name == "陈志富"


def test_households_live_in_villages_only(meishan_officer: Any, meishan: Any) -> None:
    with pytest.raises(ValidationError) as e:
        services.create_household(actor=meishan_officer, division=meishan, hukou_type="urban",
                                  head={"name": "某", "id_number": make_id(seq=99)})
    assert "村(社区)" in e.value.messages[0]


def test_role_fixture_sanity(coordinator: Any) -> None:
    assert coordinator.role == Role.VILLAGE_COORDINATOR


def test_database_constraints_back_the_rules(family: Any) -> None:
    from django.db import IntegrityError, transaction

    head = family.head
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(household=family, name="重复", id_number=head.id_number, birth_date=head.birth_date,
                              sex="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=head.pk).update(disability_grade=5)
    # bulk paths that bypass save() still get initials from the import; save() always refreshes them
    p = Person.objects.get(pk=head.pk)
    p.name = "欧阳志富"
    p.save(update_fields=["name"])
    p.refresh_from_db()
    assert p.name_initials == "oyzf"
