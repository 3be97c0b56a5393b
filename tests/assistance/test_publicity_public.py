"""The public 公示 pages show exactly the permitted fields, come down after 7 days, hide minors in 特困, and take
objections through a CSRF-protected, rate-limited form routed to the township."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from minzheng.assistance import selectors, services
from minzheng.assistance.models import Objection, Publicity
from minzheng.core import dates
from minzheng.registry.masking import mask_name

from .wf_fixtures import advance_to_publicity, dibao_family, person, tekun_elder

TODAY = dates.today()


@pytest.mark.django_db
def test_public_page_shows_only_permitted_fields(zhongshan: Any, meishan_officer: Any) -> None:
    # given: a 低保 case in 公示 whose household has phones, a bank account, an address and a diagnosis
    hh, head, wife = dibao_family(zhongshan)
    wife.health = "4"
    wife.disability_category = "6"
    wife.save()
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=TODAY)
    app = advance_to_publicity(app, meishan_officer, TODAY)
    # when: anyone opens the village page, without logging in
    body = Client().get(f"/public/assistance/village/{zhongshan.code}/").content.decode()
    # then: masked name, village, persons, category, amount and period are there …
    assert mask_name(head.name) in body and zhongshan.name in body and "城市低保" in body
    # the period names the rule the approval will follow, not a month the later approval would contradict
    assert str(app.proposed_amount) in body and "拟自批准次月起" in body
    # … and nothing else about the family
    forbidden = [head.name, wife.name, head.id_number, wife.id_number, hh.phone, head.phone, head.bank_account,
                 hh.address, "精神残疾", "患有大病", head.id_number[-4:] + "<"]
    for s in forbidden:
        assert s not in body, s
    assert set(Publicity.objects.get(application=app).entry) == {"name", "village", "covered_persons", "category",
                                                                   "monthly_amount", "period"}
    # the township page and the printable notice carry the same row
    assert mask_name(head.name) in Client().get(f"/public/assistance/township/{zhongshan.parent.code}/").content.decode()
    resp = Client().get(f"/public/assistance/village/{zhongshan.code}/print/")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_publicity_comes_down_after_seven_days(zhongshan: Any, meishan_officer: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    day = dt.date(2024, 9, 27)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=day)
    app = advance_to_publicity(app, meishan_officer, day)
    pub = Publicity.objects.get(application=app)
    assert pub.end_date == dt.date(2024, 10, 3)  # seven calendar days, 国庆 included
    assert list(selectors.live_publicities(zhongshan, dt.date(2024, 10, 3))) == [pub]
    assert not selectors.live_publicities(zhongshan, dt.date(2024, 10, 4)).exists()
    # the daily sweep takes it down and sends the case to the county
    assert services.sweep(today=dt.date(2024, 10, 4)) == {"moved": 1, "ended": 0}
    pub.refresh_from_db()
    app.refresh_from_db()
    assert pub.status == "ended" and app.status == "county_review"


@pytest.mark.django_db
def test_minor_in_tekun_is_not_listed(xiadao_village: Any, xiadao_officer: Any) -> None:
    hh, _ = tekun_elder(xiadao_village)
    child = person(hh, "黄小妹", dt.date(TODAY.year - 10, 1, 1), "40", sex="2")
    app = services.create_application(actor=xiadao_officer, programme_code="tekun_dispersed", household=hh,
                                      applicant=child, person=child, received_on=TODAY)
    app = advance_to_publicity(app, xiadao_officer, TODAY)
    assert not Publicity.objects.get(application=app).listed
    body = Client().get(f"/public/assistance/village/{xiadao_village.code}/").content.decode()
    assert mask_name(child.name) not in body and child.name not in body


@pytest.mark.django_db
def test_objection_form_routes_to_township_and_is_rate_limited(zhongshan: Any, meishan_officer: Any) -> None:
    cache.clear()
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=TODAY)
    app = advance_to_publicity(app, meishan_officer, TODAY)
    pub = Publicity.objects.get(application=app)
    url = f"/public/assistance/village/{zhongshan.code}/objection/"
    # CSRF is enforced on the public form
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {"publicity": pub.pk, "content": "该户家里有小汽车"}).status_code == 403
    public = Client()
    resp = public.post(url, {"publicity": pub.pk, "content": "该户家里有小汽车，收入不实", "reporter_contact": "139"})
    assert resp.status_code == 200 and "异议已收到" in resp.content.decode()
    obj = Objection.objects.get(application=app)
    app.refresh_from_db()
    assert app.objection_flag and app.county_visit_required and obj.due_date > TODAY
    from minzheng.core.tasks import for_user

    assert any(t.kind == "公示异议" for t in for_user(meishan_officer))
    # the fifth more in the same hour is refused
    codes = [public.post(url, {"publicity": pub.pk, "content": f"重复提交第{i}次内容"}).status_code for i in range(5)]
    assert codes[-1] == 429 and Objection.objects.filter(application=app).count() == 5


@pytest.mark.django_db
def test_upheld_objection_sends_case_back(zhongshan: Any, meishan_officer: Any) -> None:
    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=TODAY)
    app = advance_to_publicity(app, meishan_officer, TODAY)
    pub = Publicity.objects.get(application=app)
    obj = services.submit_objection(pub, content="家中有经营性门面房出租", ip="1.2.3.4")
    app.refresh_from_db()
    services.handle_objection(obj, actor=meishan_officer, upheld=True, outcome="核实有门面出租收入", redo="review")
    app.refresh_from_db()
    pub.refresh_from_db()
    assert app.status == "democratic_review" and pub.status == "taken_down"


@pytest.mark.django_db
def test_sweep_command_takes_down_expired_publicity(zhongshan: Any, meishan_officer: Any) -> None:
    import io

    from django.core.management import call_command

    hh, head, _ = dibao_family(zhongshan)
    day = dt.date(2024, 5, 6)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=day)
    app = advance_to_publicity(app, meishan_officer, day)
    out = io.StringIO()
    call_command("assistance", "sweep", "--date", "2024-05-13", stdout=out)
    assert '"moved": 1' in out.getvalue()
    app.refresh_from_db()
    assert app.status == "county_review"
