from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动 Web 服务（waitress，含静态文件） / Serve minzheng with waitress (production WSGI server, static files included)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="监听地址 / address to bind (默认 default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="端口 / port (默认 default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="工作线程数 / worker threads")
        parser.add_argument("--trusted-proxy", default=os.environ.get("MINZHENG_TRUSTED_PROXY", ""),
                            metavar="ADDR",
                            help="前置反向代理的地址（如 127.0.0.1）：取其 X-Forwarded-For 为客户端地址，用于审计和限流 / "
                                 "address of the reverse proxy in front; its X-Forwarded-For becomes the client "
                                 "address (audit, rate limits). Env MINZHENG_TRUSTED_PROXY")
        parser.add_argument("--no-worker", action="store_true",
                            help="不启动后台任务进程（另行运行 minzheng worker 时）/ do not start the task worker "
                                 "(when `minzheng worker` runs on its own)")

    def handle(self, *args: Any, **opts: Any) -> None:
        from waitress import serve

        from minzheng.wsgi import application

        if not finders.find("vendor/echarts/echarts.min.js"):
            self.stderr.write(self.style.WARNING(
                "提示：未找到 ECharts（static/vendor/echarts），图表不会显示。请运行 ./dev.sh setup。"))
        url = f"http://{opts['host']}:{opts['port']}/"
        self.stdout.write(self.style.SUCCESS(f"minzheng 已启动 / serving at {url}  （数据库 {settings.DATABASES['default']['NAME']}）"))
        self.stdout.flush()
        proxy: dict[str, Any] = {}
        if opts["trusted_proxy"]:
            # waitress rewrites REMOTE_ADDR from the proxy's header, and drops that header from anyone else.
            proxy = {"trusted_proxy": opts["trusted_proxy"], "trusted_proxy_count": 1,
                     "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
                     "clear_untrusted_proxy_headers": True}
        worker = None if opts["no_worker"] else start_worker()
        # SIGTERM (systemd, `kill`) ends the server through `finally`, so the worker is stopped with it.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            serve(application, host=opts["host"], port=opts["port"], threads=opts["threads"], ident="minzheng",
                  **proxy)
        finally:
            if worker is not None:
                stop_worker(worker)


def _die_with_parent() -> None:
    """In the worker child: receive SIGTERM when the server process dies, even by kill -9 (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_worker() -> subprocess.Popen[bytes]:
    """Long jobs never run in the web process: `serve` (and so `demo`) starts the task worker beside it."""
    return subprocess.Popen([sys.executable, "-m", "minzheng", "worker"], env=os.environ.copy(),
                            preexec_fn=_die_with_parent)


def stop_worker(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
