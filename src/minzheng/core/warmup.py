"""Warm a web process before it takes requests.

A fresh process pays once for importing every view, compiling templates and loading the pinyin dictionaries
(about 1.5 s of CPU). Paid inside the first users' requests, after a restart that is a queue of logins each
waiting seconds; paid before the process accepts connections, nobody waits on it (the listening socket holds
them, and the other processes answer meanwhile).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from django.db import DatabaseError, connections
from django.template import TemplateSyntaxError
from django.template.loader import get_template
from django.urls import get_resolver

log = logging.getLogger(__name__)


def template_names() -> list[str]:
    """Every template minzheng ships, by the name views load it under."""
    import minzheng

    names = []
    for path in Path(minzheng.__file__).parent.rglob("templates/**/*.html"):
        parts = path.parts
        at = len(parts) - 1 - parts[::-1].index("templates")
        names.append("/".join(parts[at + 1:]))
    return sorted(names)


def warm_up() -> float:
    """Import every URL's view, compile every template, fill the division pinyin cache. Returns seconds taken."""
    start = time.perf_counter()
    get_resolver().url_patterns   # noqa: B018 -- evaluating the property imports every view module
    for name in template_names():
        try:
            get_template(name)    # the cached loader keeps the compiled template for the process
        except TemplateSyntaxError:
            log.exception("模板 %s 无法编译", name)
    try:
        from minzheng.regions.models import Division
        from minzheng.regions.picker import search_keys

        for division_name in Division.objects.values_list("name", flat=True).distinct():
            search_keys(division_name)
    except DatabaseError:
        pass   # not migrated yet: nothing to warm, and the first request will say what is wrong
    finally:
        connections.close_all()
    return time.perf_counter() - start
