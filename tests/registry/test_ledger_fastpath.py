"""The ledger check has a fast path that builds plainly valid households directly and hands everything else to the
exact path. The two must never disagree: the same households written, the same errors and warnings, the same
totals. Checked on the messy ledger and on random ledgers whose cells are spoiled the way townships spoil them."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minzheng.regions.models import Division, Level
from minzheng.registry.ledger.validate import Validator, read_spool
from minzheng.registry.ledger.writer import PERSON_ABSENT

from .test_ledger_files import bad_check, build_messy_ledger, make_id

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 6, 15)
HEADERS = ["序号", "乡镇", "村(居)", "户主姓名", "姓名", "身份证号码", "与户主关系", "性别", "出生日期", "民族", "联系电话",
           "文化程度", "保障人数", "月保障金额(元)", "开户银行", "银行账号"]


def check(path: Path, *, fast: bool) -> dict[str, Any]:
    """Validate `path` with or without the fast path; what it would write and everything it reports."""
    spool = tempfile.TemporaryFile()
    v = Validator(scope=None, programme_option=None, today=TODAY, spool=spool)
    taken = {"fast": 0}
    if fast:
        plain = v._fast_household

        def counting(d: Any) -> Any:
            got = plain(d)
            taken["fast"] += got is not None
            return got

        v._fast_household = counting  # type: ignore[method-assign]
    else:
        v._fast_household = lambda d: None  # type: ignore[method-assign]
    v.run(path)
    s = v.stats
    batches = list(read_spool(spool))
    # A batch names the person fields its households fill; every other one holds what an empty cell gives,
    # which is what the writer leaves there.
    for fields, households in batches:
        for h in households:
            for person in h[6]:
                assert all(person[i] == PERSON_ABSENT[i] for i in range(17) if i not in fields), (fields, person)
    return {
        "households": [h for _, households in batches for h in households],
        "errors": sorted((e.sheet, e.row or 0, e.column, e.message) for e in v.errors),
        "warnings": sorted((w.sheet, w.row or 0, w.column, w.message) for w in v.warnings),
        "stats": (s.households, s.persons, s.enrollments, s.monthly_total, s.invalid_households, s.programmes),
        "fast": taken["fast"],
    }


def assert_same(path: Path) -> dict[str, Any]:
    exact = check(path, fast=False)
    quick = check(path, fast=True)
    assert quick["households"] == exact["households"]
    assert quick["errors"] == exact["errors"]
    assert quick["warnings"] == exact["warnings"]
    assert quick["stats"] == exact["stats"]
    return quick


def test_messy_ledger_same_either_way(tmp_path: Path, county: Any) -> None:
    got = assert_same(build_messy_ledger(tmp_path / "messy.xlsx"))
    assert got["fast"] > 0 and got["errors"]


# ---------------------------------------------------------------- random ledgers

SPOIL_ID = ["ok", "ok", "ok", "checksum", "lower_x", "spaces", "number", "blank", "duplicate", "fullwidth"]
SPOIL_NAME = ["ok", "ok", "ok", "space", "digit", "dot", "blank", "number"]
SPOIL_REL = ["ok", "ok", "ok", "synonym", "unknown", "blank", "code"]
SPOIL_SEX = ["ok", "ok", "wrong", "long", "garbage", "blank", "code"]
SPOIL_BIRTH = ["date", "dots", "chinese", "compact", "month", "wrong", "garbage", "blank", "datetime", "serial"]
SPOIL_PHONE = ["mobile", "mobile", "landline", "garbage", "blank", "float"]
SPOIL_EDU = ["blank", "blank", "小学", "初中", "80", "大学本科", "火星"]
SPOIL_HOUSE = ["ok", "ok", "ok", "covered_high", "covered_text", "amount_text", "amount_yuan", "amount_negative",
               "amount_word", "account_spaces", "account_bad", "account_number", "village_short", "village_bad",
               "no_head", "two_heads", "head_name_differs", "no_amount", "seq_repeat"]

PLAIN = ("ok", "ok", "ok", "ok", "date", "mobile", "blank")
DIMENSIONS = (SPOIL_ID, SPOIL_NAME, SPOIL_REL, SPOIL_SEX, SPOIL_BIRTH, SPOIL_PHONE, SPOIL_EDU)
# Mostly plain people with one thing wrong at a time, so each check of the fast path meets its own case.
person = st.one_of(st.just(PLAIN), st.integers(0, len(PLAIN) - 1).flatmap(
    lambda d: st.sampled_from(DIMENSIONS[d]).map(lambda v: (*PLAIN[:d], v, *PLAIN[d + 1:]))))
household = st.tuples(st.one_of(st.just("ok"), st.sampled_from(SPOIL_HOUSE)), st.lists(person, min_size=1, max_size=4))


def _places() -> list[tuple[str, str]]:
    town = Division.objects.get(level=Level.TOWNSHIP, name="夏道镇")
    villages = list(Division.objects.filter(parent=town).order_by("code")[:3])
    return [(town.name, v.name) for v in villages]


def write_ledger(path: Path, households: list[tuple[str, list[tuple[str, ...]]]]) -> None:
    places = _places()
    wb = xlsxwriter.Workbook(str(path))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws = wb.add_worksheet("农村低保")
    ws.write_string(0, 0, "夏道镇农村低保台账")
    for c, h in enumerate(HEADERS):
        ws.write_string(1, c, h)
    r = 2
    seq = 0
    first_id = ""
    for hno, (spoil, members) in enumerate(households, start=1):
        town, village = places[hno % len(places)]
        if spoil == "village_short":
            village = village.replace("村委会", "村")
        elif spoil == "village_bad":
            village = "不存在村"
        head_name = ""
        for i, (sid, sname, srel, ssex, sbirth, sphone, sedu) in enumerate(members):
            seq += 1
            male = seq % 2 == 1
            birth = dt.date(1940 + seq % 60, 1 + seq % 12, 1 + seq % 28)
            idn = make_id(birth, seq, male=male)
            first_id = first_id or idn
            name = "陈" + "志富秀英明华"[seq % 6] + "建国丽芳"[seq % 4]
            if i == 0:
                head_name = name
                ws.write_number(r, 0, hno if spoil != "seq_repeat" else max(1, hno - 1))
                ws.write_string(r, 1, town)
                ws.write_string(r, 2, village)
                ws.write_string(r, 3, head_name + ("某" if spoil == "head_name_differs" else ""))
                covered = len(members) + (3 if spoil == "covered_high" else 0)
                if spoil == "covered_text":
                    ws.write_string(r, 12, f"{covered}人")
                else:
                    ws.write_number(r, 12, covered)
                amounts = {"amount_text": "450.00", "amount_yuan": "450元", "amount_negative": "-100",
                           "amount_word": "四百五"}
                if spoil in amounts:
                    ws.write_string(r, 13, amounts[spoil])
                elif spoil != "no_amount":
                    ws.write_number(r, 13, 450.0 * len(members))
                ws.write_string(r, 14, "延平区农村信用合作联社")
                if spoil == "account_number":
                    ws.write_number(r, 15, 6228480012345678.0)
                else:
                    ws.write_string(r, 15, {"account_spaces": "6228 4800 1234 5678",
                                            "account_bad": "62284800x"}.get(spoil, "6228480012345678"))
            # person cells
            if sname == "number":
                ws.write_number(r, 4, 12)
            elif sname != "blank":
                ws.write_string(r, 4, {"ok": name, "space": name[0] + "　" + name[1:], "digit": name + "2",
                                       "dot": "阿依·" + name}[sname])
            id_cell = {"ok": idn, "checksum": bad_check(idn), "lower_x": idn[:17] + idn[17].lower(),
                       "spaces": f" {idn[:6]} {idn[6:]} ", "blank": "", "duplicate": first_id,
                       "fullwidth": idn.translate(str.maketrans("0123456789", "０１２３４５６７８９"))}
            if sid == "number":
                ws.write_number(r, 5, float(idn[:17]))
            elif id_cell[sid]:
                ws.write_string(r, 5, id_cell[sid])
            rel = "户主" if i == 0 else "子"
            if spoil == "no_head" and i == 0:
                rel = "配偶"
            if spoil == "two_heads" and i == 1:
                rel = "户主"
            rel = {"ok": rel, "synonym": {"户主": "本人", "子": "儿子", "配偶": "妻"}[rel] if rel in ("户主", "子", "配偶")
                   else rel, "unknown": "邻居", "blank": "", "code": {"户主": "02", "子": "20", "配偶": "10"}[rel]}[srel]
            if rel:
                ws.write_string(r, 6, rel)
            sex = {"ok": "男" if male else "女", "wrong": "女" if male else "男", "long": "男性" if male else "女性",
                   "garbage": "?", "blank": "", "code": "1" if male else "2"}[ssex]
            if sex:
                ws.write_string(r, 7, sex)
            if sbirth in ("date", "datetime"):
                ws.write_datetime(r, 8, dt.datetime.combine(birth, dt.time()), date_fmt)
            elif sbirth == "serial":
                ws.write_number(r, 8, (birth - dt.date(1899, 12, 30)).days)
            elif sbirth != "blank":
                ws.write_string(r, 8, {"dots": f"{birth.year}.{birth.month}.{birth.day}",
                                       "chinese": f"{birth.year}年{birth.month}月{birth.day}日",
                                       "compact": f"{birth:%Y%m%d}", "month": f"{birth.year}.{birth.month:02d}",
                                       "wrong": f"{birth.year - 1}-01-01", "garbage": "不详"}[sbirth])
            ws.write_string(r, 9, "汉族" if seq % 3 else "汉")
            if sphone == "float":
                ws.write_number(r, 10, 13905991234.0)
            elif sphone != "blank":
                ws.write_string(r, 10, {"mobile": "13905991234", "landline": "0599-8123456", "garbage": "无"}[sphone])
            if sedu != "blank":
                ws.write_string(r, 11, sedu)
            r += 1
    ws.write_string(r + 1, 0, "制表人：          审核人：")
    wb.close()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(household, min_size=1, max_size=12))
def test_random_ledgers_same_either_way(tmp_path: Path, county: Any, households: list[Any]) -> None:
    path = tmp_path / "random.xlsx"
    write_ledger(path, households)
    got = assert_same(path)
    if any(spoil == "ok" and all(p == PLAIN for p in members) for spoil, members in households):
        assert got["fast"] > 0
