from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动 Web 服务（waitress，含静态文件） / Serve minzheng with waitress (production WSGI server, static files included)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="监听地址 / address to bind (默认 default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="端口 / port (默认 default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="每个进程的工作线程数 / threads per process")
        parser.add_argument("--processes", type=int, default=int(os.environ.get("MINZHENG_WEB_PROCESSES", "0")),
                            help="Web 进程数，默认每核 2 个（最多 4）/ server processes (default: 2 per CPU core, at "
                                 "most 4; env MINZHENG_WEB_PROCESSES)")
        parser.add_argument("--child-fd", type=int, default=None, help=argparse.SUPPRESS)
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

        from minzheng.core.warmup import warm_up
        from minzheng.wsgi import application

        proxy = _proxy_options(opts["trusted_proxy"])
        if opts["child_fd"] is not None:
            # One of several server processes: warm up, then serve the listening socket the parent bound
            # (connections wait in its backlog, or go to a process that is already warm).
            sock = socket.socket(fileno=opts["child_fd"])
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            warm_up()
            serve(application, sockets=[sock], threads=opts["threads"], ident="minzheng", **proxy)
            return
        if not finders.find("vendor/echarts/echarts.min.js"):
            self.stderr.write(self.style.WARNING(
                "提示：未找到 ECharts（static/vendor/echarts），图表不会显示。请运行 ./dev.sh setup。"))
        url = f"http://{opts['host']}:{opts['port']}/"
        self.stdout.write(self.style.SUCCESS(f"minzheng 已启动 / serving at {url}  （数据库 {settings.DATABASES['default']['NAME']}）"))
        self.stdout.flush()
        processes = opts["processes"] or default_processes()
        worker = None if opts["no_worker"] else start_worker()
        # SIGTERM (systemd, `kill`) ends the server through `finally`, so the worker is stopped with it.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            if processes <= 1 or not sys.platform.startswith("linux"):
                warm_up()
                serve(application, host=opts["host"], port=opts["port"], threads=opts["threads"],
                      ident="minzheng", **proxy)
            else:
                self.supervise(processes, opts)
        finally:
            if worker is not None:
                stop_all([worker])

    def supervise(self, processes: int, opts: dict[str, Any]) -> None:
        """Python runs one thread at a time per process: one process per core uses the machine. The parent binds
        the port and hands it to each child; a child that dies is started again. The children share the
        rate-limit counters through the database cache (settings.CACHES), or one address could get N times its
        limit."""
        from django.core.management import call_command
        from django.db import connections

        family = socket.getaddrinfo(opts["host"], opts["port"], type=socket.SOCK_STREAM)[0][0]
        listener = socket.create_server((opts["host"], opts["port"]), family=family, backlog=1024)
        call_command("createcachetable", "minzheng_cache", verbosity=0)
        connections.close_all()
        fd = listener.fileno()
        env = {**os.environ, "MINZHENG_CACHE": "database"}
        cmd = [sys.executable, "-m", "minzheng", "serve", "--no-worker", "--threads", str(opts["threads"]),
               "--child-fd", str(fd)]
        if opts["trusted_proxy"]:
            cmd += ["--trusted-proxy", opts["trusted_proxy"]]

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(cmd, env=env, pass_fds=[fd], preexec_fn=_die_with_parent)

        children = [start() for _ in range(processes)]
        try:
            while True:
                time.sleep(1)
                for i, child in enumerate(children):
                    if child.poll() is not None:
                        self.stderr.write(f"Web 进程 {child.pid} 退出（{child.returncode}），重新启动")
                        children[i] = start()
        finally:
            stop_all(children)   # all at once: each takes up to a second to finish its requests and threads
            listener.close()


def default_processes() -> int:
    """Two per core, at most 4: a request waits on the database part of the time (the GIL is free then), and the
    OS shares a core between processes more evenly than the GIL shares it between threads — measured on a 2-core
    machine with 50 users (bench/load.py), p95 fell from 570 to 460 ms going from 2 processes to 4."""
    return max(1, min(2 * (os.cpu_count() or 1), 4))


def _proxy_options(trusted_proxy: str) -> dict[str, Any]:
    if not trusted_proxy:
        return {}
    # waitress rewrites REMOTE_ADDR from the proxy's header, and drops that header from anyone else.
    return {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}, "clear_untrusted_proxy_headers": True}


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


def stop_all(procs: list[subprocess.Popen[bytes]], timeout: float = 15) -> None:
    """SIGTERM to every process first, then wait for them together; one still running after `timeout` is killed."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
