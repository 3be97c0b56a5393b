"""Dated policy parameters of the 核对 rules (thresholds, exempt lists, age bands, deadline)."""

from __future__ import annotations

import datetime as dt

from minzheng.policy.catalog import Seed, declare

GROUP = "信息核对"
SSA_2014 = dt.date(2014, 5, 1)
SSA_DOC = "社会救助暂行办法（国务院令第649号）第九条、第五十八条"
DEMO_DOC = "演示值：延平区实际标准待民政局确认"


def _one(key: str, label: str, value: object, *, kind: str = "decimal", unit: str = "", certainty: str = "DEMO",
         source: str = DEMO_DOC, help: str = "", note: str = "") -> None:
    declare(key, label, unit=unit, kind=kind, group=GROUP, help=help, seeds=[
        Seed(key, value, SSA_2014, source, certainty, is_demo=certainty == "DEMO", note=note)])


_one("crosscheck.deadline_workdays", "疑点核实办理期限", 10, kind="int", unit="工作日",
     help="疑点下发乡镇后须在此期限内录入核实结果", note="各地多为 10–15 个工作日（L），延平区口径待定")
_one("crosscheck.means_tested_programmes", "按家庭经济状况核对的项目",
     ["dibao_urban", "dibao_rural", "tekun_dispersed", "tekun_central"], kind="json", certainty="V-sec",
     source=SSA_DOC, help="财产、收入类规则只核对这些项目；死亡、重复享受、高龄规则核对全部项目")
_one("crosscheck.vehicle.exempt_types", "不作为疑点的车辆类型", ["残疾人机动轮椅车", "残疾人专用车"], kind="json",
     certainty="L", source="各地低保财产认定办法（示例），policy-rules §1.8",
     help="部门数据“车辆类型”在此列表中的不产生疑点")
_one("crosscheck.vehicle.farm_types", "农用（生产经营）车辆类型",
     ["拖拉机", "变形拖拉机", "三轮汽车", "低速货车", "农用运输车", "农用车"], kind="json", certainty="L",
     source="各地低保财产认定办法（示例），policy-rules §1.8")
_one("crosscheck.vehicle.farm_value_limit", "低值农用车价值上限", "30000", unit="元",
     help="农用车价值不超过此数的不产生疑点；价值不明的仍列为疑点待核实")
_one("crosscheck.property.max_homes", "住房套数上限", 1, kind="int", unit="套", certainty="L",
     source="各地“拥有2套及以上住房”排除规定（示例），policy-rules §1.8")
_one("crosscheck.property.max_area_per_capita", "人均住房建筑面积上限", "60", unit="平方米")
_one("crosscheck.property.home_usages", "按住房计的不动产用途", ["住宅", "成套住宅", "自建房", "农村宅基地住房"],
     kind="json", certainty="M", source="不动产登记用途分类（常见写法）")
_one("crosscheck.property.ignored_usages", "不计入的附属不动产用途", ["车位", "车库", "储藏室", "杂物间"],
     kind="json", certainty="M", source="不动产登记用途分类（常见写法）",
     help="其余用途（商业、办公、工业…）按非住宅房产列为疑点")
_one("crosscheck.business.small_capital", "小额个体工商户资金数额上限", "100000", unit="元",
     help="个体工商户资金数额不超过此数的不产生疑点；企业一律列为疑点")
_one("crosscheck.pension.excluded_types", "不计入收入的社保待遇", ["城乡居民基本养老保险基础养老金"], kind="json",
     certainty="V-sec", source="policy-rules §1.7：中央确定的城乡居民基本养老保险基础养老金不计入家庭收入")
_one("crosscheck.pension.tolerance", "养老金申报差额容忍度", "1", unit="元/月",
     help="部门发放额超过已申报额此数以上才列为疑点（避免分角误差）")
# 高龄津贴 age bands are read from payments.gaoling.bands (declared by the payments app): one truth for both.
