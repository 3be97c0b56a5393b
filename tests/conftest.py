"""Shared fixtures: the real 延平区 tree loaded once per session, and users of two townships."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from minzheng.accounts.roles import Role
from minzheng.core import dates

os.environ.setdefault("MINZHENG_HOME", "/tmp/minzheng-test-home")

TEST_PASSWORD = "Test-Passw0rd!"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Divisions, holidays, programmes and parameter seeds, as `minzheng init` makes them."""
    with django_db_blocker.unblock():
        ensure_reference_data()


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    # Argon2 stays the production hasher (tests/accounts checks it); tests hash fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # tests read the home page right after writing through services: no reuse of rendered panels (a test of the
    # reuse turns it on)
    settings.MINZHENG_HOME_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _audit_checkpoints(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A checkpoint file per test: tests roll their transactions back (or truncate the tables), which the
    file outside the database would otherwise remember as deleted entries."""
    from minzheng.audit import anchor

    settings.MINZHENG_AUDIT_CHECKPOINTS = tmp_path_factory.mktemp("audit") / "audit_checkpoints.log"
    anchor.ensure_file()


@pytest.fixture(autouse=True)
def _clear_caches() -> None:
    from django.core.cache import cache

    from minzheng.regions.selectors import clear_cache

    clear_cache()
    dates.clear_calendar_cache()
    cache.clear()  # rate-limit counters: every test starts from a quiet address


def ensure_reference_data() -> None:
    """Transactional tests (live server, real concurrency) truncate every table afterwards; reload what
    `minzheng init` provides so tests that run after them still find the 延平区 tree, programmes and parameters."""
    import io

    from minzheng.core.setup import initialise
    from minzheng.regions.models import Division

    if not Division.objects.exists():
        initialise(io.StringIO(), verbosity=0)


def division(name: str) -> Any:
    from minzheng.regions.models import Division

    ensure_reference_data()
    return Division.objects.get(name=name)


@pytest.fixture
def county(db: None) -> Any:
    return division("延平区")


@pytest.fixture
def meishan(db: None) -> Any:
    return division("梅山街道")


@pytest.fixture
def xiadao(db: None) -> Any:
    return division("夏道镇")


@pytest.fixture
def zhongshan(db: None) -> Any:
    """A community (居委会) in 梅山街道."""
    return division("中山社区居委会")


@pytest.fixture
def xiadao_village(db: None, xiadao: Any) -> Any:
    from minzheng.regions.models import Division

    return Division.objects.filter(parent=xiadao).order_by("code").first()


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    from minzheng.accounts import services

    counter = {"n": 0}

    def make(role: str, division: Any = None, username: str | None = None, **kw: Any) -> Any:
        counter["n"] += 1
        name = username or f"{role}_{counter['n']}"
        return services.create_user(username=name, password=TEST_PASSWORD, role=role, division=division,
                                    full_name=kw.pop("full_name", name), **kw)

    return make


@pytest.fixture
def login(client: Client) -> Callable[[Any], Client]:
    def do(user: Any) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return do


@pytest.fixture
def district_admin(make_user: Callable[..., Any], county: Any) -> Any:
    return make_user(Role.DISTRICT_ADMIN, county, username="qu_admin_t")


@pytest.fixture
def approver(make_user: Callable[..., Any], county: Any) -> Any:
    return make_user(Role.DISTRICT_APPROVER, county, username="qu_shenpi_t")


@pytest.fixture
def meishan_officer(make_user: Callable[..., Any], meishan: Any) -> Any:
    return make_user(Role.TOWNSHIP_OFFICER, meishan, username="meishan_t")


@pytest.fixture
def xiadao_officer(make_user: Callable[..., Any], xiadao: Any) -> Any:
    return make_user(Role.TOWNSHIP_OFFICER, xiadao, username="xiadao_t")


@pytest.fixture
def coordinator(make_user: Callable[..., Any], zhongshan: Any) -> Any:
    return make_user(Role.VILLAGE_COORDINATOR, zhongshan, username="zhongshan_t")


@pytest.fixture
def auditor(make_user: Callable[..., Any], county: Any) -> Any:
    return make_user(Role.AUDITOR, county, username="shenji_t")
