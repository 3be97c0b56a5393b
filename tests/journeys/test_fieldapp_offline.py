"""The field app as it is used: a coordinator's phone (Debian's chromium at phone width) goes offline, captures
records across the forms, edits a report the township changed meanwhile, is closed and reopened, comes back
online and is killed in the middle of the sync — and every record arrives exactly once, the conflict is shown,
nothing is lost. A provider's worker does the same for service records."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest

from minzheng.accounts.roles import Role
from minzheng.assistance import services as assistance
from minzheng.assistance.models import Investigation
from minzheng.core import browser, dates
from minzheng.disaster import services as disaster
from minzheng.disaster.models import DisasterType, ReportStatus
from minzheng.fieldapp.models import SyncReceipt
from minzheng.purchased.demo import credit_code, photo_bytes
from minzheng.purchased.models import ServiceRecord
from minzheng.purchased.services import contracts, delivery, providers
from minzheng.workforce.models import NeedReport
from tests.assistance.wf_fixtures import dibao_family
from tests.conftest import TEST_PASSWORD

pytestmark = [
    pytest.mark.skipif(not browser.available(), reason="chromium/chromedriver not installed"),
    pytest.mark.django_db(transaction=True),
]

NEEDS, CASES, SERVICES = 84, 10, 5  # + 1 disaster report = 100 records


def phone_driver(profile: Path, *, offline: bool) -> Any:
    """Chromium at phone width on a profile kept across restarts (its IndexedDB and service worker survive)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    for flag in browser.CHROMIUM_FLAGS:
        opts.add_argument(flag)
    opts.add_argument("--window-size=390,844")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    drv = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    drv.execute_cdp_cmd("Network.enable", {})
    network(drv, offline=offline)
    drv.set_script_timeout(30)
    return drv


def network(drv: Any, *, offline: bool, latency_ms: int = 0) -> None:
    drv.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": offline, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1})


def kill(drv: Any) -> None:
    """SIGKILL the browser (not a polite quit): whatever was in flight is lost mid-way."""
    driver_pid = drv.service.process.pid
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:")), 0)
        if ppid == driver_pid:
            os.kill(int(entry.name), signal.SIGKILL)
    drv.service.stop()


def wait(drv: Any, script: str, timeout: float = 30) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(drv, timeout, poll_frequency=0.1).until(lambda d: d.execute_script(script))


def pending(drv: Any) -> int:
    text = wait(drv, "const e = document.getElementById('pending-count'); return e && e.textContent")
    return int(text.split()[1])


FILL = """
const [opener, values, expected, done] = arguments;
document.querySelector(opener).click();
const f = document.getElementById("record-form");
for (const [k, v] of Object.entries(values)) {
  const el = f.elements[k];
  if (el.type === "checkbox") el.checked = v; else el.value = v;
}
f.dispatchEvent(new Event("input", {bubbles: true}));
f.requestSubmit();
const t0 = Date.now();
(function poll() {
  const e = document.getElementById("pending-count");
  if (e && e.textContent === "待同步 " + expected + " 条") return done(true);
  if (Date.now() - t0 > 10000) return done(document.getElementById("form-error")?.textContent || "timeout");
  setTimeout(poll, 20);
})();
"""


def capture(drv: Any, opener: str, values: dict[str, Any], expected: int) -> None:
    assert drv.execute_async_script(FILL, opener, values, expected) is True


def sign_in(drv: Any, base: str, username: str) -> None:
    from selenium.webdriver.common.by import By

    drv.get(base + "/field/")
    wait(drv, "return document.querySelector('input[name=username]')")
    drv.find_element(By.NAME, "username").send_keys(username)
    drv.find_element(By.NAME, "password").send_keys(TEST_PASSWORD)
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(drv, "const e = document.getElementById('synced-at'); return e && !e.textContent.includes('尚未同步')")
    # the service worker controls the page: the shell is cached and will open with no signal
    wait(drv, "return !!navigator.serviceWorker.controller")


def no_csp_errors(drv: Any) -> None:
    logs = [e for e in drv.get_log("browser") if e["level"] == "SEVERE" and "Content Security" in e["message"]]
    assert not logs, logs


