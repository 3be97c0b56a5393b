"""公民身份号码 checking (GB 11643-1999): published vectors, property tests and the edge cases ledgers contain."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from minzheng.registry import idnumber, regioncodes
from minzheng.registry.pinyin import initials

TODAY = dt.date(2026, 6, 30)
REGIONS = ["350702", "352101", "350721", "110105", "440524", "350102", "810000"]

dates = st.dates(min_value=dt.date(1880, 1, 1), max_value=TODAY)
seqs = st.integers(min_value=0, max_value=999)
regions = st.sampled_from(REGIONS)


def test_published_vectors_are_valid() -> None:
    a = idnumber.check("11010519491231002X", today=TODAY)
    assert a.valid and a.birth_date == dt.date(1949, 12, 31) and a.sex == "女"
    assert a.region == "110105 北京市朝阳区"
    b = idnumber.check("440524188001010014", today=TODAY)
    assert b.valid and b.birth_date == dt.date(1880, 1, 1) and b.sex == "男"
    # 440524 (潮阳县) was only used 1983–1993: the number is valid all the same, with a readable era note.
    assert b.region == "440524 广东省汕头市潮阳县（1983–1993 年使用的旧代码）"


def test_region_code_of_any_era_is_never_rejected_by_birth_year() -> None:
    # An old man born 1930 whose number was issued under the pre-1994 南平市 code 352101, and a baby born 2020 with
    # the same old code (records copied from old files): both valid; the birth year never decides.
    for birth in (dt.date(1930, 5, 1), dt.date(2020, 5, 1)):
        r = idnumber.check(idnumber.make("352101", birth, 11), today=TODAY)
        assert r.valid, r.reason
        assert "旧代码" in (r.region or "")


def test_normalisation_full_width_spaces_and_lower_x() -> None:
    r = idnumber.check("\u3000１１０１０５ 19491231002ｘ\u200b ", today=TODAY)
    assert r.valid and r.normalized == "11010519491231002X"
    assert idnumber.normalize(" 11010519491231002x\t") == "11010519491231002X"


def test_fifteen_digit_numbers_are_upgraded_with_a_notice() -> None:
    r = idnumber.check("350702900101123", today=TODAY)
    assert r.valid and r.normalized == "350702199001011230"
    assert r.notice and "升级" in r.reason
    assert idnumber.check("35070290010112X", today=TODAY).valid is False


@pytest.mark.parametrize(("raw", "fragment"), [
    ("", "为空"),
    ("3507021990010112", "18 位"),
    ("35070219900101123A", "末位"),
    ("3507021990A101123X", "前 17 位"),
    (idnumber.make("350702", dt.date(1990, 1, 1), 123)[:-1] + "9", "校验码"),
    ("350702199002301230", "不是真实存在的日期"),
    (idnumber.make("350702", dt.date(2027, 1, 1), 123), "晚于今天"),
    (idnumber.make("350702", dt.date(1850, 1, 1), 123), "早于"),
    (idnumber.make("999999", dt.date(1990, 1, 1), 123), "地址码"),
    ("3.50702199001011E+17", "存成了数字"),
    (3.50702199001011e17, "存成了数字"),
])
def test_invalid_numbers_say_why_in_chinese(raw: object, fragment: str) -> None:
    r = idnumber.check(raw, today=TODAY)
    assert not r.valid
    assert fragment in r.reason


@settings(max_examples=300, deadline=None)
@given(region=regions, birth=dates, seq=seqs)
def test_any_well_formed_number_is_valid_and_parts_round_trip(region: str, birth: dt.date, seq: int) -> None:
    n = idnumber.make(region, birth, seq)
    r = idnumber.check(n, today=TODAY)
    assert r.valid, r.reason
    assert r.birth_date == birth
    assert r.sex == ("男" if seq % 2 else "女")
    assert r.region and r.region.startswith(region)


@settings(max_examples=300, deadline=None)
@given(region=regions, birth=dates, seq=seqs, pos=st.integers(0, 16), delta=st.integers(1, 9))
def test_any_single_digit_error_is_caught(region: str, birth: dt.date, seq: int, pos: int, delta: int) -> None:
    n = idnumber.make(region, birth, seq)
    wrong = n[:pos] + str((int(n[pos]) + delta) % 10) + n[pos + 1:]
    assert not idnumber.check(wrong, today=TODAY).valid


@settings(max_examples=200, deadline=None)
@given(region=regions, birth=dates, seq=seqs)
def test_transposition_of_adjacent_digits_is_caught(region: str, birth: dt.date, seq: int) -> None:
    n = idnumber.make(region, birth, seq)
    for i in range(16):
        if n[i] != n[i + 1]:
            swapped = n[:i] + n[i + 1] + n[i] + n[i + 2:]
            assert not idnumber.check(swapped, today=TODAY).valid
            break


@settings(max_examples=200, deadline=None)
@given(region=regions, birth=dates, seq=seqs,
       noise=st.lists(st.sampled_from([" ", "\u3000", "\t", "\u200b"]), max_size=3))
def test_normalisation_is_idempotent_and_width_blind(region: str, birth: dt.date, seq: int, noise: list[str]) -> None:
    n = idnumber.make(region, birth, seq)
    full = "".join(chr(ord(c) + 0xFEE0) for c in n)  # full-width digits and Ｘ
    messy = "".join(noise) + full.lower() + "".join(noise)
    assert idnumber.normalize(messy) == n
    assert idnumber.normalize(idnumber.normalize(messy)) == n


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=25))
def test_check_never_crashes(text: str) -> None:
    r = idnumber.check(text, today=TODAY)
    assert isinstance(r.reason, str) and r.reason
    if r.valid:
        assert len(r.normalized) == 18


@settings(max_examples=100, deadline=None)
@given(birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), seq=seqs)
def test_fifteen_to_eighteen_upgrade_keeps_the_parts(birth: dt.date, seq: int) -> None:
    old = f"350702{birth:%y%m%d}{seq:03d}"
    r = idnumber.check(old, today=TODAY)
    assert r.valid and r.birth_date == birth and r.normalized == idnumber.make("350702", birth, seq)


def test_region_names_are_clean() -> None:
    assert regioncodes.name_of("350702") == "福建省南平市延平区"
    assert regioncodes.label_of("350702") == "福建省南平市延平区"
    assert "[" not in (regioncodes.label_of("352100") or "")
    assert regioncodes.lookup("352100").eras[0].name == "建阳地区"
    assert regioncodes.name_of("999999") is None
    assert regioncodes.name_of("12345") is None


def test_idcheck_command_json_and_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("idcheck", "11010519491231002x", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out[0]["valid"] is True and out[0]["normalized"] == "11010519491231002X"
    assert set(out[0]) >= {"input", "normalized", "valid", "reason", "birth_date", "sex", "region"}
    with pytest.raises(SystemExit):
        call_command("idcheck", "11010519491231002X", "123")
    text = capsys.readouterr().out
    assert "身份证号应为 18 位" in text and "北京市朝阳区" in text


@pytest.mark.parametrize(("name", "expected"), [
    ("陈志富", "czf"), ("曾国藩", "zgf"), ("单雄信", "sxx"), ("欧阳修", "oyx"), ("阿依古丽·买买提", "aygl" "mmt"),
])
def test_pinyin_initials(name: str, expected: str) -> None:
    assert initials(name) == expected
