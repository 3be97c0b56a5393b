"""特困 care on one file: a care agreement always names its carer, an institution's beds and occupancy, and moving
between 分散 and 集中 keeps the same file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from minzheng.care.models import Admission, CareAgreement, CareFile, Group
from minzheng.care.services import files, tekun
from minzheng.core import dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def tekun_file(family: Any, meishan_officer: Any) -> CareFile:
    return files.open_file(actor=meishan_officer, person=family().members.get(), group=Group.TEKUN)


@pytest.fixture
def home(meishan: Any, meishan_officer: Any) -> Any:
    return tekun.create_institution(actor=meishan_officer, division=meishan, name="梅山街道敬老院",
                                    kind="nursing_home", beds=1)


def test_a_care_agreement_without_a_carer_is_refused_and_nothing_written(tekun_file: CareFile,
                                                                         meishan_officer: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        tekun.sign_agreement(actor=meishan_officer, file=tekun_file, carer_name="  ", services=["生活照料"])
    assert exc.value.message_dict == {"carer_name": ["委托照料协议必须写明照料人"]}
    assert not CareAgreement.objects.exists()


def test_services_must_come_from_the_parameter_list(tekun_file: CareFile, meishan_officer: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        tekun.sign_agreement(actor=meishan_officer, file=tekun_file, carer_name="侄子", services=["代缴话费"])
    assert "services" in exc.value.message_dict


def test_moving_into_an_institution_and_back_home_keeps_one_file(tekun_file: CareFile, meishan_officer: Any,
                                                                 home: Any) -> None:
    # given: 分散供养 under an agreement
    a = tekun.sign_agreement(actor=meishan_officer, file=tekun_file, carer_name="村委会", services=["生活照料"],
                             monthly_fee="200", start=dates.today() - dt.timedelta(days=60))
    assert tekun.arrangement(tekun_file) == "dispersed"
    # when: admitted
    adm = tekun.admit(actor=meishan_officer, file=tekun_file, institution=home, bed="1",
                      on=dates.today() - dt.timedelta(days=30))
    # then: the agreement ended that day, the file is the same and now 集中
    a.refresh_from_db()
    assert a.end == adm.admitted_on and tekun.arrangement(tekun_file) == "central"
    assert tekun.occupancy(type(home).objects.filter(pk=home.pk))[0]["occupied"] == 1
    # when: discharged home without a carer although a carer is given as needed → refused, still in the bed
    with pytest.raises(ValidationError) as exc:
        tekun.discharge(actor=meishan_officer, admission=adm, reason="回家", to_home=True, carer_name="x",
                        services=[])
    assert "services" in exc.value.message_dict
    adm.refresh_from_db()
    assert adm.discharged_on is None
    # and with one: back to 分散 on the same file, with a new agreement
    tekun.discharge(actor=meishan_officer, admission=adm, reason="回家", to_home=True, carer_name="侄子",
                    services=["生活照料"])
    assert tekun.arrangement(tekun_file) == "dispersed"
    assert CareFile.objects.filter(person=tekun_file.person, group=Group.TEKUN).count() == 1
    assert tekun_file.agreements.filter(end__isnull=True).get().carer_name == "侄子"


def test_a_full_institution_and_a_taken_bed_are_refused(family: Any, meishan_officer: Any, home: Any) -> None:
    f1 = files.open_file(actor=meishan_officer, person=family().members.get(), group=Group.TEKUN)
    f2 = files.open_file(actor=meishan_officer, person=family().members.get(), group=Group.TEKUN)
    tekun.admit(actor=meishan_officer, file=f1, institution=home, bed="1")
    with pytest.raises(ValidationError) as exc:
        tekun.admit(actor=meishan_officer, file=f2, institution=home, bed="1")
    assert "bed" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        tekun.admit(actor=meishan_officer, file=f2, institution=home, bed="2")
    assert "床位已满" in str(exc.value)
    assert Admission.objects.count() == 1


def test_the_care_level_comes_from_the_self_care_assessment(family: Any, meishan_officer: Any, home: Any) -> None:
    from minzheng.assistance.models import Application
    from minzheng.registry.models import Programme

    hh = family()
    person = hh.members.get()
    Application.objects.create(programme=Programme.objects.get(code="tekun_dispersed"), household=hh,
                               applicant=person, person=person, division=hh.division, township=hh.division.parent,
                               received_on=dates.today(), selfcare_failed=["eat", "dress", "bed", "toilet"])
    f = files.open_file(actor=meishan_officer, person=person, group=Group.TEKUN)
    assert tekun.self_care_tier(f, dates.today()) == "full"
    assert tekun.needs_agreement(f, dates.today()) and tekun.institution_priority(f, dates.today())
    assert tekun.admit(actor=meishan_officer, file=f, institution=home, bed="1").care_tier == "full"
