"""One list of the project's apps (minzheng.apps_list): installed, audited, and every app's pages, public pages,
API, reference data and demo data wired in by plain imports — so a missing module stops start-up instead of
silently dropping an app's routes."""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from types import ModuleType

import pytest
from django.conf import settings
from django.urls import URLPattern, get_resolver, resolve, reverse

from minzheng.api import api
from minzheng.apps_list import APPS
from minzheng.audit.signals import AUDITED_APPS
from minzheng.core import setup


def app_module(app: str, name: str) -> ModuleType | None:
    """minzheng.<app>.<name> when the app has such a module."""
    full = f"minzheng.{app}.{name}"
    return importlib.import_module(full) if importlib.util.find_spec(full) is not None else None


def test_the_list_is_what_django_installs_and_the_audit_log_watches() -> None:
    ours = [a.removeprefix("minzheng.") for a in settings.INSTALLED_APPS if a.startswith("minzheng.")]
    assert ours == list(APPS)
    assert AUDITED_APPS == set(APPS) - {"audit"}


@pytest.mark.parametrize("module_name", ["urls", "public_urls"])
def test_every_route_of_every_app_is_mounted(module_name: str) -> None:
    mounted = get_resolver().namespace_dict
    found = 0
    for app in APPS:
        module = app_module(app, module_name)
        if module is None:
            continue
        found += 1
        # the app's namespace is mounted with this very module …
        assert module.app_name in mounted, f"{module.__name__} is not mounted"
        assert mounted[module.app_name][1].urlconf_module is module
        # … and each of its routes reverses to a URL that resolves back to it
        for p in module.urlpatterns:
            assert isinstance(p, URLPattern) and p.name, f"{module.__name__}: unnamed route {p}"
            kwargs = dict.fromkeys(re.findall(r"<(?:\w+:)?(\w+)>", str(p.pattern)), "1")
            url = reverse(f"{module.app_name}:{p.name}", kwargs=kwargs)
            assert resolve(url).url_name == p.name, url
    assert found >= 3


def test_every_app_api_is_mounted_under_its_name() -> None:
    paths = api.get_openapi_schema()["paths"]
    with_api = [app for app in APPS if app_module(app, "api") is not None]
    assert len(with_api) >= 9
    for app in with_api:
        router = app_module(app, "api").router  # type: ignore[union-attr]
        assert any(p.startswith(f"/api/{app}/") for p in paths), f"minzheng.{app}.api is not mounted"
        assert sum(1 for p in paths if p.startswith(f"/api/{app}/")) == len(router.path_operations)


def test_init_and_demo_run_every_app_hook() -> None:
    assert [f.__module__ for f in setup.seeds()] == [
        f"minzheng.{a}.seeds" for a in APPS if importlib.util.find_spec(f"minzheng.{a}.seeds")]
    assert [f.__module__ for f in setup.demo_loaders()] == [
        f"minzheng.{a}.demo" for a in APPS if importlib.util.find_spec(f"minzheng.{a}.demo")]


def _run_fresh(module_name: str) -> None:
    """Execute a second copy of a module (not registered in sys.modules), as Django would at start-up."""
    spec = importlib.util.find_spec(module_name)
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))


@pytest.mark.parametrize(("root", "missing"), [
    ("minzheng.urls", "minzheng.workforce.public_urls"),
    ("minzheng.urls", "minzheng.disaster.urls"),
    ("minzheng.api", "minzheng.disaster.api"),
])
def test_a_missing_app_module_stops_start_up(monkeypatch: pytest.MonkeyPatch, root: str, missing: str) -> None:
    package, _, name = missing.rpartition(".")
    # given: the module cannot be imported (as if deleted or misspelt)
    monkeypatch.setitem(sys.modules, missing, None)
    monkeypatch.delattr(sys.modules[package], name)
    # then: loading the URL configuration or the API fails, naming it
    with pytest.raises(ImportError, match=name):
        _run_fresh(root)
