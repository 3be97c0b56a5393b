"""Property tests for the ledger cell parsers: any common way of writing a date, an amount or a name reads back
as the same value; money is never a float."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minzheng.registry.ledger import parsers as P
from minzheng.registry.ledger.columns import BY_KEY, CANONICAL_ORDER, match_header

pytestmark = pytest.mark.engine_only

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


@settings(deadline=None)
@given(dates)
def test_every_common_date_form_reads_back(d: dt.date) -> None:
    forms = [
        f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}", d.isoformat(),
        f"{d.year}/{d.month}/{d.day}", f"{d.year}-{d.month}-{d.day}", f" {d:%Y.%m.%d} ", f"{d:%Y-%m-%d} 00:00:00",
        d, dt.datetime.combine(d, dt.time(8, 30)), float(int(f"{d:%Y%m%d}")),
        float((d - P.EXCEL_EPOCH).days),   # an Excel serial number in a cell without a date format
    ]
    for form in forms:
        assert P.parse_date(form) == d, form


@settings(deadline=None)
@given(dates)
def test_months_read_as_first_day(d: dt.date) -> None:
    for form in (f"{d.year}-{d.month:02d}", f"{d.year}.{d.month}", f"{d.year}年{d.month}月", f"{d:%Y%m}", d):
        assert P.parse_month(form) == d.replace(day=1), form


@settings(deadline=None)
@given(st.sampled_from(["1950.2.30", "2023年13月1日", "19501345", "昨天", "1950-3"]))
def test_impossible_dates_are_refused(s: str) -> None:
    with pytest.raises(P.CellError):
        P.parse_date(s)


amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999.99"), places=2, allow_nan=False,
                      allow_infinity=False)


@settings(deadline=None)
@given(amounts)
def test_every_common_amount_form_reads_back_exactly(a: Decimal) -> None:
    forms = [str(a), f"{a}元", f"￥{a}", f"¥ {a}", f"{a:,}", f"人民币{a}元", float(a), f"{a:.2f}"]
    for form in forms:
        got = P.parse_amount(form)
        assert isinstance(got, Decimal) and got == a, form
        assert got.as_tuple().exponent == -2


@settings(deadline=None)
@given(amounts.filter(lambda a: a > 0))
def test_negative_amounts_are_refused(a: Decimal) -> None:
    for form in (f"-{a}", -float(a)):
        with pytest.raises(P.CellError, match="不能为负数"):
            P.parse_amount(form)


@settings(deadline=None)
@given(st.sampled_from(["四百五", "450/月", "约450", "4.5.0", "True", "450.123"]))
def test_non_numeric_amounts_are_refused(s: str) -> None:
    with pytest.raises(P.CellError):
        P.parse_amount(s)


def test_blank_amount_is_none() -> None:
    assert P.parse_amount("  ") is None and P.parse_amount(None) is None


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
names = st.text(cjk, min_size=1, max_size=6)


@settings(deadline=None)
@given(names, st.lists(st.sampled_from([" ", "　", "\t"]), max_size=3))
def test_names_lose_alignment_spaces_and_are_stable(name: str, spaces: list[str]) -> None:
    padded = name[0] + "".join(spaces) + name[1:]
    assert P.parse_name(padded) == name
    assert P.parse_name(P.parse_name(padded)) == name


@settings(deadline=None)
@given(names, names, st.sampled_from(["•", "・", "·", "．"]))
def test_minority_name_separators_are_unified(a: str, b: str, sep: str) -> None:
    assert P.parse_name(f"{a}{sep}{b}") == f"{a}·{b}"


@settings(deadline=None)
@given(names, st.sampled_from(["1", "（已故）", "(户主)", "?", "、"]))
def test_names_with_digits_or_brackets_are_refused(name: str, junk: str) -> None:
    with pytest.raises(P.CellError):
        P.parse_name(name + junk)


def test_relations_and_sex() -> None:
    assert [P.parse_relation(s) for s in ("户主", "本人", "妻", "长子", "次女", "孙女", "母亲", "外婆", "弟弟", "儿媳", "侄子")] == [
        "02", "02", "10", "20", "30", "40", "50", "60", "70", "80", "99"]
    assert P.parse_relation("") is None
    with pytest.raises(P.CellError):
        P.parse_relation("邻居")
    assert (P.parse_sex("男"), P.parse_sex("女性"), P.parse_sex(2.0)) == ("1", "2", "2")


def test_accounts_stored_as_numbers_are_refused() -> None:
    assert P.parse_account("6228 4800 1234 5678 901") == "6228480012345678901"
    with pytest.raises(P.CellError, match="存成了数字"):
        P.parse_account(6.228480012345679e18)
    with pytest.raises(P.CellError, match="科学计数法"):
        P.parse_account("6.22848E+18")


def test_every_canonical_header_and_synonym_maps_back() -> None:
    for key in CANONICAL_ORDER:
        col = BY_KEY[key]
        assert match_header(col.header) == key
        for syn in col.synonyms:
            assert match_header(syn) == key, syn
    # full-width brackets, spaces, line breaks and required-field stars are ignored
    assert match_header("月保障金额（元）") == "amount"
    assert match_header("*身份证\n号码") == "id_number"
    assert match_header("保障人数(人)") == "covered"
    assert match_header("村（居）") == "village"


id_like = st.one_of(
    st.text(st.sampled_from("0123456789X"), min_size=18, max_size=18),
    st.builds(lambda region, d, seq: region + f"{d:%Y%m%d}{seq:03d}",
              st.sampled_from(["350702", "352101", "110101", "999999", "350700"]),
              st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2100, 1, 1)),
              st.integers(0, 999)).flatmap(lambda s17: st.sampled_from([s17 + c for c in "0123456789X"])),
)


@settings(deadline=None)
@given(id_like)
def test_the_importers_fast_id_check_agrees_with_idnumber_check(raw: str) -> None:
    from minzheng.registry.idnumber import check
    from minzheng.registry.ledger.validate import fast_id

    today = dt.date(2026, 1, 1)
    fast = fast_id(raw, today, {})
    full = check(raw, today=today)
    if fast is not None:
        assert full.valid and fast == (full.normalized, full.birth_date, full.sex_code)
    else:
        assert not full.valid
