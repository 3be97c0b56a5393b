"""While `minzheng demo` serves pages and builds the demo data behind them, every page says how far it has got.

State lives in this process (the demo serves from the process that loads), so pages read it without a query.
"""

from __future__ import annotations

import gc
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from . import dates


@dataclass
class Progress:
    state: str = "idle"  # idle | loading | ready | failed
    step: int = 0
    steps: int = 0
    label: str = ""
    error: str = ""
    started: float = 0.0
    finished: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)  # each finished step's wall time, by label


_progress = Progress()
_lock = threading.Lock()

LABELS = {"registry": "家庭档案", "assistance": "救助案件", "payments": "资金发放", "crosscheck": "信息核对",
          "disaster": "灾情救灾", "workforce": "队伍建设", "purchased": "购买服务", "stats": "统计分析",
          "care": "关爱走访"}


def current() -> Progress:
    with _lock:
        return Progress(**{**vars(_progress), "seconds": dict(_progress.seconds)})


def label(load: Callable[..., None]) -> str:
    app = load.__module__.split(".")[1] if "." in load.__module__ else load.__module__
    return LABELS.get(app, app)


def run_timed(load: Callable[..., None], out: TextIO, *, scale: float) -> float:
    """Run one demo loader and say how long it took (the console shows where a slow demo spends its time)."""
    from minzheng.policy import services as policy

    t0 = time.perf_counter()
    # What is alive before a loader (apps, models, caches, earlier loaders' leftovers) outlives it: frozen, the full
    # collections a loader's many new rows trigger do not walk it again each time (2.2 of 3.4 s of full collections
    # in the demo build); unfrozen after, so it is collected as usual once garbage.
    gc.freeze()
    try:
        with policy.memoized():  # a loader reads the same parameters for every row; a parameter write clears it
            load(out, scale=scale)
    finally:
        gc.unfreeze()
    seconds = time.perf_counter() - t0
    out.write(f"  · {label(load)} 用时 {seconds:.1f} 秒\n")
    return seconds


def run(loaders: Sequence[Callable[..., None]], out: TextIO, *, scale: float,
        on_done: Callable[[], None] | None = None) -> None:
    """Run the demo loaders in order, recording each step; a failure is kept and shown, never swallowed."""
    from django.db import close_old_connections

    from minzheng.audit import context

    with _lock:
        _progress.state, _progress.steps, _progress.step = "loading", len(loaders), 0
        _progress.started = dates.now().timestamp()
    try:
        with context.acting(context.Actor("minzheng-demo", "system")):
            for i, load in enumerate(loaders, 1):
                with _lock:
                    _progress.step, _progress.label = i, label(load)
                seconds = run_timed(load, out, scale=scale)
                with _lock:
                    _progress.seconds[label(load)] = seconds
        with _lock:
            _progress.state, _progress.finished = "ready", dates.now().timestamp()
        if on_done is not None:
            on_done()
    except Exception as exc:  # the demo keeps serving; the page and the console say what went wrong
        with _lock:
            _progress.state, _progress.error = "failed", f"{type(exc).__name__}: {exc}"
        out.write(traceback.format_exc())
    finally:
        close_old_connections()


def start_in_background(loaders: Sequence[Callable[..., None]], out: TextIO, *, scale: float,
                        on_done: Callable[[], None] | None = None) -> threading.Thread:
    with _lock:
        _progress.state, _progress.steps = "loading", len(loaders)
    thread = threading.Thread(target=run, args=(loaders, out), kwargs={"scale": scale, "on_done": on_done},
                              name="minzheng-demo-loader", daemon=True)
    thread.start()
    return thread


def context() -> dict[str, Any]:
    p = current()
    if p.state in ("loading", "failed"):
        return {"demo_progress": p}
    return {}
