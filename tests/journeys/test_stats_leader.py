"""The county leader's statistics, clicked through in a real headless Chromium on a small demo: 局领导 `juzhang` reads
the month's return reconciled with the payroll, the trend charts, and the 疑点 list with a planted high-coverage
village; the flag becomes a spot check (drawn by the district approver — 局领导 reads and exports, the page says who
draws) and the leader sees it recorded; the township `meishan` sees only its own villages. Fails with a screenshot
(see conftest)."""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable
from typing import Any

import pytest

from minzheng.core import browser, dates
from minzheng.regions.models import Division, Level
from minzheng.registry.models import Household, HukouType, Relation
from minzheng.stats.models import FlagKind, FlagStatus, RiskFlag, RiskSample, StatMonth
from tests.payments.conftest import enroll, make_household, make_person

pytestmark = [
    pytest.mark.skipif(not browser.available(), reason="chromium/chromedriver not installed"),
    pytest.mark.django_db(transaction=True),
]

SCALE = 0.002   # the smallest demo the other tests load (tests/core/test_api_contract.py, test_backup.py)


def body_text(drv: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(drv.find_element(By.TAG_NAME, "body").text)


def _plant_coverage(village: Division) -> list[Household]:
    """Three rural families of three in `village`, every member on 低保 for half a year: its coverage stands far
    above the other rural villages' (the demo's own villages are a few percent)."""
    start = dates.add_months(dates.current_month(), -6)
    out = []
    for i in range(3):
        h = make_household(village, head_name=f"高覆盖户{'甲乙丙'[i]}", birth=dt.date(1960, 1, 1 + i))
        Household.objects.filter(pk=h.pk).update(hukou_type=HukouType.RURAL)
        make_person(h, name=f"高覆盖妻{'甲乙丙'[i]}", birth=dt.date(1962, 2, 1 + i), relation=Relation.SPOUSE)
        make_person(h, name=f"高覆盖子{'甲乙丙'[i]}", birth=dt.date(2012, 3, 1 + i), relation=Relation.SON)
        enroll(h, "dibao_rural", "700.00", start, covered=3)
        out.append(h)
    return out


@pytest.fixture
def demo(settings: Any, xiadao: Any) -> Division:
    """The demo the statistics read (population, rosters, 24 closed months, flags) with its logins, and a village
    of 夏道镇 planted with high 低保 coverage before the rosters and the months are made. Returns that village."""
    from minzheng.core.demo_accounts import ensure_demo_accounts
    from minzheng.payments import demo as payments_demo
    from minzheng.registry import demo as registry_demo
    from minzheng.stats import demo as stats_demo

    settings.DEMO_MODE = True
    ensure_demo_accounts()
    out = io.StringIO()
    registry_demo.load(out, scale=SCALE)
    village = Division.objects.filter(parent=xiadao, level=Level.VILLAGE, code__gte=f"{xiadao.code[:9]}200").order_by(
        "code").first()
    assert village is not None and not village.is_urban
    _plant_coverage(village)
    payments_demo.load(out, scale=SCALE)
    stats_demo.load(out, scale=SCALE)
    return village


def _login(drv: Any, base: str, username: str) -> None:
    from minzheng.core.demo_accounts import DEMO_PASSWORD

    drv.delete_all_cookies()
    browser.login(drv, base, username, DEMO_PASSWORD)
    assert "/accounts/login/" not in drv.current_url, body_text(drv)


def test_the_leader_reads_the_return_trends_and_flags_and_a_flag_becomes_a_spot_check(
        live_server: Any, browse: Callable[..., Any], demo: Division, meishan: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    last = dates.add_months(dates.current_month(), -1)
    assert StatMonth.objects.get(month=last).closed
    base = live_server.url
    drv = browse(1366, 900)
    _login(drv, base, "juzhang")
    # 统计 overview from the menu: last month's return, closed and reconciled with the approved payroll to the fen
    drv.find_element(By.CSS_SELECTOR, "a[href='/stats/']").click()
    WebDriverWait(drv, 15).until(lambda d: "民政事业统计月报" in body_text(d))
    Select(drv.find_element(By.NAME, "month")).select_by_value(f"{last:%Y-%m}")
    drv.find_element(By.CSS_SELECTOR, "form.toolbar button").click()
    WebDriverWait(drv, 20).until(lambda d: f"{last:%Y年%m月}" in body_text(d))
    text = body_text(drv)
    assert "已关账" in text and "一致（精确到分）" in text, text[:2000]
    assert "事实无人抚养儿童" in text
    # 趋势与对比: the charts draw (ECharts served locally)
    drv.find_element(By.LINK_TEXT, "趋势与对比").click()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not drv.find_elements(By.CSS_SELECTOR, "[data-chart] canvas"):
        time.sleep(0.3)
    charts = drv.find_elements(By.CSS_SELECTOR, "[data-chart]")
    assert charts and all(c.find_elements(By.TAG_NAME, "canvas") for c in charts)
    # 疑点提示: the planted village is flagged, and its explanation says what was compared with what
    drv.find_element(By.LINK_TEXT, "疑点提示").click()
    WebDriverWait(drv, 15).until(lambda d: "供核实，不作定性" in body_text(d))
    flag = RiskFlag.objects.get(kind=FlagKind.COVERAGE, division=demo, month=last)
    assert demo.name in body_text(drv)
    drv.find_element(By.CSS_SELECTOR, f"a[href='/stats/flags/{flag.pk}/']").click()
    WebDriverWait(drv, 15).until(lambda d: "涉及的家庭" in body_text(d))
    text = body_text(drv)
    assert "低保覆盖率" in text and "同类农村村" in text and "中位数" in text and "不代表存在违规" in text
    assert "高覆盖户甲" in text
    # the leader turns the flag into a spot check (the county's visits are then the approvers' work)
    drv.find_element(By.CSS_SELECTOR, f"form[action='/stats/flags/{flag.pk}/sample/'] button").click()
    drv.switch_to.alert.accept()   # data-confirm
    WebDriverWait(drv, 15).until(lambda d: "已转为抽查" in body_text(d))
    sample = RiskSample.objects.get(flag=flag)
    assert sample.drawn_by == "juzhang"
    # the district approver finds it recorded: the flag 已抽查, its sample with the households drawn
    approver = browse(1366, 900)
    _login(approver, base, "qu_shenpi")
    approver.get(f"{base}/stats/flags/{flag.pk}/")
    WebDriverWait(approver, 15).until(lambda d: "已抽查" in body_text(d))
    approver.find_element(By.PARTIAL_LINK_TEXT, "查看抽查").click()
    WebDriverWait(approver, 15).until(lambda d: f"/stats/samples/{sample.pk}/" in d.current_url)
    text = body_text(approver)
    assert sample.items.count() >= 1 and any(h in text for h in ("高覆盖户甲", "高覆盖户乙", "高覆盖户丙"))
    assert RiskFlag.objects.get(pk=flag.pk).status == FlagStatus.SAMPLED
    # the township: its own villages on its statistics pages, none of 夏道镇's, and not the planted flag
    _login(drv, base, "meishan")
    drv.get(f"{base}/stats/dibao/?month={last:%Y-%m}")
    WebDriverWait(drv, 20).until(lambda d: "低保对象综合统计表" in body_text(d))
    text = body_text(drv)
    own = list(Division.objects.filter(parent=meishan).values_list("name", flat=True))
    assert own and all(name in text for name in own)
    others = Division.objects.filter(parent__level=Level.TOWNSHIP, level=Level.VILLAGE).exclude(parent=meishan)
    assert not [n for n in others.values_list("name", flat=True) if n in text and n not in own]
    assert "梅山街道" in text
    drv.get(f"{base}/stats/flags/?month={last:%Y-%m}")
    assert demo.name not in body_text(drv)
    assert drv.get(f"{base}/stats/flags/{flag.pk}/") is None and "高覆盖户甲" not in body_text(drv)
