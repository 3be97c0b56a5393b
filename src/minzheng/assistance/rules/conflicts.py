"""Which programmes one person cannot hold together (特困 and 低保, 集中 and 分散, 孤儿 and 特困, 两项补贴 …).

Legal structure rather than a number, so it is code, not a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable

from .common import ZERO, Decision

_CONFLICTS: dict[frozenset[str], str] = {
    frozenset({"tekun_dispersed", "dibao_urban"}): "特困人员不再纳入低保（社会救助暂行办法 第十四条，已单独供养）",
    frozenset({"tekun_dispersed", "dibao_rural"}): "特困人员不再纳入低保（社会救助暂行办法 第十四条，已单独供养）",
    frozenset({"tekun_central", "dibao_urban"}): "特困人员不再纳入低保（社会救助暂行办法 第十四条，已单独供养）",
    frozenset({"tekun_central", "dibao_rural"}): "特困人员不再纳入低保（社会救助暂行办法 第十四条，已单独供养）",
    frozenset({"tekun_dispersed", "tekun_central"}): "同一人只能选择集中或分散一种供养方式（第十九条）",
    frozenset({"dibao_urban", "dibao_rural"}): "城市低保与农村低保不能同时享受",
    frozenset({"tekun_dispersed", "orphan"}): "符合孤儿条件的纳入孤儿基本生活保障，不再认定特困（2016 办法 第九条）",
    frozenset({"tekun_central", "orphan"}): "符合孤儿条件的纳入孤儿基本生活保障，不再认定特困（2016 办法 第九条）",
    frozenset({"tekun_dispersed", "canji_life"}): "特困供养人员不享受残疾人两项补贴（国发〔2015〕52号）",
    frozenset({"tekun_dispersed", "canji_care"}): "特困供养人员不享受残疾人两项补贴（国发〔2015〕52号）",
    frozenset({"tekun_central", "canji_life"}): "特困供养人员不享受残疾人两项补贴（国发〔2015〕52号）",
    frozenset({"tekun_central", "canji_care"}): "特困供养人员不享受残疾人两项补贴（国发〔2015〕52号）",
    frozenset({"orphan", "canji_life"}): "领取孤儿基本生活费的不享受困难残疾人生活补贴（可享受护理补贴）",
}


def programme_conflicts(programme: str, current: Iterable[str]) -> Decision:
    """Mutual exclusions between programmes for the same person.

    Source: 社会救助暂行办法 第十四条 [V] (特困 are supported on their own, not also 低保; a 低保 household member who
    becomes 特困 is carved out of the household); 第十九条 [V] (集中 or 分散); 2016 办法 第九条 (孤儿 first) [V-sec];
    国发〔2015〕52号 as restated (特困 get neither 两项补贴; 孤儿 no 生活补贴) [V-sec]. Legal structure, not a number,
    so it is code rather than a parameter.
    """
    held = sorted(set(current))
    clashes = [(c, _CONFLICTS[frozenset({programme, c})]) for c in held
               if c != programme and frozenset({programme, c}) in _CONFLICTS]
    dup = programme in held
    reasons = [why for _, why in clashes] + (["已在享受该项目"] if dup else [])
    text = "与现有待遇无冲突" if not reasons else "不能同时享受：" + "；".join(reasons)
    return Decision("programme.conflicts", "1", not reasons, ZERO, text,
                    inputs={"programme": programme, "current": held}, reasons=reasons,
                    details={"conflicts_with": [c for c, _ in clashes]})


def conflict_pairs() -> dict[frozenset[str], str]:
    """Every pair of programme codes one person cannot hold together, with the reason (for the payroll check)."""
    return dict(_CONFLICTS)


def conflict_reason(programme: str, other: str) -> str:
    return _CONFLICTS.get(frozenset({programme, other}), "")
