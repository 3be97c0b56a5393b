"""人情保 risk flags explain themselves and open the households behind them; a flag becomes a spot check that the
审核确认 sampling carries out, and its outcome reaches the next year's township assessment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from minzheng.assistance.models import Application, KinshipRegistration, SpotCheck, StaffRole, Status
from minzheng.core import dates
from minzheng.regions.models import Division
from minzheng.registry.models import Household, HukouType, Programme
from minzheng.stats import risk, sampling
from minzheng.stats.models import FlagKind, FlagStatus, RiskFlag, SampleOutcome
from tests.payments.conftest import enroll, make_household, make_person

from .conftest import months_ago

pytestmark = pytest.mark.django_db


def _village_with(village: Division, *, residents: int, dibao_households: int, start: dt.date) -> list[Household]:
    """`residents` registered persons in households of two; the first `dibao_households` get 低保."""
    out = []
    for i in range(residents // 2):
        h = make_household(village, head_name=f"{village.name[:2]}{i}", birth=dt.date(1970, 1, 1 + i % 27))
        Household.objects.filter(pk=h.pk).update(hukou_type=HukouType.RURAL)
        make_person(h, birth=dt.date(1972, 2, 1 + i % 27), relation="10")
        if i < dibao_households:
            enroll(h, "dibao_rural", "700.00", start, covered=2)
        out.append(h)
    return out


@pytest.fixture
def villages(xiadao: Any) -> list[Division]:
    """Eight rural villages (村委会): one peer group."""
    rural = [v for v in Division.objects.filter(parent=xiadao).order_by("code") if not v.is_urban]
    assert len(rural) >= 8
    return rural[:8]


@pytest.fixture
def hot(villages: list[Division]) -> list[Household]:
    """Seven villages at 10% 低保 coverage, one at 60%."""
    start = months_ago(3)
    for v in villages[1:]:
        _village_with(v, residents=20, dibao_households=1, start=start)
    return _village_with(villages[0], residents=20, dibao_households=6, start=start)


def test_a_village_far_above_its_peers_is_flagged_with_its_explanation(villages: list[Division],
                                                                      hot: list[Household]) -> None:
    # when
    flags = risk.detect(months_ago(1))
    # then: exactly the hot village, with the figures compared and the households behind it
    cov = [f for f in flags if f.kind == FlagKind.COVERAGE]
    assert [f.division for f in cov] == [villages[0]]
    f = cov[0]
    assert "60.0%" in f.explanation and "中位数 10.0%" in f.explanation and "不代表存在违规" in f.explanation
    assert sorted(f.households) == sorted(h.pk for h in hot[:6])
    assert f.evidence["z"] >= 3.5
    # and detecting again refreshes, never duplicates
    risk.detect(months_ago(1))
    assert RiskFlag.objects.filter(kind=FlagKind.COVERAGE).count() == 1


def test_the_threshold_is_a_policy_parameter(villages: list[Division], hot: list[Household]) -> None:
    from minzheng.policy import services as policy

    policy.add_version(key="stats.coverage.robust_z", value="500", effective_from=dt.date(2020, 1, 1),
                       source_document="测试：提高阈值")
    assert not [f for f in risk.detect(months_ago(1)) if f.kind == FlagKind.COVERAGE]


def test_growth_after_a_date(villages: list[Division], hot: list[Household]) -> None:
    # given: the hot village's six households all started three months ago; the others too, one each
    found = risk.growth(months_ago(1), since=months_ago(3))
    assert [f.division for f in found] == [villages[0]]
    assert "新增低保 6 户" in found[0].explanation


def test_shared_phone_and_cadre_kin(villages: list[Division], hot: list[Household]) -> None:
    # given: three recipient households of the hot village with one phone, and a 村委会 member's registered relative
    for h in hot[:3]:
        h.phone = "13912345678"
        h.save(update_fields=["phone", "updated_at"])
    head = hot[4].head
    KinshipRegistration.objects.create(division=villages[0], staff_name="王主任", staff_id_number="350702197001010018",
                                       staff_role=StaffRole.VILLAGE_COMMITTEE, post="村委会主任",
                                       relative_name=head.name, relative_id_number=head.id_number, relation="兄弟姐妹",
                                       registered_on=dates.today())
    flags = risk.detect(months_ago(1))
    shared = [f for f in flags if f.kind == FlagKind.SHARED]
    assert len(shared) == 1 and sorted(shared[0].households) == sorted(h.pk for h in hot[:3])
    assert "尾号 5678" in shared[0].explanation and "13912345678" not in shared[0].explanation
    kin = [f for f in flags if f.kind == FlagKind.CADRE_KIN]
    assert len(kin) == 1 and kin[0].households == [hot[4].pk]
    assert "村委会主任王主任的兄弟姐妹" in kin[0].explanation


def test_decided_faster_than_the_investigation(villages: list[Division], hot: list[Household]) -> None:
    h = hot[0]
    Application.objects.create(programme=Programme.objects.get(code="dibao_rural"), household=h, applicant=h.head,
                               division=villages[0], township=villages[0].parent, status=Status.APPROVED,
                               received_on=months_ago(1), decided_on=months_ago(1) + dt.timedelta(days=3),
                               number="TEST-FAST-1")
    found = risk.fast(months_ago(0))
    assert len(found) == 1 and "TEST-FAST-1（3 天）" in found[0].explanation


def _approved_case(h: Household, village: Division) -> Application:
    e = h.enrollments.first()
    return Application.objects.create(programme=e.programme, household=h, applicant=h.head, division=village,
                                      township=village.parent, status=Status.APPROVED,
                                      received_on=months_ago(4), decided_on=months_ago(3), number=f"T{h.pk}",
                                      enrollment=e, confirm_level="township")


def test_a_flag_becomes_a_spot_check_the_county_visits(villages: list[Division], hot: list[Household],
                                                     approver: Any, meishan_officer: Any) -> None:
    cases = {h.pk: _approved_case(h, villages[0]) for h in hot[:6]}
    flag = next(f for f in risk.detect(months_ago(1)) if f.kind == FlagKind.COVERAGE)
    # a township officer cannot draw the county's sample
    from django.http import Http404

    with pytest.raises(Http404):
        sampling.draw(flag=flag, actor=meishan_officer)
    # when: the county turns the flag into a spot check
    sample = sampling.draw(flag=flag, actor=approver)
    # then: at least the minimum (5 of 6), reproducibly ordered by the kept seed, each case put into the county's
    # after-the-fact visits (the 审核确认 sampling)
    items = list(sample.items.all())
    assert len(items) == 5
    assert [i.household_id for i in items] == sampling.order_by_seed(sample.seed, flag.households)[:5]
    for i in items:
        check = SpotCheck.objects.get(application=cases[i.household_id])
        assert check.after_decision and not check.done and check.ratio["flag"] == flag.pk
    flag.refresh_from_db()
    assert flag.status == FlagStatus.SAMPLED
    # when: every visit is recorded (one found not as declared), the last through the case's own action
    for n, i in enumerate(items[:-1]):
        sampling.record_visit(item=i, actor=approver, visited_on=dates.today(), visitors="张三、李四",
                              findings="核实", confirmed=n != 0)
    from minzheng.assistance import services as assistance

    assistance.record_spot_check(cases[items[-1].household_id], actor=approver, visited_on=dates.today(),
                                 visitors="张三、李四", findings="属实", confirmed=True)
    sampling.refresh(sample)
    # then: the sample is done, the flag checked, and the outcome feeds next year's township assessment
    sample.refresh_from_db()
    flag.refresh_from_db()
    assert sample.closed_on is not None and "情况不符 1 户" in sample.outcome_note
    assert flag.status == FlagStatus.CLOSED
    assert SpotCheck.objects.get(application=cases[items[0].household_id]).confirmed is False
    year = dates.today().year
    assert sampling.check_rate(villages[0].parent, year + 1) == Decimal("0.8000")
    assert sampling.check_rate(villages[0].parent, year) is None
    from minzheng.workforce import assessment
    from minzheng.workforce.models import IndicatorSource

    assert assessment.measured(IndicatorSource.RISK_CHECKS, villages[0].parent, year + 1) == Decimal("0.8000")


def test_a_sample_is_drawn_once_and_a_visit_needs_two_visitors(villages: list[Division], hot: list[Household],
                                                             approver: Any) -> None:
    from django.core.exceptions import ValidationError

    flag = next(f for f in risk.detect(months_ago(1)) if f.kind == FlagKind.COVERAGE)
    sample = sampling.draw(flag=flag, actor=approver)
    with pytest.raises(ValidationError, match="重复"):
        sampling.draw(flag=flag, actor=approver)
    item = sample.items.first()
    with pytest.raises(ValidationError, match="两名"):
        sampling.record_visit(item=item, actor=approver, visited_on=dates.today(), visitors="张三", findings="",
                              confirmed=True)
    item.refresh_from_db()
    assert item.outcome == SampleOutcome.PENDING


def test_the_bureau_head_orders_a_spot_check_but_does_not_record_its_visits(
        villages: list[Division], hot: list[Household], make_user: Any, county: Division) -> None:
    """局领导 turns a flag into a spot check (a narrow right of its own, not approval); the visits stay with the
    approvers. An auditor, who reads the same pages, orders nothing."""
    from django.core.exceptions import PermissionDenied

    from minzheng.accounts.roles import Role

    for h in hot[:6]:
        _approved_case(h, villages[0])
    flag = next(f for f in risk.detect(months_ago(1)) if f.kind == FlagKind.COVERAGE)
    head, auditor = make_user(Role.BUREAU_HEAD, county), make_user(Role.AUDITOR, county)
    with pytest.raises(PermissionDenied):
        sampling.draw(flag=flag, actor=auditor)
    sample = sampling.draw(flag=flag, actor=head)
    assert sample.drawn_by == head.username and sample.items.count() == 5
    with pytest.raises(PermissionDenied):
        sampling.record_visit(item=sample.items.first(), actor=head, visited_on=dates.today(),
                              visitors="张三、李四", findings="核实", confirmed=True)