def test_offline_capture_restart_and_a_killed_sync_lose_and_duplicate_nothing(
        live_server: Any, tmp_path: Path, make_user: Any, zhongshan: Any, meishan: Any,
        meishan_officer: Any, district_admin: Any) -> None:
    from selenium.webdriver.common.by import By

    # given: a coordinator with ten cases waiting for the 入户调查 and a flood's 初报 to file
    coord = make_user(Role.VILLAGE_COORDINATOR, zhongshan, username="field_coord", full_name="王协管")
    cases = []
    for _ in range(CASES):
        hh, head, _ = dibao_family(zhongshan)
        app = assistance.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                            applicant=head, received_on=dates.today())
        cases.append(assistance.start_investigation(app, actor=meishan_officer))
    flood = disaster.register_event(actor=district_admin, name="12·6 洪涝", dtype=DisasterType.objects.get(code="010200"),
                                    started_at=dates.now() - dt.timedelta(hours=2), areas=[meishan])
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(photo_bytes(5))
    profile = tmp_path / "profile"
    base = live_server.url

    drv = phone_driver(profile, offline=False)
    sign_in(drv, base, "field_coord")
    assert len(drv.find_elements(By.CSS_SELECTOR, "button[data-case]")) == CASES
    # when: the signal goes; the app opens from its cache with the assigned work and when it was synced
    network(drv, offline=True)
    drv.refresh()
    assert "上次同步" in wait(drv, "const e = document.getElementById('synced-at'); return e && e.textContent")
    assert "离线" in drv.find_element(By.ID, "net").text
    # the township keys figures into the village's report meanwhile (the phone's copy is now stale)
    rep = disaster.open_report(actor=meishan_officer, round=flood.rounds.get(), division=zhongshan)
    disaster.save_report(actor=meishan_officer, report=rep, values={"pop_affected": "12"})
    # capture: 民情 (three with photos), the 入户调查 of every case, the flood's report
    n = 0
    for i in range(NEEDS):
        if i < 3:
            drv.find_element(By.ID, "new-need").click()
            form = drv.find_element(By.ID, "record-form")
            form.find_element(By.NAME, "category").send_keys("发现困难家庭")
            form.find_element(By.NAME, "description").send_keys(f"第{i}户屋顶漏雨，老人独居需要帮助")
            form.find_element(By.NAME, "photo").send_keys(str(photo))
            form.find_element(By.ID, "save").click()
            n += 1
            wait(drv, f"const e = document.getElementById('pending-count'); return e && e.textContent === '待同步 {n} 条'")
            continue
        n += 1
        capture(drv, "#new-need", {"category": "request", "description": f"群众诉求第{i}号：道路积水需要疏通"}, n)
    for app in cases:
        n += 1
        capture(drv, f"button[data-case='{app.pk}']", {"investigator_2": "李娜", "investigator_1_signed": True,
                                                       "investigator_2_signed": True, "applicant_signed": True,
                                                       "findings": "收入低于标准"}, n)
    # the device checks the figures with the server's rules before it keeps them
    drv.find_element(By.CSS_SELECTOR, "button[data-round]").click()
    wait(drv, "return document.querySelector('#record-form input[name=crop_lost]')")  # the evaluator loads offline
    form = drv.find_element(By.ID, "record-form")
    form.find_element(By.NAME, "crop_affected").send_keys("10")
    form.find_element(By.NAME, "crop_damaged").send_keys("4")
    form.find_element(By.NAME, "crop_lost").send_keys("6")
    assert "绝收" in drv.find_element(By.ID, "rule-findings").text
    form.find_element(By.ID, "save").click()
    assert "请先改正" in drv.find_element(By.ID, "form-error").text
    form.find_element(By.NAME, "crop_lost").clear()
    form.find_element(By.NAME, "crop_lost").send_keys("3")
    form.find_element(By.NAME, "pop_affected").send_keys("40")
    form.find_element(By.ID, "save").click()
    n += 1
    assert pending(drv) == n == NEEDS + CASES + 1
    assert not NeedReport.objects.exists()  # nothing left the phone
    no_csp_errors(drv)

    # when: the browser is closed and opened again, still offline
    drv.quit()
    drv = phone_driver(profile, offline=True)
    drv.get(base + "/field/")
    assert pending(drv) == n
    # it comes back online on a slow line, and is killed once the first batch is answered and the next is in flight
    network(drv, offline=False, latency_ms=400)
    done = wait(drv, "const p = window.MZField.state.progress; return p && p.done > 0 && p.done", 90)
    kill(drv)
    assert 0 < done < n, "the sync finished before it could be interrupted"

    # then: restarted, the phone sends what is left — every record exactly once, the conflict shown
    drv = phone_driver(profile, offline=False)
    drv.get(base + "/field/")
    wait(drv, "const e = document.getElementById('pending-count'); return e && e.textContent === '待同步 0 条'"
              " && !window.MZField.state.syncing", 90)
    wait(drv, "return document.querySelectorAll('li.conflict').length === 1", 30)
    assert NeedReport.objects.filter(reported_by=coord).count() == NEEDS
    assert NeedReport.objects.exclude(photo="").count() == 3
    assert Investigation.objects.filter(application__in=cases).count() == CASES
    assert SyncReceipt.objects.filter(user=coord).count() == NEEDS + CASES
    conflict = drv.find_element(By.CSS_SELECTOR, "li.conflict").text
    assert "离线期间已被修改" in conflict and "受灾人口 12" in conflict
    rep.refresh_from_db()
    assert rep.values == {"pop_affected": "12"} and rep.status == ReportStatus.DRAFT  # not overwritten
    # the worker keeps their figures, knowingly: now it is filed
    drv.find_element(By.XPATH, "//li[contains(@class,'conflict')]//button[contains(.,'保留我的修改')]").click()
    wait(drv, "return document.querySelectorAll('li.conflict').length === 0 && "
              "document.getElementById('pending-count')?.textContent === '待同步 0 条'", 30)
    wait(drv, "return !document.querySelector('button[data-round]')", 30)
    rep.refresh_from_db()
    assert rep.status == ReportStatus.SUBMITTED and rep.values["pop_affected"] == "40"
    no_csp_errors(drv)
    drv.quit()


