"""The check of one household: its member rows, then its household cells, by the rules in cells.py and ids.py.

One definition serves both paths of validator.py. The exact path passes a report that records every issue; the
fast path passes issues.stop, which gives up at the first one, so a plainly valid household costs no Issue object
and anything else is checked again, exactly. The check changes nothing outside itself but memo tables: the ID
numbers it meets go back to the caller, which records them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import parsers as P
from ..parsers import CellError
from ..reader import Row
from ..resolve import PlaceError
from .batches import ALL_PERSON_FIELDS, Checked
from .cells import HEAD, HUKOU_OF_PROGRAMME
from .ids import duplicate_message, fast_id, id_verdict
from .issues import Report
from .sheet import ABSENT, Draft, SheetCtx

if TYPE_CHECKING:
    from .validator import Validator

Person = tuple[Any, ...]   # the compact person (batches.py)


def check_household(v: Validator, d: Draft, report: Report) -> tuple[Checked | None, frozenset[int],
                                                                        dict[str, int]]:
    """(the household, or None when it is invalid; the person fields it fills; {ID number: row} of its members)."""
    ctx, rows = d.ctx, d.rows
    at, cells, sheet, first = ctx.at, v.cells, ctx.name, rows[0]
    ok = True
    town, town_row = first_filled(rows, at.township)
    village, village_row = first_filled(rows, at.village)
    place = None
    try:
        place = v.places.resolve(town, village, ctx.default_town)
    except PlaceError as exc:
        row = town_row if exc.column == "township" else village_row
        report(True, sheet, row or first, ctx.label(exc.column), str(exc))
        ok = False

    persons, person_rows, ids, head_rows, upgraded = _members(v, ctx, rows, report)
    ok = ok and len(persons) == len(rows)   # a member row with an error is left out of `persons`
    heads = [i for i, p in enumerate(persons) if p[6] == HEAD]
    if at.relation == ABSENT:
        if len(rows) == 1 and persons:
            persons[0] = (*persons[0][:6], HEAD, *persons[0][7:])
            heads = [0]
        elif len(rows) > 1:
            report(True, sheet, first, ctx.label("relation"), "该户有多行成员，但台账缺少“与户主关系”列，无法确定户主")
            ok = False
    elif not head_rows:
        report(True, sheet, first, ctx.label("relation"), "该户没有户主（“与户主关系”中没有“户主”）")
        ok = False
    elif len(head_rows) > 1:
        report(True, sheet, head_rows[1], ctx.label("relation"), f"该户有 {len(head_rows)} 名户主")
        ok = False
    head = heads[0] if len(heads) == 1 else -1

    if head >= 0:
        written, row = first_filled(rows, at.head_name)
        name = persons[head][0]
        if written is not None and written != name and P.name_key(written) != name:
            report(False, sheet, row, ctx.label("head_name"),
                   f"户主姓名“{P.text(written)}”与户主行的姓名“{name}”不一致，以成员行为准")

    hukou, _, hukou_ok = _household_cell(ctx, rows, "hukou_type", cells.hukou, report)
    address = P.text(first_filled(rows, at.address)[0])[:200]
    note = P.text(first_filled(rows, at.note)[0])
    covered, row, covered_ok = _household_cell(ctx, rows, "covered", cells.count, report)
    ok = ok and hukou_ok and covered_ok
    if covered is not None and covered > len(rows):
        report(True, sheet, row, ctx.label("covered"), f"保障人数 {covered} 超过该户登记的成员数 {len(rows)}")
        ok = False

    enrollments: tuple[tuple[Any, ...], ...] = ()
    money: list[tuple[Any, Any]] = []
    if ctx.has_programme:
        enrollments, money, good = _enrollments(v, ctx, rows, persons, person_rows, head, hukou, covered, town,
                                                village, report)
        ok = ok and good
        if money and hukou is None:
            hukou = HUKOU_OF_PROGRAMME.get(money[0][0])
    fields = ALL_PERSON_FIELDS if upgraded else ctx.person_fields
    if not ok or place is None or head < 0:
        return None, fields, ids
    if hukou is None:
        hukou = "urban" if place.village.is_urban else "rural"
    phone = persons[head][13] or next((p[13] for p in persons if p[13]), "")
    id_rows = [(p[1], r, sheet) for p, r in zip(persons, person_rows, strict=True)] if v.check_database else []
    household = (place.village.pk, hukou, address, phone, note, head, tuple(persons), enrollments)
    return (ctx.label("id_number"), household, id_rows, money), fields, ids


def first_filled(rows: list[Row], i: int) -> tuple[Any, Row | None]:
    """A household cell: the first non-blank value (parsers.is_blank, inlined) in column i among the household's
    rows, and its row."""
    if i == ABSENT:
        return None, None
    for r in rows:
        vals = r.values
        if i < len(vals) and (v := vals[i]) is not None and (type(v) is not str or (v and not v.isspace())):
            return v, r
    return None, None


def _household_cell(ctx: SheetCtx, rows: list[Row], key: str, rule: Callable[[Any], Any],
                    report: Report) -> tuple[Any, Row | None, bool]:
    """A household cell by its rule: (the value, None when blank or wrong; its row; False when it is wrong, which is
    reported)."""
    value, row = first_filled(rows, getattr(ctx.at, key))
    if value is None:
        return None, None, True
    try:
        return rule(value), row, True
    except CellError as exc:
        report(True, ctx.name, row, ctx.label(key), str(exc))
        return None, row, False


def _members(v: Validator, ctx: SheetCtx, rows: list[Row], report: Report) -> tuple[
        list[Person], list[Row], dict[str, int], list[Row], bool]:
    """(the valid members, their rows, {ID number: row} of every valid number, the rows naming a 户主, whether an
    old 15-digit number was upgraded)."""
    at, cells, sheet = ctx.at, v.cells, ctx.name
    today, regions, births, seen = v.today, v.regions, v.births, v.seen_ids
    # The rules' memo tables, read here first: a dict lookup where a call would cost more, in the loop that runs
    # for every person (the rule itself decides on a miss).
    names, relations, sexes, initials = cells.names, cells.relations, cells.sexes, cells.initials_memo
    name_i, id_i, rel_i, birth_i, sex_i, phone_i = at.name, at.id_number, at.relation, at.birth_date, at.sex, at.phone
    persons: list[Person] = []
    person_rows: list[Row] = []
    ids: dict[str, int] = {}
    head_rows: list[Row] = []
    upgraded = False
    for r in rows:
        vals = r.values
        n = len(vals)
        ok = True
        name = ""
        if name_i == ABSENT:
            report(True, sheet, r, ctx.label("name"), "台账缺少“姓名”列")
            ok = False
        else:
            try:
                value = vals[name_i] if name_i < n else None
                name = names.get(value) or cells.name(value)
            except CellError as exc:
                report(True, sheet, r, ctx.label("name"), str(exc))
                ok = False

        idn, birth, sex, old15 = "", None, "", ""
        if id_i == ABSENT:
            report(True, sheet, r, ctx.label("id_number"), "台账缺少“身份证号”列")
            ok = False
        else:
            raw = vals[id_i] if id_i < n else None
            if (got := fast_id(raw, today, regions, births)) is not None:
                idn, birth, sex = got
            else:
                try:
                    idn, birth, sex, old15, notice = id_verdict(raw, today)
                except CellError as exc:
                    report(True, sheet, r, ctx.label("id_number"), str(exc))
                    ok = False
                else:
                    if notice:
                        report(False, sheet, r, ctx.label("id_number"), f"{notice}：{old15} → {idn}")
                        upgraded = True
            if idn:
                met = seen.get(idn) or ((sheet, ids[idn]) if idn in ids else None)
                if met is not None:
                    report(True, sheet, r, ctx.label("id_number"), duplicate_message(idn, sheet, met))
                    ok = False
                else:
                    ids[idn] = r.number

        relation = "99"
        if rel_i != ABSENT:
            try:
                value = vals[rel_i] if rel_i < n else None
                relation = relations.get(value) or cells.relation(value)
            except CellError as exc:
                report(False, sheet, r, ctx.label("relation"), f"{exc}，按“其他”导入")
            if relation == HEAD:
                head_rows.append(r)

        if birth is not None:   # 出生日期 and 性别 are only compared with a valid ID number, which wins
            value = vals[birth_i] if birth_i < n else None
            if value is not None:
                try:
                    agrees = cells.birth_agrees(value, birth)
                except CellError:
                    report(False, sheet, r, ctx.label("birth_date"), f"出生日期“{P.text(value)}”无法识别，以身份证号为准")
                else:
                    if not agrees:
                        report(False, sheet, r, ctx.label("birth_date"),
                               f"出生日期“{P.text(value)}”与身份证号（{birth:%Y-%m-%d}）不符，以身份证号为准")
            value = vals[sex_i] if sex_i < n else None
            if value is not None:
                try:
                    given = sexes.get(value) or cells.sex(value)
                except CellError:
                    given = None
                    report(False, sheet, r, ctx.label("sex"), f"性别“{P.text(value)}”无法识别，以身份证号为准")
                if given is not None and given != sex:
                    report(False, sheet, r, ctx.label("sex"),
                           f"性别“{P.text(value)}”与身份证号（{'男' if sex == '1' else '女'}）不符，以身份证号为准")

        codes: list[Any] = ["", "", "", "", "", "", None]
        for pos, i, key, table in at.choices:
            if i < n and (value := vals[i]) is not None:
                try:
                    code = table.get(value) or cells.choice(key, value)
                except CellError as exc:
                    report(False, sheet, r, ctx.label(key), f"{exc}，该项未导入")
                    continue
                if code:
                    codes[pos] = int(code) if pos == 6 else code
        phone = ""
        if phone_i != ABSENT:
            try:
                phone = cells.phone(vals[phone_i] if phone_i < n else None)
            except CellError as exc:
                report(False, sheet, r, ctx.label("phone"), f"{exc}，该项未导入")
        if ok and birth is not None:
            persons.append((name, idn, birth.isoformat(), sex, initials.get(name) or cells.initials(name), codes[0],
                            relation, codes[1], codes[2], codes[3], codes[4], codes[5], codes[6], phone, "", "", old15))
            person_rows.append(r)
    return persons, person_rows, ids, head_rows, upgraded


def _enrollments(v: Validator, ctx: SheetCtx, rows: list[Row], persons: list[Person], person_rows: list[Row],
                 head: int, hukou: str | None, covered: int | None, town: Any, village: Any,
                 report: Report) -> tuple[tuple[tuple[Any, ...], ...], list[tuple[Any, Any]], bool]:
    """The household's enrollment (or, for a per-person programme, its members'), with the head's bank account
    filled in `persons`: (enrollments, [(programme code, amount)], whether no error was found)."""
    at, cells, sheet, first = ctx.at, v.cells, ctx.name, rows[0]
    value, row = first_filled(rows, at.category)
    category = P.text(value)
    programme = cells.programme(ctx, category, hukou, town, village)
    if programme is None:
        report(True, sheet, row or first, ctx.label("category"),
               "无法确定救助项目：请用 --programme 指定，或在工作表名称、标题或“保障类别”中写明（如“农村低保”）")
        return (), [], False
    amount, _, ok = _household_cell(ctx, rows, "amount", cells.amount, report)
    if amount is None and ok:
        report(True, sheet, first, ctx.label("amount"), "缺少月保障金额")
        ok = False
    start, _, start_ok = _household_cell(ctx, rows, "start_month", cells.month, report)
    bank_name = P.text(first_filled(rows, at.bank_name)[0])[:64]
    account, _, account_ok = _household_cell(ctx, rows, "account", cells.account, report)
    ok = ok and start_ok and account_ok
    if not ok or head < 0 or amount is None:
        return (), [], ok
    account = account or ""
    note = cells.category_note(category)
    since = (start or v.start_month).isoformat()
    if programme.per_person:
        got = _per_person(ctx, persons, person_rows, programme.id, programme.code, bank_name, account, since, note,
                          v, report)
        if got is not None:
            return got
        # No member's own amount: the head alone, with the household's amount.
        covered, whom = 1, head
    else:
        whom = -1
    persons[head] = (*persons[head][:14], bank_name, account, persons[head][16])
    return ((programme.id, whom, covered or len(persons), str(amount), since, note),), [(programme.code, amount)], True


def _per_person(ctx: SheetCtx, persons: list[Person], person_rows: list[Row], programme_id: int, code: str,
                bank_name: str, account: str, since: str, note: str, v: Validator,
                report: Report) -> tuple[tuple[tuple[Any, ...], ...], list[tuple[Any, Any]], bool] | None:
    """A per-person programme: one enrollment per member whose own row carries an amount, paid to the member's own
    account where the row has one. None when no member's row has an amount of its own."""
    at, cells, sheet = ctx.at, v.cells, ctx.name
    ok = True
    enrollments, money = [], []
    for i, r in enumerate(person_rows):
        own = r.own(at.amount)
        if P.is_blank(own):
            continue
        try:
            paid = cells.amount(own)
        except CellError as exc:
            report(True, sheet, r, ctx.label("amount"), str(exc))
            ok = False
            continue
        enrollments.append((programme_id, i, 1, str(paid), since, note))
        money.append((code, paid))
        own = r.own(at.account)
        own_account = account
        if not P.is_blank(own):
            try:
                own_account = cells.account(own)
            except CellError as exc:
                report(True, sheet, r, ctx.label("account"), str(exc))
                ok = False
        persons[i] = (*persons[i][:14], bank_name, own_account, persons[i][16])
    if not ok:
        return (), [], False
    return (tuple(enrollments), money, True) if enrollments else None
