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


def _ledger(path: Path, village: Any, id_numbers: list[str]) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("农村低保")
    ws.write_row(0, 0, ["序号", "乡镇", "村(居)", "户主姓名", "姓名", "身份证号码", "与户主关系", "保障人数",
                        "月保障金额"])
    for i, id_number in enumerate(id_numbers, start=1):
        ws.write_row(i, 0, [i, village.parent.name, village.name, f"陈{'一二三'[i - 1]}富", f"陈{'一二三'[i - 1]}富"])
        ws.write_string(i, 5, id_number)
        ws.write_row(i, 6, ["户主", 1, 300])
    ws.write_row(len(id_numbers) + 1, 0, ["制表人：", "", "", "", "张三"])
    wb.close()
    return path


def test_ledger_import_with_an_error_is_corrected_and_waits_for_verification(
        live_server: Any, browse: Callable[..., Any], zhongshan: Any, meishan_officer: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from minzheng.core.worker import runner
    from minzheng.registry import idnumber
    from minzheng.registry.models import Enrollment

    good = [idnumber.make("350702", dt.date(1960 + i, 3, 1), 11 + i) for i in range(3)]
    bad = [*good[:2], good[2][:-1] + ("0" if good[2][-1] != "0" else "1")]  # a wrong check digit
    drv = browse(1366, 900)
    drv.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.login(drv, live_server.url, meishan_officer.username, TEST_PASSWORD)

    def upload(path: Path) -> None:
        drv.get(live_server.url + "/registry/import/")
        drv.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
        drv.find_element(By.XPATH, "//button[contains(., '上传并预检')]").click()
        WebDriverWait(drv, 15).until(lambda d: "/registry/import/" in d.current_url and d.current_url.count("/") > 5)

        def previewed(d: Any) -> bool:
            runner.drain()  # the worker (a separate process in production) reads the file
            d.refresh()
            return "月保障金额合计" in body_text(d)

        WebDriverWait(drv, 30, poll_frequency=1).until(previewed)

    upload(_ledger(tmp_path / "中山社区台账.xlsx", zhongshan, bad))
    text = body_text(drv)
    # the row and the field are named; nothing is written; the signature footer is not an error
    assert "身份证" in text and "4" in text and "确认导入" not in text
    assert "制表人" not in text.split("错误")[-1] or "已忽略" in text
    assert not Enrollment.objects.filter(source="import").exists()
    drv.find_element(By.PARTIAL_LINK_TEXT, "下载错误清单").click()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not list(tmp_path.glob("*错误*.xlsx")) and \
            not [p for p in tmp_path.glob("*.xlsx") if p.name != "中山社区台账.xlsx"]:
        time.sleep(0.3)
    assert [p for p in tmp_path.glob("*.xlsx") if p.name != "中山社区台账.xlsx"]
    # corrected and uploaded again: previewed clean, then imported — into 存量核查, not into payment
    upload(_ledger(tmp_path / "中山社区台账（改）.xlsx", zhongshan, good))
    button = drv.find_element(By.XPATH, "//button[contains(., '确认导入')]")
    button.click()
    drv.switch_to.alert.accept()

    def imported_page(d: Any) -> bool:
        runner.drain()  # once the page has queued the import
        d.refresh()
        return "已导入" in body_text(d)

    WebDriverWait(drv, 30, poll_frequency=1).until(imported_page)
    imported = Enrollment.objects.filter(source="import")
    assert imported.count() == 3 and set(imported.values_list("status", flat=True)) == {"verifying"}
    no_csp_errors(drv)


def test_disaster_first_report_with_an_invalid_figure_is_refused_then_sent(
        live_server: Any, browse: Callable[..., Any], meishan: Any, meishan_officer: Any, district_admin: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    from minzheng.disaster import services
    from minzheng.disaster.models import DisasterType, Report, ReportStatus, RoundKind

    flood = services.register_event(actor=district_admin, name="暴雨洪涝", dtype=DisasterType.objects.get(code="010200"),
                                    started_at=dates.now() - dt.timedelta(hours=2), areas=[meishan])
    rep = services.open_report(actor=meishan_officer, round=flood.rounds.get(kind=RoundKind.INITIAL), division=meishan)
    drv = browse(390, 844, phone=True)
    browser.login(drv, live_server.url, meishan_officer.username, TEST_PASSWORD)
    drv.get(f"{live_server.url}/disaster/reports/{rep.pk}/")

    def fill(code: str, value: str) -> None:
        field = drv.find_element(By.ID, f"f-{code}")
        field.clear()
        field.send_keys(value)

    fill("pop_affected", "100")
    fill("pop_need_aid", "150")  # more people needing aid than were affected
    WebDriverWait(drv, 10).until(lambda d: "需紧急生活救助人口不能大于受灾人口" in body_text(d))
    submit = drv.find_element(By.CSS_SELECTOR, "button[name=action][value=submit]")
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    WebDriverWait(drv, 5).until(EC.alert_is_present()).accept()
    WebDriverWait(drv, 10).until(lambda d: "需紧急生活救助人口不能大于受灾人口" in body_text(d))
    assert Report.objects.get(pk=rep.pk).status == ReportStatus.DRAFT
    fill("pop_need_aid", "40")
    WebDriverWait(drv, 10).until(lambda d: "需紧急生活救助人口不能大于受灾人口" not in
                                 d.find_element(By.ID, "findings-summary").text)
    submit = drv.find_element(By.CSS_SELECTOR, "button[name=action][value=submit]")
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", submit)
    submit.click()
    WebDriverWait(drv, 5).until(EC.alert_is_present()).accept()
    WebDriverWait(drv, 10).until(lambda d: "已报送" in body_text(d))
    assert Report.objects.get(pk=rep.pk).status == ReportStatus.SUBMITTED
    no_csp_errors(drv)


def test_coordinator_reports_a_need_from_a_phone_and_the_township_sees_it(
        live_server: Any, browse: Callable[..., Any], zhongshan: Any, meishan_officer: Any,
        make_user: Callable[..., Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from minzheng.workforce.models.needs import NeedReport

    coordinator = make_user(Role.VILLAGE_COORDINATOR, zhongshan, username="j_xieguan")
    phone = browse(390, 844, phone=True)
    browser.login(phone, live_server.url, coordinator.username, TEST_PASSWORD)
    phone.find_element(By.PARTIAL_LINK_TEXT, "上报民情").click()
    phone.find_element(By.CSS_SELECTOR, "input[name=category][value=hardship]").click()
    phone.find_element(By.NAME, "description").send_keys("独居老人屋顶漏雨，需要帮助修缮")
    button = phone.find_element(By.XPATH, "//button[contains(., '提交')]")
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    WebDriverWait(phone, 15).until(lambda d: "/workforce/needs/new/" not in d.current_url)
    need = NeedReport.objects.get(description__contains="屋顶漏雨")
    assert need.village_id == zhongshan.pk
    # nothing spills sideways on the phone
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390 + 2
    # the township assistant finds it in the township's 民情 list
    office = browse(1366, 900)
    browser.login(office, live_server.url, meishan_officer.username, TEST_PASSWORD)
    office.get(live_server.url + "/workforce/needs/")
    assert "屋顶漏雨" in body_text(office)
    no_csp_errors(phone)
