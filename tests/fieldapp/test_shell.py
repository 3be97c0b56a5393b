"""The installable app: shell, service worker and manifest served by minzheng itself under /field/, a strict CSP
(no inline script), nothing personal in what the worker caches, and light enough for a weak signal."""

from __future__ import annotations

import gzip
import json
import re

import pytest
from django.test import Client

from minzheng.fieldapp import views

pytestmark = pytest.mark.django_db

SHELL_BUDGET_GZ = 150 * 1024


def test_shell_worker_and_manifest_are_served_with_a_strict_csp(client: Client) -> None:
    page = client.get("/field/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # every script is a file of our own origin: none inline, none from elsewhere
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/field/' in attrs and not body.strip() for attrs, body in scripts)
    assert "csrfmiddlewaretoken" not in html
    sw = client.get("/field/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    code = sw.content.decode()
    assert views.shell_version() in code and "/api/" not in code.split("var ASSETS")[1].split(";")[0]
    manifest = json.loads(client.get("/field/manifest.webmanifest").content)
    assert manifest["scope"] == "/field/" and manifest["start_url"] == "/field/" and manifest["display"] == "standalone"


def test_the_shell_is_the_same_for_everyone(client: Client, login: object, coordinator: object) -> None:
    anonymous = client.get("/field/").content
    signed_in = login(coordinator).get("/field/").content  # type: ignore[operator]
    assert anonymous == signed_in


def test_the_app_shell_and_its_scripts_fit_the_budget(client: Client) -> None:
    urls = ["/field/", "/field/manifest.webmanifest", "/field/sw.js", *views.shell_files()]
    sizes = {}
    for u in urls:
        resp = client.get(u)
        assert resp.status_code == 200, u
        body = b"".join(resp.streaming_content) if resp.streaming else resp.content  # type: ignore[attr-defined]
        sizes[u] = len(gzip.compress(body, 9))
    assert sum(sizes.values()) <= SHELL_BUDGET_GZ, sizes


def test_shell_files_go_out_gzipped_and_revalidate_by_etag(client: Client) -> None:
    plain = client.get("/field/app.js")
    zipped = client.get("/field/app.js", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped["Content-Encoding"] == "gzip" and gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 2
    again = client.get("/field/app.js", HTTP_IF_NONE_MATCH=plain["ETag"])
    assert again.status_code == 304
