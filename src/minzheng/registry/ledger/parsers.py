"""Cell parsers for township ledgers: dates, amounts, names and code lists as people type them.

Each parser takes a raw cell value (str, float, int, bool, date, datetime or None, as python-calamine or csv give
them) and returns the parsed value or raises `CellError` with a Chinese message. Money is always Decimal.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read; the message is shown to the user as is."""


def text(value: Any) -> str:
    """A cell as trimmed text; whole floats print without ".0" (calamine gives every number as float)."""
    if value is None:
        return ""
    if type(value) is str and value.isascii():
        return value.strip()   # NFKC leaves ASCII unchanged; most cells (IDs, numbers, accounts) are ASCII
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if type(value) is str:
        return not value or not value.strip()
    return isinstance(value, str) and not value.strip()


# ---------------------------------------------------------------- dates

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def _excel_serial(n: float) -> dt.date:
    if not 1 <= n < 2958466:
        raise CellError(f"“{text(n)}”不是有效日期")
    return EXCEL_EPOCH + dt.timedelta(days=int(n))


def _ymd(y: str, m: str, d: str, raw: Any) -> dt.date:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError as exc:
        raise CellError(f"“{text(raw)}”不是有效日期") from exc


def parse_date(value: Any) -> dt.date | None:
    """1950.3.15, 1950年3月15日, 19500315, 1950-03-15, 1950/3/15, Excel dates and serial numbers. Blank → None."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(f"“{text(value)}”不是日期")
    if isinstance(value, int | float):
        if float(value).is_integer() and 10000101 <= value <= 99991231:
            s = str(int(value))
            return _ymd(s[:4], s[4:6], s[6:], value)
        return _excel_serial(float(value))
    s = text(value)
    for pat in _DATE_PATTERNS:
        if m := pat.match(s):
            return _ymd(m.group(1), m.group(2), m.group(3), value)
    raise CellError(f"“{s}”不是可识别的日期（可写作 1950-03-15、1950.3.15、1950年3月15日 或 19500315）")


def parse_month(value: Any) -> dt.date | None:
    """A month (first day): 2024-05, 2024.5, 2024年5月, 202405, or any full date. Blank → None."""
    if is_blank(value):
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        s = text(value)
        for pat in _MONTH_PATTERNS:
            if (m := pat.match(s)) and 1 <= int(m.group(2)) <= 12:
                return dt.date(int(m.group(1)), int(m.group(2)), 1)
    try:
        d = parse_date(value)
    except CellError as exc:
        raise CellError(f"“{text(value)}”不是可识别的月份（可写作 2024-05、2024年5月 或 202405）") from exc
    return d.replace(day=1) if d else None


def parse_partial_date(value: Any) -> tuple[int, int | None, int | None] | None:
    """出生年月 columns often hold only year and month ("1950.03"): (year, month, day) with None for the missing parts."""
    if is_blank(value):
        return None
    s = text(value) if not isinstance(value, dt.date) else ""
    if s:
        for pat in _MONTH_PATTERNS:
            if (m := pat.match(s)) and 1 <= int(m.group(2)) <= 12:
                return int(m.group(1)), int(m.group(2)), None
        if re.fullmatch(r"\d{4}\s*年?", s) and not isinstance(value, float | int):
            return int(s[:4]), None, None
    d = parse_date(value)
    assert d is not None
    return d.year, d.month, d.day


# ---------------------------------------------------------------- money

_MONEY_NOISE = re.compile(r"(人民币|rmb|cny|元整|元|圆|[￥¥,，\s])", re.IGNORECASE)


def parse_amount(value: Any) -> Decimal | None:
    """450, 450.00, "450.5", 450元, ￥450, "1,200.00" → Decimal with two places. Blank → None.
    Negative, non-numeric or more than two decimal places → CellError."""
    if is_blank(value):
        return None
    if isinstance(value, bool) or isinstance(value, dt.date):
        raise CellError(f"金额“{text(value)}”不是数字")
    if isinstance(value, float):
        # calamine gives numbers as float; repr is the shortest text that round-trips, so 450.1 stays 450.1.
        raw = repr(value)
    else:
        raw = text(value)
    s = _MONEY_NOISE.sub("", unicodedata.normalize("NFKC", raw))
    try:
        amount = Decimal(s)
    except InvalidOperation as exc:
        raise CellError(f"金额“{text(value)}”不是数字") from exc
    if not amount.is_finite():
        raise CellError(f"金额“{text(value)}”不是数字")
    if amount < 0:
        raise CellError(f"金额“{text(value)}”不能为负数")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(f"金额“{text(value)}”最多保留两位小数")
    if amount >= Decimal("100000000"):
        raise CellError(f"金额“{text(value)}”过大")
    return amount.quantize(Decimal("0.01"))


def parse_count(value: Any) -> int | None:
    """A head count: 3, "3", "3人", 3.0. Blank → None."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        n = int(value)
    else:
        s = re.sub(r"[人口\s]", "", text(value))
        if not s.isdigit():
            raise CellError(f"人数“{text(value)}”不是整数")
        n = int(s)
    if n < 0 or n > 99:
        raise CellError(f"人数“{text(value)}”不合理")
    return n


