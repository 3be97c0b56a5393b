"""Person search at district scale on SQLite: p50/p95 of the selector the UI and API use.

Builds (once, cached in the bench home) the demo population at the requested scale in a private MINZHENG_HOME,
then runs representative queries — full names, name prefixes, pinyin initials, full and partial ID numbers, phones,
birth dates, given names — as a county user, a township officer and a village coordinator, each timed as the page
the UI renders (count + first 20 rows). The peer is what a Django team gets from admin-style search
(`icontains` over name, ID number and phone): same users, same queries, same page.

    python bench/search.py            # 504k persons (first run builds the population: a few minutes)
    python bench/search.py --quick    # 50k persons

Last line: search: persons=504000 p95_ms=… p50_ms=… naive_p95_ms=… x_vs_naive=…
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="50k persons instead of 504k")
    ap.add_argument("--scale", type=float, default=None, help="population scale (1.0 ≈ 504k persons)")
    ap.add_argument("--home", default=None, help="bench MINZHENG_HOME (kept between runs to reuse the population)")
    ap.add_argument("--queries", type=int, default=None, help="queries per user (default 150, quick 36)")
    ap.add_argument("--naive-queries", type=int, default=None, help="peer queries per user (default 15, quick 8)")
    args = ap.parse_args()
    scale = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    home = Path(args.home or Path(tempfile.gettempdir()) / f"minzheng-bench-search-{scale:g}")
    os.environ["MINZHENG_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)  # the target is embedded SQLite
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    run(scale, args.queries or (36 if args.quick else 150), args.naive_queries or (8 if args.quick else 15))


def build(scale: float) -> None:
    import io

    from minzheng.audit import context
    from minzheng.core.setup import initialise
    from minzheng.registry import demo
    from minzheng.registry.models import Household

    t = time.monotonic()
    initialise(io.StringIO(), verbosity=0)
    if Household.objects.filter(source=demo.SOURCE).exists():
        demo.refresh_statistics()
        return
    with context.acting(context.Actor("bench", "system")):
        demo.load(sys.stdout, scale=scale)
    print(f"population built in {time.monotonic() - t:.0f} s", flush=True)


def users() -> dict[str, object]:
    from minzheng.accounts import services
    from minzheng.accounts.models import User
    from minzheng.accounts.roles import Role
    from minzheng.regions.models import Division, Level

    county = Division.objects.filter(level=Level.COUNTY).order_by("code").first()
    town = Division.objects.get(name="梅山街道")
    village = Division.objects.get(name="中山社区居委会")
    out = {}
    for name, role, div in [("bench_county", Role.DISTRICT_ADMIN, county), ("bench_town", Role.TOWNSHIP_OFFICER, town),
                            ("bench_village", Role.VILLAGE_COORDINATOR, village)]:
        u = User.objects.filter(username=name).first() or services.create_user(
            username=name, password="Bench-Passw0rd!x", role=role, division=div, full_name=name)
        out[name] = u
    return out


def queries(user: object, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """Representative queries drawn from the persons this user can see."""
    from minzheng.core.scoping import visible
    from minzheng.registry.models import Person

    qs = visible(Person, user)
    total = qs.count()
    sample = []
    for _ in range(max(20, n // 3)):
        i = rng.randrange(total)
        p = qs.order_by("pk").values("name", "id_number", "phone", "name_initials", "birth_date")[i:i + 1][0]
        sample.append(p)
    out: list[tuple[str, str]] = []
    kinds = ["name", "name_prefix", "initials", "id_full", "id_last4", "id_last6", "id_prefix", "phone", "phone_last4",
             "birth_date", "given_name", "name_and_tail"]
    for i in range(n):
        p = sample[i % len(sample)]
        kind = kinds[i % len(kinds)]
        q = {
            "name": p["name"],
            "name_prefix": p["name"][:2],
            "initials": p["name_initials"],
            "id_full": p["id_number"].lower(),
            "id_last4": p["id_number"][-4:],
            "id_last6": p["id_number"][-6:],
            "id_prefix": p["id_number"][:10],
            "phone": p["phone"] or p["id_number"][-4:],
            "phone_last4": (p["phone"] or p["id_number"])[-4:],
            "birth_date": p["birth_date"].strftime("%Y%m%d"),
            "given_name": p["name"][1:] if len(p["name"]) >= 3 else p["name"],
            "name_and_tail": f"{p['name'][:1]} {p['id_number'][-4:]}",
        }[kind]
        out.append((kind, q))
    return out


def timed_page(fn: object, user: object, q: str, repeat: int = 1) -> float:
    """Milliseconds to build the page (rows + total). With repeat > 1, the median of the runs: on a shared
    two-core machine a single run mostly measures the neighbours."""
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        page = fn(user, q)  # type: ignore[operator]
        list(page.object_list)
        page.paginator.count  # noqa: B018 (the pager shows the total)
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs)


def naive_page(user: object, q: str) -> object:
    """Admin-style search: icontains over the searched fields, scoped the same way."""
    from django.core.paginator import Paginator
    from django.db.models import Q

    from minzheng.core.scoping import visible
    from minzheng.registry.models import Person

    cond = Q()
    for word in q.split():
        cond &= Q(name__icontains=word) | Q(id_number__icontains=word) | Q(phone__icontains=word) \
            | Q(name_initials__icontains=word)
    qs = visible(Person, user).filter(cond).select_related("household__division").order_by("name", "id")
    return Paginator(qs, 20).get_page(1)


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def run(scale: float, n: int, n_naive: int) -> None:
    from minzheng.registry.models import Person
    from minzheng.registry.selectors import search_page

    build(scale)
    persons = Person.objects.count()
    us = users()
    rng = random.Random(20240501)
    times: list[float] = []
    naive: list[float] = []
    by_kind: dict[str, list[float]] = {}
    empty = 0
    for uname, user in us.items():
        qs = queries(user, n, rng)
        for _kind, q in qs[:5]:  # warm the page cache like a running server
            timed_page(search_page, user, q)
        for kind, q in qs:
            ms = timed_page(search_page, user, q, repeat=3)
            if search_page(user, q).paginator.count == 0:
                empty += 1
            times.append(ms)
            by_kind.setdefault(kind, []).append(ms)
        for _kind, q in qs[:n_naive]:
            naive.append(timed_page(naive_page, user, q))
        print(f"{uname:<14} queries={len(qs)} p50_ms={pct(times[-len(qs):], 50):.1f} "
              f"p95_ms={pct(times[-len(qs):], 95):.1f}", flush=True)
    for kind, vals in sorted(by_kind.items()):
        print(f"  {kind:<14} p50_ms={statistics.median(vals):7.1f}  p95_ms={pct(vals, 95):7.1f}  max_ms={max(vals):7.1f}")
    print(f"queries without a hit: {empty} of {len(times)} (every query is drawn from a visible person: expect 0)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(each query: median of 3 runs; the peer: one run)")
    p95, p50, np95 = pct(times, 95), pct(times, 50), pct(naive, 95)
    print(f"search: persons={persons} p95_ms={p95:.1f} p50_ms={p50:.1f} naive_p95_ms={np95:.1f} "
          f"x_vs_naive={np95 / p95:.1f}")


if __name__ == "__main__":
    main()
