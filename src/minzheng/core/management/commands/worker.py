"""`minzheng worker`: the task worker process (imports, 核对, payroll generation, daily sweeps).

`minzheng serve` starts one as a child process; in production run it alone (e.g. a systemd unit per process)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("后台任务进程 / the task worker: 运行导入、信息核对、生成花名册和每日任务 / runs imports, cross-checks, "
            "payroll generation and the daily sweeps")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", default="run", choices=["run", "jobs", "show"],
                            help="run（默认 default）| jobs 列出任务 / list jobs | show ID 查看任务 / show one job")
        parser.add_argument("job_id", nargs="?", type=int, help="任务编号 / job id (show)")
        parser.add_argument("--drain", action="store_true",
                            help="运行完排队的任务后退出 / run what is queued, then exit")
        parser.add_argument("--threads", type=int, default=None,
                            help="同时运行的任务数 / jobs run at once (默认 default MINZHENG_WORKER_THREADS)")
        parser.add_argument("--json", action="store_true", help="输出 JSON / JSON output (jobs, show)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from minzheng.core.models import Job
        from minzheng.core.worker import housekeeping, runner, services

        if opts["action"] == "jobs":
            rows = [services.as_dict(j) for j in Job.objects.select_related("division")[:50]]
            self._emit(opts, rows, "".join(f"{r['id']}\t{r['status']}\t{r['percent']}%\t{r['title']}\t"
                                           f"{r['started_by']}\n" for r in rows) or "没有后台任务 / no jobs\n")
            return
        if opts["action"] == "show":
            job = Job.objects.select_related("division").filter(pk=opts["job_id"] or 0).first()
            if job is None:
                raise CommandError(f"任务不存在 / no such job: {opts['job_id']}")
            row = services.as_dict(job)
            self._emit(opts, row, f"#{row['id']} {row['title']}\n状态 status: {row['status']} {row['percent']}% "
                                  f"{row['phase']}\n{row['message']}\n")
            return
        if opts["drain"]:
            runner.recover()
            swept = housekeeping.sweep_temp()
            n = runner.drain()
            self.stdout.write(f"已运行 {n} 个任务，清理临时文件 {swept} 个 / ran {n} job(s), swept {swept} temp item(s)\n")
            return
        self.stdout.write(f"minzheng worker {runner.WORKER_ID} 已启动 / started\n")
        self.stdout.flush()
        runner.Worker(threads=opts["threads"]).serve_forever()

    def _emit(self, opts: dict[str, Any], data: Any, text: str) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n" if opts["json"] else text)
