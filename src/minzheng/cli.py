"""The `minzheng` command: our batch jobs plus every Django management command."""

from __future__ import annotations

import os
import sys

OVERVIEW = """\
minzheng — 民政工作平台 / civil-affairs platform

用法 Usage: minzheng <命令 command> [选项 options]   (minzheng <命令> --help 查看详情 / for details)

  init                  建库或升级数据库，加载行政区划（可重复执行）
                        create or migrate the database, load divisions (safe to run twice)
  demo                  初始化 + 演示数据 + 演示账号 + 启动服务（打印网址和账号）
                        init + demo data + demo accounts + serve (prints URL and logins)
  serve                 启动生产级 Web 服务（含静态文件）和后台任务进程 / production web server with static
                        files, and the task worker beside it
  worker [--drain]      后台任务进程（导入、核对、花名册、每日任务） / the task worker (imports,
                        cross-checks, payroll generation, daily sweeps)
  createuser NAME --role R [--password-stdin] [--confirm-role]
                        创建账号（业务角色待安全管理员确认） / create an account (business roles wait
                        for the 安全管理员 unless --confirm-role)
  security show|reset|unlock USER
                        安全策略：查看、恢复安全默认值、解除锁定 / security policy: show, restore safe
                        defaults, lift a lockout
  backup [--out FILE] [--include-keys]
                        备份数据库、上传文件、审计检查点（一个校验过的归档） / one verified archive
  restore FILE          从备份恢复到空的 MINZHENG_HOME / restore into an empty MINZHENG_HOME
  keys show|seal|rotate 银行账号和电话的加密密钥：查看、加密遗留明文、轮换 / the key sealing account
                        and phone numbers: show, seal leftovers, rotate (resumable, audited)
  divisions load FILE   加载区划代码 CSV / load a division CSV
  audit verify|checkpoints|purge
                        校验审计链与检查点、导出检查点、按保留期清理 / verify the chain and its
                        checkpoints, export checkpoints, purge by retention
  idcheck NUMBER...     校验公民身份号码 / check citizen ID numbers
  import households F   导入家庭台账 (xlsx/xls/csv) / import a household ledger
  payroll ...           月度发放 / monthly payroll
  crosscheck ...        信息核对 / cross-checks against department data
  allowances ...        津贴补贴资格刷新 / refresh allowance eligibility (高龄, 两项补贴, 优抚)
  policy raise ...      提标：测算、制单、审核执行 / standard raise: preview, prepare, approve
  verify amounts        用规则核对在保待遇金额 / recompute every live enrollment with the rules
  assistance sweep      公示到期撤下、逾期提醒 / daily sweep: take down expired 公示, overdue alerts
  disaster ...          灾情报告逾期、对账 / disaster reports overdue, relief reconciliation
  workforce escalate    民情逾期提级 / escalate overdue 民情 items
  purchased checks|callbacks|milestones
                        购买服务记录核查、回访抽样、结算测算 / purchased services: record checks,
                        callback samples, milestone figures
  stats close|return|flags
                        统计关账、统计月报（Excel/PDF）、疑点筛查 / close a month, the monthly
                        return (xlsx/PDF), risk screening
  care sweep|overview|derive
                        关爱走访：逾期提级、概况、由人口和待遇信息生成名册 / care visits: escalate
                        overdue visits, overview per group and division, derive registers

其他 Django 管理命令（migrate、shell、dbshell …）同样可用。
Any other Django management command (migrate, shell, dbshell, ...) works too.

环境变量 Environment: MINZHENG_HOME (数据目录 data dir, 默认 default ./var),
DATABASE_URL (默认 default: SQLite under MINZHENG_HOME, e.g. postgres://user@127.0.0.1:5432/minzheng)
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(OVERVIEW)
        return
    if args[0] == "demo":
        # Demo accounts with printed passwords exist only in demo mode.
        os.environ["MINZHENG_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["minzheng", *args])


if __name__ == "__main__":
    main()