def test_a_provider_worker_records_services_offline(live_server: Any, tmp_path: Path, make_user: Any,
                                                    county: Any, meishan: Any, zhongshan: Any,
                                                    meishan_officer: Any) -> None:
    from selenium.webdriver.common.by import By

    from minzheng.registry import idnumber
    from minzheng.registry import services as registry

    # given: a worker with one beneficiary assigned
    p = providers.register(actor=None, division=county, name="康乐中心", credit_code=credit_code("52350702", "MJ0K12345"),
                           kind="social_org")
    wu = make_user(Role.SOCIAL_ORG, county, username="field_worker")
    staff = providers.bind_staff(actor=None, provider=p, user=wu, name="护理员甲")
    start = dates.today() - dt.timedelta(days=20)
    c = contracts.create(actor=None, buyer=county, provider=p, number="F-001", title="特困照料", service="tekun_care",
                         procurement="public_tender", fund="work_funds", fund_source="county", budget="10000",
                         start=start, end=start + dt.timedelta(days=300), townships=[meishan], visits_per_month=2,
                         min_minutes=45, unit_price="50")
    hh = registry.create_household(actor=meishan_officer, division=zhongshan, hukou_type="rural", address="测试路",
                                   head={"name": "甲老人", "id_number": idnumber.make("350702", dt.date(1940, 1, 1), 11)})
    order = delivery.assign(actor=meishan_officer, contract=c, person=hh.members.get(), staff=staff, start=start)
    drv = phone_driver(tmp_path / "profile", offline=False)
    sign_in(drv, live_server.url, "field_worker")
    # id number masked on the phone
    assert "*" in drv.find_element(By.CSS_SELECTOR, "button[data-order]").find_element(By.XPATH, "..").text
    network(drv, offline=True)
    day = dates.today() - dt.timedelta(days=1)
    for i in range(SERVICES):
        capture(drv, f"button[data-order='{order.pk}']", {
            "started_at": f"{day}T{8 + i:02d}:00", "ended_at": f"{day}T{8 + i:02d}:50", "content": "助浴、打扫",
            "confirmation": "signature", "confirmed_by": "甲老人"}, i + 1)
    assert not ServiceRecord.objects.exists()
    network(drv, offline=False)
    wait(drv, "return document.getElementById('pending-count')?.textContent === '待同步 0 条'", 60)
    assert ServiceRecord.objects.filter(order=order).count() == SERVICES
    assert SyncReceipt.objects.filter(user=wu).count() == SERVICES
    drv.quit()


def test_a_shared_phone_locks_when_idle_and_a_revoked_phone_wipes_itself(
        live_server: Any, tmp_path: Path, make_user: Any, zhongshan: Any, meishan_officer: Any) -> None:
    from selenium.webdriver.common.by import By

    from minzheng.fieldapp import devices
    from minzheng.fieldapp.models import FieldDevice

    make_user(Role.VILLAGE_COORDINATOR, zhongshan, username="field_shared")
    drv = phone_driver(tmp_path / "profile", offline=False)
    sign_in(drv, live_server.url, "field_shared")
    # given: the phone lay idle past the security policy's timeout, with no signal
    network(drv, offline=True)
    drv.execute_script("localStorage.setItem('mzf_active', String(Date.now() - 24 * 3600e3))")
    drv.refresh()
    wait(drv, "return document.querySelector('h2')?.textContent === '已锁定'")
    assert not drv.find_elements(By.ID, "pending-count")  # nothing of the work shows while locked
    # when: a wrong password, then the right one — checked on the phone against its PBKDF2 verifier
    drv.find_element(By.NAME, "password").send_keys("wrong-password")
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(drv, "return document.querySelector('.err')?.textContent === '密码不正确'")
    field = drv.find_element(By.NAME, "password")
    field.clear()
    field.send_keys(TEST_PASSWORD)
    drv.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    pending(drv)  # unlocked: the work is back
    # a record waits on the phone; the township takes the phone back (it was lost)
    capture(drv, "#new-need", {"category": "risk", "description": "桥边护栏松动，存在安全隐患"}, 1)
    device = FieldDevice.objects.get(user__username="field_shared")
    devices.revoke(actor=meishan_officer, device_id=device.pk)
    # then: at its next contact the phone wipes everything it holds and says why
    network(drv, offline=False)
    wait(drv, "return !!document.querySelector('input[name=username]')", 30)
    assert "收回" in drv.find_element(By.CSS_SELECTOR, ".err").text
    stores = drv.execute_async_script(
        "const done = arguments[0]; indexedDB.databases().then(d => done(d.map(x => x.name)));")
    assert "minzheng-field" not in stores
    device.refresh_from_db()
    assert device.wiped_at is not None
    drv.quit()
