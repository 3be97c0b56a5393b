"""Locust journeys for bench/load.py: each simulated user logs in as a demo role and walks that role's daily pages.

Weights follow who uses minzheng most: township assistants, then village coordinators and the public (公示), then the
district's approvers and the bureau head. Every page is a real server-rendered request with its session and CSRF
cookie; login itself writes (session, audit entry). Not a test module: run through bench/load.py.
"""

from __future__ import annotations

import random
import re

from locust import HttpUser, between, task

PASSWORD = "Minzheng@2026"  # the demo's printed password; the benchmark runs only against a demo database
_LINK = re.compile(r'href="(/registry/households/\d+/)"')
_CASE = re.compile(r'href="(/assistance/cases/\d+/)"')
_PAYROLL = re.compile(r'href="(/payments/payroll/\d+/)"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"


class _Staff(HttpUser):
    abstract = True
    wait_time = between(1, 3)  # think time of a person reading a page
    usernames: tuple[str, ...] = ()

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login page")
        token = _CSRF.search(page.text)
        self.client.post(
            "/accounts/login/",
            {"username": random.choice(self.usernames), "password": PASSWORD, "next": "/",
             "csrfmiddlewaretoken": token.group(1) if token else ""},
            name="login", headers={"Referer": str(self.host) + "/accounts/login/"},
        )

    def _follow(self, list_url: str, pattern: re.Pattern[str], name: str) -> None:
        page = self.client.get(list_url, name=list_url)
        links = pattern.findall(page.text)
        if links:
            self.client.get(random.choice(links), name=name)


class TownshipAssistant(_Staff):
    weight = 4
    usernames = ("meishan", "xiadao")

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(3)
    def household(self) -> None:
        self._follow("/registry/", _LINK, "/registry/households/[id]/")

    @task(2)
    def search(self) -> None:
        self.client.get(f"/registry/persons/?q={random.choice(_SURNAMES)}", name="/registry/persons/?q=")

    @task(2)
    def case(self) -> None:
        self._follow("/assistance/", _CASE, "/assistance/cases/[id]/")

    @task(1)
    def payroll(self) -> None:
        self._follow("/payments/", _PAYROLL, "/payments/payroll/[id]/")


class VillageCoordinator(_Staff):
    weight = 2
    usernames = ("zhongshan",)

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(2)
    def needs(self) -> None:
        self.client.get("/workforce/needs/mine/", name="/workforce/needs/mine/")

    @task(1)
    def households(self) -> None:
        self._follow("/registry/", _LINK, "/registry/households/[id]/")


class DistrictApprover(_Staff):
    weight = 1
    usernames = ("qu_shenpi",)

    @task(2)
    def queue(self) -> None:
        self.client.get("/assistance/queue/", name="/assistance/queue/")

    @task(1)
    def approvals(self) -> None:
        self.client.get("/payments/approvals/", name="/payments/approvals/")

    @task(1)
    def findings(self) -> None:
        self.client.get("/crosscheck/", name="/crosscheck/")

    @task(1)
    def fund_report(self) -> None:
        self.client.get("/payments/funds/report/", name="/payments/funds/report/")


class BureauHead(_Staff):
    weight = 1
    usernames = ("juzhang",)

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/", name="/")

    @task(1)
    def workforce(self) -> None:
        self.client.get("/workforce/", name="/workforce/")

    @task(1)
    def disaster(self) -> None:
        self.client.get("/disaster/", name="/disaster/")

    @task(1)
    def funds(self) -> None:
        self.client.get("/payments/funds/", name="/payments/funds/")


class Public(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    @task(3)
    def publicity(self) -> None:
        self.client.get("/public/assistance/", name="/public/assistance/")

    @task(1)
    def report_form(self) -> None:
        self.client.get("/public/workforce/", name="/public/workforce/")