# ---------------------------------------------------------------- names

_NAME_SEPARATORS = str.maketrans({"•": "·", "・": "·", "‧": "·", "∙": "·", "．": "·", "⋅": "·", ".": "·", "･": "·"})
_NAME_OK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f〇A-Za-z·]+$")
# Plain Han names, which NFKC, separator and space handling leave unchanged: accepted as written.
_PLAIN_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{1,64}")


def parse_name(value: Any) -> str:
    """A person's name: spaces used to align two-character names are removed ("张　三" → "张三"), middle-dot
    variants of minority names unified to "·". Empty, digits or brackets → CellError."""
    if type(value) is str and _PLAIN_NAME.fullmatch(value):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(f"姓名“{text(value)}”不是文字")
    s = unicodedata.normalize("NFKC", str(value or "")).translate(_NAME_SEPARATORS)
    s = re.sub(r"\s+", "", s).strip("·")
    s = re.sub(r"·{2,}", "·", s)
    if not s:
        raise CellError("姓名为空")
    if not _NAME_OK.match(s):
        raise CellError(f"姓名“{s}”含有数字、括号或其他非姓名字符")
    if len(s) > 64:
        raise CellError(f"姓名“{s[:10]}…”过长")
    return s


def name_key(value: Any) -> str:
    """A name for comparison (户主姓名 against the head's row)."""
    try:
        return parse_name(value)
    except CellError:
        return text(value)


# ---------------------------------------------------------------- code lists

RELATIONS: dict[str, str] = {}


def _relations() -> dict[str, str]:
    if not RELATIONS:
        groups = {
            "02": "户主 本人 户主本人 申请人",
            "10": "配偶 妻 妻子 夫 丈夫 爱人 之妻 之夫 夫妻 老伴",
            "20": "子 儿子 长子 次子 三子 四子 五子 独子 养子 继子 之子 儿",
            "30": "女 女儿 长女 次女 三女 四女 五女 独女 养女 继女 之女",
            "40": "孙子女 孙子 孙女 外孙 外孙子 外孙女 孙 曾孙 曾孙女 重孙 重孙女",
            "50": "父母 父亲 母亲 父 母 公公 婆婆 岳父 岳母 继父 继母 养父 养母",
            "60": "祖父母或外祖父母 祖父母 祖父 祖母 外祖父 外祖母 爷爷 奶奶 外公 外婆",
            "70": "兄弟姐妹 兄 弟 姐 妹 哥哥 弟弟 姐姐 妹妹 兄弟 姐妹",
            "80": "儿媳/女婿 儿媳 媳妇 女婿 儿媳妇",
            "99": "其他 其它 侄子 侄女 外甥 外甥女 叔叔 伯伯 姑姑 舅舅 阿姨 亲属 其他亲属",
        }
        for code, words in groups.items():
            for w in words.split():
                RELATIONS[w] = code
            RELATIONS[code] = code
    return RELATIONS


def parse_relation(value: Any) -> str | None:
    """与户主关系 → GB/T 4761 code ("02" 户主 …). Blank → None; unknown → CellError."""
    if is_blank(value):
        return None
    s = re.sub(r"\s+", "", text(value))
    table = _relations()
    if s in table:
        return table[s]
    if s.isdigit() and s.zfill(2) in table:
        return table[s.zfill(2)]
    raise CellError(f"与户主关系“{s}”无法识别")


