"""What a 疑点 says to the township: a one-line summary, the suggested action and derived figures.

Pure functions of the hit, the parameters and the check date (no database), so they read like the policy.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from . import schemas
from .engine import Hit
from .rules import RuleParams

CENT = Decimal("0.01")


def _d(v: Any) -> Decimal:
    return Decimal(str(v)) if v not in (None, "") else Decimal("0")


def _date(v: Any) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))


def _kind_label(kind: str) -> str:
    return schemas.SCHEMAS[kind].label if kind in schemas.SCHEMAS else kind


def month_after(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_paid(from_month: dt.date, on: dt.date) -> int:
    """Months from `from_month` through the month of `on`, inclusive (0 if it has not started)."""
    n = (on.year - from_month.year) * 12 + on.month - from_month.month + 1
    return max(0, n)


def overpayment(*, death_date: dt.date, start_month: dt.date, on: dt.date, monthly_amount: Decimal,
                covered_persons: int, is_direct: bool) -> dict[str, Any]:
    """社会救助暂行办法 第六十八条: money paid after the month of death is recovered. The month of death itself is
    still due; from the next month on, a person-level benefit stops and a household's amount loses this member's
    share (amount ÷ covered persons)."""
    recover_from = max(month_after(death_date), start_month.replace(day=1))
    months = months_paid(recover_from, on)
    share = monthly_amount if is_direct or covered_persons <= 1 else (monthly_amount / covered_persons)
    share = share.quantize(CENT, ROUND_HALF_UP)
    return {"recover_from": recover_from.isoformat(), "months": months, "monthly_share": str(share),
            "overpaid": str((share * months).quantize(CENT))}


def describe(hit: Hit, p: RuleParams, labels: dict[str, str], extra: dict[str, Any] | None = None
             ) -> tuple[str, str, dict[str, Any]]:
    """(summary, suggested action, computed figures) for one hit."""
    r = hit.first
    prog = labels.get(str(r.get("programme") or ""), str(r.get("programme") or ""))
    name = r.get("name") or ""
    ev = hit.evidence
    code = hit.rule
    if code == "death":
        death = min(_date(e["death_date"]) for e in ev)
        c = overpayment(death_date=death, start_month=_date(r["start_month"]), on=p.as_of,
                        monthly_amount=_d(r["monthly_amount"]), covered_persons=int(r["covered_persons"] or 1),
                        is_direct=bool(r["is_direct"]))
        c["death_date"] = death.isoformat()
        sources = "、".join(sorted({e["death_source"] for e in ev if e.get("death_source")})) or "部门数据"
        rf = _date(c["recover_from"])
        summary = f"{name}（{prog}）据{sources}于 {death:%Y-%m-%d} 死亡，仍在享受待遇"
        if r["is_direct"] or int(r["covered_persons"] or 1) <= 1:
            action = (f"停发待遇，自 {rf.year}年{rf.month}月 起追回，至 {p.as_of:%Y年%m月} 估算多发 "
                      f"{c['months']} 个月共 {c['overpaid']} 元")
        else:
            action = (f"自 {rf.year}年{rf.month}月 起减少保障人数并重新核定金额，追回多发部分"
                      f"（估算 {c['months']} 个月 × {c['monthly_share']} 元 = {c['overpaid']} 元）")
        return summary, action, c
    if code == "public_employee":
        who = "；".join(f"{e['employer']}{('·' + e['position']) if e.get('position') else ''}" for e in ev)
        return (f"{prog}家庭成员为财政供养人员：{who}", "入户核实后按规定停保或重新核定", {})
    if code == "vehicle":
        cars = "；".join(f"{e['plate_no']} {e['vehicle_type']}"
                        + (f"（约 {e['vehicle_value']} 元）" if e.get("vehicle_value") else "（价值不明）")
                        for e in ev)
        return (f"{prog}家庭成员名下有机动车：{cars}", "核实车辆用途和价值，属于排除情形的停保", {})
    if code == "property":
        homes = r.get("homes")
        area = r.get("home_area")
        c = {"homes": homes, "home_area": area, "non_residential": r.get("non_residential"),
             "household_size": r.get("household_size")}
        reasons = []
        if homes is not None and int(homes) > p.property_max_homes:
            reasons.append(f"住房 {homes} 套（上限 {p.property_max_homes} 套）")
        size = int(r.get("household_size") or 1) or 1
        if area is not None and _d(area) > p.property_max_area_per_capita * size:
            per = (_d(area) / size).quantize(CENT)
            reasons.append(f"人均住房 {per} 平方米（上限 {p.property_max_area_per_capita}）")
        if r.get("non_residential"):
            reasons.append(f"非住宅房产 {r['non_residential']} 处")
        return (f"{prog}家庭不动产超过规定：{'；'.join(reasons)}", "核实房产情况，超过规定的停保", c)
    if code == "business":
        biz = "；".join(f"{e['entity_name']}（{e['entity_type']}{('·' + e['role']) if e.get('role') else ''}）"
                       for e in ev)
        return (f"{prog}家庭成员登记有市场主体：{biz}", "核实经营情况和收入，按规定停保或重新核定", {})
    if code == "pension":
        dept = sum((_d(e["pension_amount"]) for e in ev), Decimal("0"))
        declared = _d(r.get("declared_pension"))
        income = _d(r.get("household_income"))
        size = int(r.get("household_size") or 1) or 1
        recomputed = income - declared + dept
        per_capita = (recomputed / size).quantize(CENT, ROUND_HALF_UP)
        c = {"dept_pension": str(dept.quantize(CENT)), "declared_pension": str(declared.quantize(CENT)),
             "declared_income": str(income.quantize(CENT)), "recomputed_income": str(recomputed.quantize(CENT)),
             "household_size": size, "per_capita_income": str(per_capita)}
        if extra and extra.get("standard") is not None:
            std = _d(extra["standard"])
            c["standard"] = str(std)
            c["above_standard"] = per_capita >= std
        types = "、".join(sorted({e["insurance_type"] for e in ev}))
        summary = (f"家庭成员领取{types}每月 {c['dept_pension']} 元，已申报 {c['declared_pension']} 元；"
                   f"重新计算家庭月收入 {c['recomputed_income']} 元，人均 {per_capita} 元")
        if "standard" in c:
            summary += f"（{'不低于' if c['above_standard'] else '低于'}低保标准 {c['standard']} 元）"
        return summary, "按重新计算的人均收入重新核定保障金额，超过标准的停保", c
    if code == "duplicate":
        where = "；".join(f"{e['enrolled_township']} 家庭#{e['household_id']} "
                         f"{labels.get(str(e['programme']), e['programme'])}" for e in ev)
        return (f"{name} 重复享受待遇：{where}", "与相关乡镇核实，只保留一处待遇，追回重复发放部分", {})
    if code == "kinship":
        staff = "；".join(f"{e['staff_name']}（{e['staff_unit']}）的{e['relation'] or '近亲属'}" for e in ev)
        return (f"{prog}家庭成员是 {staff}，未登记近亲属备案", "补办近亲属备案并由区民政局入户复核", {})
    if code == "gaoling_band":
        e = ev[0]
        band = f"{e['age_from']}–{e['age_to']} 岁" if e.get("age_to") is not None else f"{e['age_from']} 岁以上"
        c = {"age": r.get("age"), "band": band, "band_amount": e["band_amount"], "paid": e["monthly_amount"],
             "shortfall": str((_d(e["band_amount"]) - _d(e["monthly_amount"])).quantize(CENT))}
        return (f"{name} 现年 {r.get('age')} 岁，应按 {band} 标准每月 {e['band_amount']} 元，实发 "
                f"{e['monthly_amount']} 元", "按年龄段调整发放标准并补发差额", c)
    if code == "prisoner":
        e = ev[0]
        end = e.get("sentence_end") or "未知"
        return (f"{name}（{prog}）在{e.get('facility') or '监所'}服刑，刑期 {e['sentence_start']} 至 {end}",
                "特困人员终止供养；低保家庭中该成员不计入保障人数", {})
    if code == "housing_fund":
        fund = "；".join(f"{e['employer']} 月缴存 {e.get('monthly_deposit') or '?'} 元" for e in ev)
        return (f"{prog}家庭成员正常缴存住房公积金：{fund}", "核实工资性收入是否如实申报，重新计算家庭收入", {})
    if code == "name_mismatch":
        names = "；".join(f"{_kind_label(e['dataset_kind'])}：{e['dept_name']}" for e in ev)
        return (f"身份证号相同，登记姓名“{name}”与部门数据不一致（{names}）",
                "核对户籍信息，更正登记姓名或通知部门更正；不作为取消待遇的依据", {})
    return (f"{code} 疑点", "核实处理", {})
