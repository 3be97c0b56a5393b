"""The canonical ledger columns (台账标准列) and the header texts townships use for them.

Import recognises every synonym; export and the blank import template write the canonical header (`Column.header`)
in `CANONICAL_ORDER`, so an exported list can be edited and imported again unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    HOUSEHOLD = "household"   # carried by a household's first row (others blank or vertically merged)
    PERSON = "person"         # one value per member row
    IGNORED = "ignored"       # recognised so it is not mistaken for something else, never imported


@dataclass(frozen=True)
class Column:
    key: str
    header: str               # canonical header text, as export and the template write it
    scope: Scope
    synonyms: tuple[str, ...] = ()
    # Starts a new household when it holds a fresh value (序号, 户主姓名, 保障人数, 金额, 账号 …).
    household_key: bool = False
    # Written as text in Excel (numbers there lose digits).
    text: bool = False
    # Part of the programme (享受待遇) columns.
    programme: bool = False
    help: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", Scope.HOUSEHOLD, ("序号", "户序号", "户号", "户编号", "编号", "家庭编号", "no", "no."),
           household_key=True),
    Column("township", "乡镇(街道)", Scope.HOUSEHOLD,
           ("乡镇(街道)", "乡镇", "乡镇街道", "乡(镇)", "乡(镇、街道)", "乡镇(街道办)", "街道", "所属乡镇", "所属乡镇(街道)", "镇(街道)"),
           help="全称或简称，如“梅山街道”或“梅山”"),
    Column("village", "村(社区)", Scope.HOUSEHOLD,
           ("村(社区)", "村", "村(居)", "村居", "村(居)委会", "村委会", "社区", "村(社区)名称", "所属村(社区)", "行政村", "村(居委会)",
            "所在村(社区)", "村(社区)委会"),
           help="全称或简称，如“中山社区居委会”或“中山社区”"),
    Column("hukou_type", "户籍性质", Scope.HOUSEHOLD, ("户籍性质", "户口性质", "户籍类别", "户籍类型", "户口类别", "户口类型"),
           help="城镇/农村"),
    Column("address", "居住地址", Scope.HOUSEHOLD, ("居住地址", "家庭住址", "住址", "地址", "家庭地址", "现住址", "现居住地址", "详细地址")),
    Column("head_name", "户主姓名", Scope.HOUSEHOLD,
           ("户主姓名", "户主", "户主名称", "户主名字", "户主名", "户主姓名(申请人)", "户主(申请人)", "申请人(户主)", "家庭户主",
            "户主姓名(签名)", "户主(代表人)"), household_key=True),
    Column("head_id", "户主身份证号", Scope.HOUSEHOLD, ("户主身份证号", "户主身份证号码", "户主公民身份号码", "户主证件号码"),
           household_key=True, text=True),
    Column("family_size", "家庭人口", Scope.HOUSEHOLD, ("家庭人口", "家庭人口数", "家庭人数", "户人口", "人口数", "家庭成员数"),
           household_key=True),
    Column("name", "姓名", Scope.PERSON, ("姓名", "成员姓名", "家庭成员姓名", "人员姓名", "家庭成员", "保障对象姓名", "救助对象姓名")),
    Column("id_number", "公民身份号码", Scope.PERSON,
           ("公民身份号码", "身份证号", "身份证号码", "证件号码", "身份证", "公民身份证号码", "公民身份证号", "证件号", "成员身份证号",
            "成员身份证号码", "居民身份证号码"), text=True),
    Column("relation", "与户主关系", Scope.PERSON, ("与户主关系", "关系", "家庭关系", "与户主的关系", "与申请人关系", "与户主关系(称谓)")),
    Column("sex", "性别", Scope.PERSON, ("性别",)),
    Column("birth_date", "出生日期", Scope.PERSON, ("出生日期", "出生年月", "出生年月日", "生日", "出生时间")),
    Column("ethnicity", "民族", Scope.PERSON, ("民族",)),
    Column("phone", "联系电话", Scope.PERSON, ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码"), text=True),
    Column("education", "文化程度", Scope.PERSON, ("文化程度", "学历")),
    Column("marital_status", "婚姻状况", Scope.PERSON, ("婚姻状况", "婚姻")),
    Column("health", "健康状况", Scope.PERSON, ("健康状况", "身体状况")),
    Column("work_capacity", "劳动能力", Scope.PERSON, ("劳动能力", "劳动能力状况")),
    Column("disability_category", "残疾类别", Scope.PERSON, ("残疾类别", "残疾类型")),
    Column("disability_grade", "残疾等级", Scope.PERSON, ("残疾等级", "残疾级别")),
    Column("category", "保障类别", Scope.HOUSEHOLD,
           ("保障类别", "救助类别", "保障类型", "供养类别", "救助类型", "低保类别", "类别", "享受类别", "对象类别", "救助项目"),
           programme=True, help="救助项目（如“农村低保”）或本项目内的档次（如“A类”）"),
    Column("covered", "保障人数", Scope.HOUSEHOLD, ("保障人数", "享受人数", "救助人数", "供养人数", "保障人口", "享受人口"),
           household_key=True, programme=True),
    Column("amount", "月保障金额(元)", Scope.HOUSEHOLD,
           ("月保障金额(元)", "月保障金额", "保障金(元)", "保障金", "保障金额", "月保障金", "月救助金额", "救助金额", "补助金额", "月补助金额",
            "发放金额", "月发放金额", "享受金额", "补贴金额", "月补贴金额", "金额", "月保障金(元)", "保障金额(元)", "救助金(元)", "补助标准"),
           household_key=True, programme=True),
    Column("bank_name", "开户银行", Scope.HOUSEHOLD, ("开户银行", "开户行", "银行", "代发银行", "发放银行", "开户银行名称", "银行名称"),
           programme=True),
    Column("account", "银行账号", Scope.HOUSEHOLD,
           ("银行账号", "卡号", "账号", "银行卡号", "存折号", "存折账号", "银行卡号(存折号)", "发放账号", "社保卡号", "一卡通账号", "账户"),
           household_key=True, text=True, programme=True),
    Column("start_month", "起始月份", Scope.HOUSEHOLD,
           ("起始月份", "享受起始时间", "保障起始时间", "起始时间", "纳入时间", "审批时间", "审批日期", "批准时间", "批准日期", "享受时间",
            "开始享受时间", "保障起始月份", "纳入月份"), programme=True),
    Column("note", "备注", Scope.HOUSEHOLD, ("备注", "说明")),
    Column("age", "年龄", Scope.IGNORED, ("年龄", "周岁")),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
# Export and template order: household first, then each member.
CANONICAL_ORDER: tuple[str, ...] = (
    "seq", "township", "village", "hukou_type", "address", "name", "id_number", "relation", "sex", "birth_date",
    "ethnicity", "phone", "education", "marital_status", "health", "work_capacity", "disability_category",
    "disability_grade", "category", "covered", "amount", "bank_name", "account", "start_month", "note",
)
PROGRAMME_KEYS = frozenset(c.key for c in COLUMNS if c.programme and c.key not in ("start_month",))


def canonical_headers(keys: tuple[str, ...] = CANONICAL_ORDER) -> list[str]:
    return [BY_KEY[k].header for k in keys]


_PAREN = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_NOISE = re.compile(r"[\s*※★☆:：#\"'“”]+")


def norm_header(text: object) -> str:
    """Full-width → half-width, no spaces, line breaks or required-field stars, lower case."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    return _NOISE.sub("", s).lower()


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for col in COLUMNS:
        for syn in (col.header, *col.synonyms):
            index.setdefault(norm_header(syn), col.key)
    return index


_INDEX = _build_index()


def match_header(text: object) -> str | None:
    """The canonical key for a header text, or None. Tries the text as is, then without a unit in brackets
    (保障金额(元) → 保障金额) and without a leading 序号-style prefix."""
    h = norm_header(text)
    if not h:
        return None
    if h in _INDEX:
        return _INDEX[h]
    stripped = _PAREN.sub("", h)
    if stripped and stripped in _INDEX:
        return _INDEX[stripped]
    for unit in ("(元)", "(元/月)", "元", "(人)", "人"):
        if h.endswith(unit) and h[: -len(unit)] in _INDEX:
            return _INDEX[h[: -len(unit)]]
    return None
