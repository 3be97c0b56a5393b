"""Declared schemas of the department datasets (部门比对数据) that 信息核对 reads.

A schema names the columns a department file must or may have, their types and the header spellings seen in real
exports. Adding a department is adding a `DatasetSchema` to `SCHEMAS`; the loader, the engines and the name check
pick it up. Pure Python (no Django), so the engines and the benchmark can use it without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

# Column types: text, date, decimal (money, area), int, id (公民身份号码, normalised and checked on load).
ARROW_TYPES: dict[str, pa.DataType] = {
    "id": pa.string(),
    "text": pa.string(),
    "date": pa.date32(),
    "decimal": pa.decimal128(16, 2),
    "int": pa.int64(),
}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    # Other header spellings seen in department exports (matched after removing spaces).
    aliases: tuple[str, ...] = ()
    # For a coded column: (spelling seen in files, code stored); any other value is a row error.
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.label, self.name, *self.aliases)


ID = Column("id_number", "公民身份号码", "id", True, ("身份证号", "身份证号码", "证件号码", "身份证", "证件号"))
NAME = Column("name", "姓名", "text", True, ("人员姓名", "户主姓名", "所有权人", "权利人", "车主", "姓 名"))


@dataclass(frozen=True)
class DatasetSchema:
    kind: str
    label: str
    department: str
    columns: tuple[Column, ...]
    help: str = ""
    # The column joined to the recipients' 公民身份号码.
    id_column: str = "id_number"
    name_column: str = "name"
    extra: dict[str, str] = field(default_factory=dict)
    # Facts people maintain (残联, 退役军人事务): loading the file also records them on the persons it names
    # (crosscheck/facts.py); the demo's noise rows are not made for these.
    records_facts: bool = False

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def arrow_schema(self) -> pa.Schema:
        # Required-ness is enforced by the loader; the files stay nullable so every engine reads them alike.
        return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in self.columns])


def _schema(kind: str, label: str, department: str, *cols: Column, help: str = "",
            records_facts: bool = False) -> DatasetSchema:
    return DatasetSchema(kind, label, department, (ID, NAME, *cols), help=help, records_facts=records_facts)


def _spellings(pairs: dict[str, tuple[str, ...]]) -> tuple[tuple[str, str], ...]:
    return tuple((spelling, code) for code, names in pairs.items() for spelling in (code, *names))


YES_NO = _spellings({"yes": ("是", "需要", "需", "Y", "1", "true"), "no": ("否", "不需要", "无", "N", "0", "false")})
DISABILITY_CATEGORY = _spellings({"1": ("视力", "视力残疾"), "2": ("听力", "听力残疾"), "3": ("言语", "言语残疾"),
                                  "4": ("肢体", "肢体残疾"), "5": ("智力", "智力残疾"), "6": ("精神", "精神残疾"),
                                  "7": ("多重", "多重残疾")})
DISABILITY_GRADE = _spellings({"1": ("一级", "1级", "一"), "2": ("二级", "2级", "二"), "3": ("三级", "3级", "三"),
                               "4": ("四级", "4级", "四")})
YOUFU_CATEGORY = _spellings({
    "disabled": ("残疾军人", "伤残军人"), "martyr_family": ("烈士遗属",), "duty_family": ("因公牺牲军人遗属",),
    "illness_family": ("病故军人遗属",), "demobilised": ("在乡老复员军人", "复员军人"),
    "ill_veteran": ("带病回乡退伍军人",), "war_veteran": ("参战参试退役人员", "参战退役人员", "参试退役人员"),
    "old_conscript": ("农村籍老义务兵", "农村籍退役士兵"), "martyr_child": ("烈士老年子女",)})
YOUFU_STATUS = _spellings({"active": ("在册", "正常", "享受", "在册享受"), "suspended": ("暂停",),
                           "ended": ("取消", "注销", "停发", "死亡注销")})


SCHEMAS: dict[str, DatasetSchema] = {s.kind: s for s in [
    _schema("death", "死亡/火化信息", "公安、卫健、殡葬",
            Column("death_date", "死亡日期", "date", True, ("死亡时间", "火化日期", "注销日期")),
            Column("source", "信息来源", "text", False, ("来源", "数据来源")),
            help="死亡人员停发并自死亡次月起追回"),
    _schema("public_employee", "财政供养人员", "财政、人社",
            Column("employer", "工作单位", "text", True, ("单位", "单位名称")),
            Column("position", "职务/岗位", "text", False, ("职务", "岗位")),
            Column("monthly_salary", "月工资", "decimal", False, ("月工资(元)", "应发工资")),
            help="家庭成员为财政供养人员"),
    _schema("vehicle", "机动车登记", "公安交管",
            Column("plate_no", "号牌号码", "text", True, ("车牌号", "号牌", "车牌号码")),
            Column("vehicle_type", "车辆类型", "text", True, ("车型", "车辆种类")),
            Column("value", "车辆价值", "decimal", False, ("价值(元)", "购置价", "评估价")),
            Column("registered_on", "登记日期", "date", False, ("初次登记日期",)),
            Column("status", "车辆状态", "text", False, ("状态",)),
            help="残疾人专用车和低值农用车除外"),
    _schema("property", "不动产登记", "自然资源(不动产登记)",
            Column("certificate_no", "不动产权证号", "text", True, ("权证号", "产权证号", "证书号")),
            Column("usage", "用途", "text", True, ("房屋用途", "规划用途")),
            Column("area_m2", "建筑面积", "decimal", False, ("面积", "建筑面积(㎡)", "建筑面积(平方米)")),
            Column("address", "坐落", "text", False, ("房屋坐落", "地址")),
            help="住房套数、人均面积或非住宅房产超过规定"),
    _schema("business", "工商登记", "市场监管",
            Column("entity_name", "企业(字号)名称", "text", True, ("企业名称", "字号名称", "名称")),
            Column("entity_type", "市场主体类型", "text", True, ("主体类型", "企业类型", "类型")),
            Column("role", "身份", "text", False, ("人员身份", "职务")),
            Column("registered_capital", "注册资本(资金数额)", "decimal", False, ("注册资本", "资金数额")),
            Column("status", "登记状态", "text", False, ("状态", "经营状态")),
            help="开办企业或较大个体工商户"),
    _schema("social_insurance", "社保/养老金发放", "人社、医保",
            Column("insurance_type", "待遇类型", "text", True, ("险种", "待遇项目", "养老金类型")),
            Column("monthly_amount", "月发放金额", "decimal", True, ("月待遇", "月养老金", "发放金额")),
            Column("paid_month", "发放年月", "text", False, ("发放月份",)),
            help="领取养老金等社保待遇，需重新计算家庭人均收入"),
    _schema("prisoner", "服刑人员", "司法行政、监狱",
            Column("facility", "服刑场所", "text", False, ("监狱", "羁押场所")),
            Column("sentence_start", "刑期起日", "date", True, ("入监日期", "刑期起")),
            Column("sentence_end", "刑期止日", "date", False, ("刑满日期", "刑期止")),
            help="在押服刑人员不计入保障人数，特困人员终止供养"),
    _schema("housing_fund", "住房公积金缴存", "住房公积金中心",
            Column("employer", "缴存单位", "text", True, ("单位名称", "单位")),
            Column("monthly_deposit", "月缴存额", "decimal", False, ("月缴存额(元)", "缴存额")),
            Column("status", "账户状态", "text", False, ("状态", "缴存状态")),
            help="正常缴存公积金说明有工资性收入"),
    _schema("staff_relatives", "工作人员近亲属", "民政局、乡镇、村(居)委会",
            Column("staff_name", "工作人员姓名", "text", True, ("经办人员", "工作人员")),
            Column("staff_unit", "工作人员单位/职务", "text", False, ("单位", "职务")),
            Column("relation", "与工作人员关系", "text", False, ("关系",)),
            Column("filed_on", "备案日期", "date", False, ("已备案日期",)),
            help="本表的“公民身份号码/姓名”是近亲属本人；未登记近亲属备案的救助对象为疑点"),
    _schema("disability", "残疾人信息", "残联",
            Column("disability_grade", "残疾等级", "text", True, ("等级",), DISABILITY_GRADE),
            Column("disability_category", "残疾类别", "text", True, ("类别", "残疾类型"), DISABILITY_CATEGORY),
            Column("needs_long_term_care", "是否需长期照护", "text", False,
                   ("需长期照护", "长期照护", "护理需求"), YES_NO),
            Column("cert_no", "残疾证号", "text", False, ("残疾人证号", "证号")),
            Column("checked_on", "核定日期", "date", False, ("评定日期", "发证日期")),
            help="残疾等级、类别和长期照护认定，记入人员的待遇认定信息（残疾人两项补贴据此核定）", records_facts=True),
    _schema("veteran", "优抚对象信息", "退役军人事务",
            Column("youfu_category", "优抚对象类别", "text", True, ("类别", "对象类别"), YOUFU_CATEGORY),
            Column("youfu_status", "状态", "text", False, ("优抚状态", "享受状态"), YOUFU_STATUS),
            Column("youfu_since", "认定日期", "date", False, ("批准日期",)),
            Column("service_years", "服役年限", "int", False, ("服役年数", "军龄")),
            help="优抚对象类别和状态，记入人员的待遇认定信息（优抚定期抚恤补助据此核定）", records_facts=True),
]}


def get(kind: str) -> DatasetSchema:
    try:
        return SCHEMAS[kind]
    except KeyError:
        known = "、".join(f"{k}（{s.label}）" for k, s in SCHEMAS.items())
        raise KeyError(f"未知的数据类型“{kind}”，可用：{known}") from None


# The recipients snapshot every rule reads (exported from the registry, or generated by the benchmark).
RECIPIENTS_SCHEMA = pa.schema([
    pa.field("enrollment_id", pa.int64(), nullable=False),
    pa.field("programme", pa.string(), nullable=False),
    pa.field("household_id", pa.int64(), nullable=False),
    pa.field("person_id", pa.int64(), nullable=False),
    pa.field("id_number", pa.string(), nullable=False),
    pa.field("name", pa.string()),
    pa.field("birth_date", pa.date32()),
    pa.field("age", pa.int32()),
    pa.field("village_code", pa.string()),
    pa.field("township_code", pa.string(), nullable=False),
    pa.field("monthly_amount", pa.decimal128(12, 2)),
    pa.field("covered_persons", pa.int32()),
    pa.field("start_month", pa.date32()),
    # True when the enrollment names this person (特困, 高龄); False for members of an enrolled household (低保).
    pa.field("is_direct", pa.bool_()),
    pa.field("household_size", pa.int32()),
    pa.field("household_income", pa.decimal128(14, 2)),
    pa.field("declared_pension", pa.decimal128(14, 2)),
])

# Households registered under 近亲属备案 (from the assistance register when it exists).
KINSHIP_FILED_SCHEMA = pa.schema([pa.field("household_id", pa.int64()), pa.field("id_number", pa.string())])
