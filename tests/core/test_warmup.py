"""A web process warms up before it takes requests: every template compiles, every view imports, and the division
pinyin the picker shows is ready, so the first users after a restart do not pay for it."""

from __future__ import annotations

from typing import Any

import pytest

from minzheng.core import warmup
from minzheng.regions import picker

pytestmark = pytest.mark.django_db


def test_warm_up_compiles_every_template_and_fills_the_pinyin_cache(meishan: Any) -> None:
    names = warmup.template_names()
    assert "core/home.html" in names and "registry/panel_counts.html" in names
    assert all(n.endswith(".html") and not n.startswith("/") for n in names)
    picker.search_keys.cache_clear()
    seconds = warmup.warm_up()
    assert seconds > 0
    assert picker.search_keys.cache_info().currsize >= 2    # 梅山镇 and its villages at least
    hits = picker.search_keys.cache_info().hits
    picker.search_keys(meishan.name)
    assert picker.search_keys.cache_info().hits == hits + 1


def test_a_template_that_does_not_compile_is_logged_and_the_rest_still_warm(
        monkeypatch: Any, tmp_path: Any, settings: Any, caplog: Any) -> None:
    broken = tmp_path / "templates" / "zz_broken.html"
    broken.parent.mkdir()
    broken.write_text("{% if %}", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], broken.parent]}]
    monkeypatch.setattr(warmup, "template_names", lambda: ["zz_broken.html", "core/home.html"])
    warmup.warm_up()
    assert "zz_broken.html" in caplog.text