def parse_sex(value: Any) -> str | None:
    """"男"/"女"/"1"/"2" → "1"/"2" (GB/T 2261.1)."""
    if is_blank(value):
        return None
    s = text(value).replace("性", "")
    if s in ("男", "1", "m", "M"):
        return "1"
    if s in ("女", "2", "f", "F"):
        return "2"
    raise CellError(f"性别“{text(value)}”应为 男 或 女")


def parse_choice(value: Any, choices: list[tuple[str, str]], synonyms: dict[str, str] | None = None,
                 label: str = "") -> str | None:
    """A code-list value by label ("汉族", "汉"), code ("01") or synonym. Blank → None; unknown → CellError."""
    if is_blank(value):
        return None
    s = re.sub(r"\s+", "", text(value))
    for code, name in choices:
        name = str(name)
        if s in (code, name) or (len(s) >= 1 and name.endswith("族") and s == name[:-1]):
            return code
    if synonyms and s in synonyms:
        return synonyms[s]
    if s.isdigit():
        for code, _ in choices:
            if code.isdigit() and int(code) == int(s):
                return code
    raise CellError(f"{label}“{s}”无法识别")


HUKOU_SYNONYMS = {"城镇": "urban", "城市": "urban", "非农业": "urban", "非农": "urban", "城镇户口": "urban", "居民": "urban",
                  "农村": "rural", "农业": "rural", "农村户口": "rural", "农业户口": "rural"}
EDUCATION_SYNONYMS = {"文盲": "90", "半文盲": "90", "小学": "80", "初中": "70", "高中": "60", "中专": "40", "中技": "40",
                      "技校": "40", "职高": "40", "大专": "30", "专科": "30", "本科": "20", "大学": "20", "研究生": "10",
                      "硕士": "10", "博士": "10", "学龄前": "00", "无": "90"}
MARITAL_SYNONYMS = {"未婚": "10", "已婚": "20", "初婚": "20", "再婚": "20", "复婚": "20", "有配偶": "20", "丧偶": "30", "离婚": "40",
                    "离异": "40"}
HEALTH_SYNONYMS = {"健康": "1", "良好": "1", "一般": "2", "较弱": "2", "慢性病": "3", "有慢性病": "3", "大病": "4", "重病": "4",
                   "患有大病": "4", "残疾": "6"}
WORK_SYNONYMS = {"有": "full", "有劳动能力": "full", "健全": "full", "部分丧失": "partial", "部分丧失劳动能力": "partial",
                 "弱劳动能力": "partial", "无": "none", "无劳动能力": "none", "丧失劳动能力": "none", "完全丧失": "none",
                 "完全丧失劳动能力": "none", "非劳动年龄": "na", "非劳动力": "na"}
DISABILITY_SYNONYMS = {"视力": "1", "听力": "2", "言语": "3", "肢体": "4", "智力": "5", "精神": "6", "多重": "7"}
GRADE_SYNONYMS = {"一级": "1", "二级": "2", "三级": "3", "四级": "4", "1级": "1", "2级": "2", "3级": "3", "4级": "4",
                  "一": "1", "二": "2", "三": "3", "四": "4"}


def parse_account(value: Any) -> str:
    """银行账号: digits only (spaces and dashes removed). A number cell has lost digits in Excel: refused."""
    if type(value) is str and value.isdigit() and value.isascii() and 6 <= len(value) <= 32:
        return value   # the usual cell, which the rules below would return unchanged
    if is_blank(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError("银行账号被 Excel 存成了数字，超过 15 位的部分已丢失；请将该列设为文本格式后重新填写")
    s = re.sub(r"[\s\-]", "", text(value))
    if looks_scientific(s):
        raise CellError("银行账号被存成了科学计数法数字（如 6.2E+18），末几位已丢失；请设为文本后重新填写")
    if not s.isdigit() or not 6 <= len(s) <= 32:
        raise CellError(f"银行账号“{s}”应为 6–32 位数字")
    return s


def parse_phone(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 11-digit mobiles fit in a float exactly
    s = re.sub(r"[\s]", "", text(value))
    if not re.fullmatch(r"[0-9+\-()（）/、,，]{5,32}", s):
        raise CellError(f"联系电话“{s}”格式不正确")
    return s[:32]


_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")


def looks_scientific(s: str) -> bool:
    return bool(_SCIENTIFIC.match(s))
