"""The journeys people make every working day, clicked through in a real headless Chromium (Debian's chromium and
chromium-driver; skipped where they are not installed). Each fails with a screenshot (see conftest)."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from minzheng.accounts.roles import Role
from minzheng.assistance import services as assistance
from minzheng.assistance.models import Application, Status
from minzheng.core import browser, dates
from minzheng.registry.pinyin import initials
from tests.assistance.wf_fixtures import advance_to_publicity, dibao_family
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.skipif(not browser.available(), reason="chromium/chromedriver not installed"),
    pytest.mark.django_db(transaction=True),
]

# What must never reach a page: Python values and codes instead of words.
RAW = re.compile(r"\bTrue\b|\bFalse\b|\bNone\b|\[\s*'|dibao\.\w|auth\.\w+ accounts\.user")


def body_text(drv: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(drv.find_element(By.TAG_NAME, "body").text)


def no_csp_errors(drv: Any) -> None:
    logs = [e for e in drv.get_log("browser") if e["level"] == "SEVERE" and "Content Security" in e["message"]]
    assert not logs, logs


ROLES = [(Role.DISTRICT_ADMIN, "county"), (Role.DISTRICT_APPROVER, "county"), (Role.BUREAU_HEAD, "county"),
         (Role.TOWNSHIP_OFFICER, "meishan"), (Role.VILLAGE_COORDINATOR, "zhongshan"), (Role.SOCIAL_ORG, "county"),
         (Role.AUDITOR, "county"), (Role.SYS_ADMIN, None), (Role.SEC_ADMIN, None), (Role.AUDIT_ADMIN, None)]


def test_every_role_home_speaks_words_and_fits(live_server: Any, browse: Callable[..., Any],
                                               make_user: Callable[..., Any], request: pytest.FixtureRequest) -> None:
    from selenium.webdriver.common.by import By

    drv = browse(1366, 768)
    for role, where in ROLES:
        user = make_user(role, request.getfixturevalue(where) if where else None, username=f"j_{role}")
        drv.delete_all_cookies()
        browser.login(drv, live_server.url, user.username, TEST_PASSWORD)
        text = body_text(drv)
        assert user.role_label in text and "工作台" in text, role
        assert not RAW.search(text), (role, RAW.search(text))
        # nothing spills out of its card at the common 1366 px office screen
        spill = drv.execute_script(
            "return Array.from(document.querySelectorAll('.card')).filter(c => c.scrollWidth > c.clientWidth + 2)"
            ".length")
        assert spill == 0, role
        no_csp_errors(drv)
    # the coordinator on a phone: 上报民情 above the fold
    phone = browse(390, 844, phone=True)
    browser.login(phone, live_server.url, "j_village_coordinator", TEST_PASSWORD)
    button = phone.find_element(By.PARTIAL_LINK_TEXT, "上报民情")
    top = phone.execute_script("return arguments[0].getBoundingClientRect().bottom", button)
    assert top <= 844, top


def test_dibao_from_search_to_county_approval_and_public_notice(
        live_server: Any, browse: Callable[..., Any], zhongshan: Any, meishan_officer: Any, approver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    hh, head, _ = dibao_family(zhongshan)
    received = dates.today() - dt.timedelta(days=2)
    # 受理: the township assistant finds the family by the head's pinyin initials and files the application
    drv = browse(1366, 900)
    browser.login(drv, live_server.url, meishan_officer.username, TEST_PASSWORD)
    drv.get(f"{live_server.url}/assistance/new/?q={initials(head.name)}")
    drv.find_element(By.CSS_SELECTOR, f"a[href*='household={hh.pk}']").click()
    Select(drv.find_element(By.NAME, "programme")).select_by_value("dibao_urban")
    drv.execute_script("arguments[0].value = arguments[1]", drv.find_element(By.NAME, "received_on"),
                       received.isoformat())
    drv.find_element(By.CSS_SELECTOR, "form.stacked button, form button[type=submit]").click()
    WebDriverWait(drv, 15).until(lambda d: "/assistance/cases/" in d.current_url)
    app = Application.objects.get(household=hh)
    assert app.number in body_text(drv)
    # investigation, checks, 公示 (7 days, no objection): the township's steps, done as the services do them
    app = advance_to_publicity(app, meishan_officer, received)
    # the public 公示 of the village while it runs: the masked name, never the full name or the ID number
    public = browse(1366, 900)
    public.get(f"{live_server.url}/public/assistance/village/{zhongshan.code}/")
    text = body_text(public)
    assert head.name[0] + "*" in text and head.name not in text and head.id_number not in text
    app = assistance.end_publicity(app, actor=meishan_officer, today=received + dt.timedelta(days=8))
    assert app.status == Status.COUNTY_REVIEW
    if app.county_visit_required or app.spot_check:  # drawn for the county's home visit: recorded first
        assistance.record_spot_check(app, actor=approver, visited_on=dates.today(),
                                     visitors="赵一、钱二", findings="属实", confirmed=True)
        app.refresh_from_db()
    # 审核确认: the county approver confirms on the case page
    county = browse(1366, 900)
    browser.login(county, live_server.url, approver.username, TEST_PASSWORD)
    county.get(f"{live_server.url}/assistance/cases/{app.pk}/")
    step = county.find_element(By.ID, "act-county_approve")
    if not step.get_attribute("open"):  # the next step opens by itself; otherwise unfold it
        step.find_element(By.TAG_NAME, "summary").click()
    button = step.find_element(By.TAG_NAME, "button")
    county.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    county.switch_to.alert.accept()  # 提交后不能撤销
    from selenium.common.exceptions import StaleElementReferenceException

    WebDriverWait(county, 15, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: "已批准" in body_text(d))
    app.refresh_from_db()
    assert app.status == Status.APPROVED and app.enrollment is not None
    assert "批准" in body_text(county)


def test_county_overview_draws_its_charts(live_server: Any, browse: Callable[..., Any],
                                          make_user: Callable[..., Any], county: Any) -> None:
    from selenium.webdriver.common.by import By

    head = make_user(Role.BUREAU_HEAD, county, username="j_head")
    drv = browse(1366, 768)
    browser.login(drv, live_server.url, head.username, TEST_PASSWORD)
    drv.get(live_server.url + "/")  # the 局领导 home: the county at a glance
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not drv.find_elements(By.CSS_SELECTOR, "[data-chart] canvas"):
        time.sleep(0.3)
    charts = drv.find_elements(By.CSS_SELECTOR, "[data-chart]")
    assert charts and all(c.find_elements(By.TAG_NAME, "canvas") for c in charts)  # ECharts served locally
    no_csp_errors(drv)


def test_an_export_downloads_the_list(live_server: Any, browse: Callable[..., Any], zhongshan: Any,
                                      meishan_officer: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    hh, head, _ = dibao_family(zhongshan)
    assistance.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh, applicant=head)
    drv = browse(1366, 900)
    drv.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.login(drv, live_server.url, meishan_officer.username, TEST_PASSWORD)
    drv.get(live_server.url + "/assistance/")
    drv.find_element(By.PARTIAL_LINK_TEXT, "导出 Excel").click()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not list(tmp_path.glob("*.xlsx")):
        time.sleep(0.3)
    files = list(tmp_path.glob("*.xlsx"))
    assert files and files[0].stat().st_size > 1000
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(files[0])).get_sheet_by_index(0).to_python()
    assert any(head.name in [str(v) for v in r] for r in rows)


def test_payroll_from_draft_to_bank_file(live_server: Any, browse: Callable[..., Any], zhongshan: Any,
                                         meishan_officer: Any, approver: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from minzheng.payments.models import Payroll, PayrollStatus
    from tests.payments.conftest import enroll, make_household

    month = dates.month_start(dates.today())
    enroll(make_household(zhongshan, head_name="陈志富"), "dibao_urban", "812.37", month)
    enroll(make_household(zhongshan, head_name="林秀英"), "dibao_urban", "500.00", month)
    officer = browse(1366, 900)
    officer.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.login(officer, live_server.url, meishan_officer.username, TEST_PASSWORD)
    # 造册: the township assistant generates this month's roster and submits it
    officer.get(live_server.url + "/payments/")
    officer.find_element(By.CSS_SELECTOR, "form[action$='/payments/generate/'] button").click()
    # the page queues the job; the worker (a separate process in production) runs it
    WebDriverWait(officer, 20).until(lambda d: "/jobs/" in d.current_url)
    from minzheng.core.worker import runner

    runner.drain()
    WebDriverWait(officer, 20).until(lambda d: Payroll.objects.filter(month=month).exists())
    p = Payroll.objects.get(month=month, programme__code="dibao_urban")
    officer.get(f"{live_server.url}/payments/payroll/{p.pk}/")
    assert "1312.37" in body_text(officer)
    officer.find_element(By.CSS_SELECTOR, "form[action$='/prepare/'] button").click()
    officer.switch_to.alert.accept()
    WebDriverWait(officer, 15).until(lambda d: Payroll.objects.get(pk=p.pk).status == PayrollStatus.PREPARED)
    # 审批: the district approver, never the maker
    checker = browse(1366, 900)
    browser.login(checker, live_server.url, approver.username, TEST_PASSWORD)
    checker.get(f"{live_server.url}/payments/payroll/{p.pk}/")
    checker.find_element(By.CSS_SELECTOR, "form[action$='/approve/'] button").click()
    checker.switch_to.alert.accept()
    WebDriverWait(checker, 15).until(lambda d: Payroll.objects.get(pk=p.pk).status == PayrollStatus.APPROVED)
    # 银行文件: the township downloads the bank's file, with both payees and the total
    officer.get(f"{live_server.url}/payments/payroll/{p.pk}/")
    officer.find_element(By.CSS_SELECTOR, "form[action$='/bankfile/'] button").click()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not [f for f in tmp_path.iterdir() if not f.name.endswith(".crdownload")]:
        time.sleep(0.3)
    files = [f for f in tmp_path.iterdir() if not f.name.endswith(".crdownload")]
    assert files, "no bank file downloaded"
    data = files[0].read_bytes()
    text = data.decode("utf-8-sig", errors="ignore") + data.decode("gbk", errors="ignore")
    assert "1312.37" in text and "陈志富" in text
