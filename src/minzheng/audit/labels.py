"""Audit actions and object types in words for the auditor's pages (the log itself keeps the codes)."""

from __future__ import annotations

from functools import lru_cache

from django.apps import apps

_ACTIONS = {
    "auth.login": "登录", "auth.logout": "退出", "auth.login_failed": "登录失败", "auth.lockout": "账号锁定",
    "auth.unlock": "解除锁定", "auth.password_change": "修改密码", "auth.password_reset": "重置密码",
    "auth.role_change": "变更角色", "auth.role_confirm": "确认角色", "auth.token_issue": "签发 API 令牌",
    "auth.token_revoke": "吊销 API 令牌", "auth.user_create": "创建账号",
    "audit.purge": "清理过期审计记录", "security.reset": "恢复安全默认值", "security.rate_limited": "访问频率超限",
    "system.backup": "备份", "system.restore": "恢复备份", "divisions.load": "加载行政区划",
    "registry.import": "导入台账", "registry.import.failed": "导入台账失败", "registry.demo.load": "加载演示数据",
    "crosscheck.run": "信息核对", "crosscheck.finding.handover": "疑点移交",
    "payments.generate": "生成花名册", "payments.prepare": "提交花名册", "payments.approve": "审批花名册",
    "payments.send_back": "退回花名册", "payments.bank_return": "导入银行回盘", "payments.hold": "挂起发放明细",
    "payments.unhold": "取消挂起", "payments.release": "解除挂起（补发）", "payments.supplement": "生成补充花名册",
    "payments.payee_sync": "更新领款信息", "payments.guardian": "登记监护人账户", "payments.allowances": "刷新津贴资格",
    "payments.facts": "登记待遇认定信息", "payments.facts_import": "导入待遇认定信息", "payments.spending": "登记经费支出",
    "payments.work_funds": "工作经费", "payments.demo_approve": "演示审批", "payments.demo_funds": "演示资金",
    "disaster.event.areas": "调整受灾区域", "disaster.rounds.open": "开启续报期次",
    "workforce.assessment.score": "考核评分", "workforce.circular.publish": "下达文件", "workforce.handover": "工作交接",
    "workforce.handover.move": "移交事项", "workforce.needs.escalate": "民情提级",
    "assistance.demo_schedules": "演示复核计划", "workforce.demo.population": "演示人口",
    "workforce.demo.training": "演示培训",
}
_VERBS = {"create": "新建", "update": "修改", "delete": "删除"}


@lru_cache(maxsize=512)
def object_type(code: str) -> str:
    """'assistance.application' → 救助申请 (the model's own name); unknown codes are shown as they are."""
    try:
        return str(apps.get_model(code)._meta.verbose_name)
    except (LookupError, ValueError):
        return code


@lru_cache(maxsize=1024)
def action(code: str) -> str:
    if code in _ACTIONS:
        return _ACTIONS[code]
    head, _, tail = code.partition(".")
    if head in ("export", "print"):
        return ("导出" if head == "export" else "打印") + " " + tail
    model, _, verb = code.rpartition(".")
    if verb in _VERBS and model.count(".") == 1:
        return f"{_VERBS[verb]}{object_type(model)}"
    return code
