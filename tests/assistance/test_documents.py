"""A4 PDFs with the CJK font embedded: 申请审批表, 入户调查表, 告知书, 公示 (policy-rules.md §1.3, §1.4, §10.3)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from minzheng.assistance import documents as docs

from .wf_fixtures import advance_to_publicity, dibao_family

DAY = dt.date(2024, 5, 6)


def text_of(pdf: bytes) -> str:
    """The PDF's text via pdftotext (poppler); without it, the test checks the embedded font instead."""
    assert pdf.startswith(b"%PDF-")
    assert b"NotoSansSC" in pdf  # the CJK font is embedded (subset), not referenced
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_a4(pdf: bytes) -> bool:
    return bool(re.search(rb"/MediaBox \[0(\.00)? 0(\.00)? 595\.2\d 841\.8\d\]", pdf))


def sample_form() -> docs.ApprovalFormData:
    return docs.ApprovalFormData(
        case_number="DBC2024000123", programme="城市低保", township="梅山街道", village="中山社区居委会",
        applicant="陈志富", applicant_id="3507**********1234", phone="139****0001", address="中山路18号",
        channel="本人申请", received_on=DAY, rule_set="2021年《审核确认办法》", reason="妻子患病，收入低",
        members=[docs.MemberLine("陈志富", "户主", "3507**********1234", 49, "健康", "有劳动能力"),
                 docs.MemberLine("林秀英", "配偶", "3507**********2345", 45, "患有大病", "部分丧失劳动能力"),
                 docs.MemberLine("陈小明", "子", "3507**********3456", 11, "健康", "非劳动年龄")],
        incomes=[docs.IncomeLine("工资性收入", "务工", "陈志富", Decimal("1200")),
                 docs.IncomeLine("转移净收入", "优待抚恤金", "林秀英", Decimal("300"), counted=False)],
        assets=[docs.AssetLine("房产", "自住房 60㎡", Decimal("150000"))],
        per_capita_income=Decimal("400"), standard=Decimal("820"), covered_persons=3,
        proposed_amount=Decimal("1342.00"),
        calculation="家庭月人均收入 400.00 元 低于城市低保标准 820.00 元，差额 420.00 元 × 3 人 = 1260.00 元",
        findings="家庭收入低，情况属实", flags=["近亲属备案"],
        opinions=[docs.OpinionLine("乡镇(街道)初审意见", "经调查核实，初审同意", "王主任", DAY)])


def test_approval_form_renders_chinese_on_a4() -> None:
    """§1.2 [V] Art 11: the form carries members, income, findings, opinions and signature boxes."""
    pdf = docs.render_approval_form(sample_form())
    assert is_a4(pdf)
    text = flat(text_of(pdf))
    for expected in ["城市低保申请审批表", "DBC2024000123", "陈志富", "林秀英", "优待抚恤金", "不计入", "1342.00",
                     "差额420.00元×3人=1260.00元", "乡镇(街道)初审意见", "经调查核实，初审同意",
                     "县级民政部门审核确认意见", "签字", "近亲属备案", "第1页共"]:
        assert expected in text, expected


def test_survey_form_names_both_investigators() -> None:
    """§1.3 [V-sec]: at least two investigators; both and the applicant sign the 调查表."""
    data = docs.SurveyFormData(
        case_number="DBC2024000123", programme="城市低保", township="梅山街道", village="中山社区居委会",
        applicant="陈志富", visited_on=DAY, investigators=("张伟", "李娜"),
        members=[docs.MemberLine("陈志富", "户主")],
        neighbours=[docs.NeighbourLine("王五", "邻居", "家庭确实困难")], living_conditions="租住旧房",
        findings="属实", signed=(True, True, False))
    text = flat(text_of(docs.render_survey_form(data)))
    for expected in ["家庭经济状况入户调查表", "调查人一张伟（已签）", "调查人二李娜（已签）", "被调查人(申请人)陈志富",
                     "王五", "家庭确实困难", "租住旧房"]:
        assert expected in text, expected


def test_refusal_notice_gives_reasons_and_appeal_rights() -> None:
    """§1.3 [V-sec]: a refusal is written, with reasons, and tells the applicant how to appeal."""
    data = docs.RefusalNoticeData(case_number="DBC2024000124", applicant="陈志富", programme="城市低保",
                                  received_on=DAY, decided_on=dt.date(2024, 5, 20),
                                  reasons="家庭月人均收入 900.00 元，不低于城市低保标准 820.00 元。")
    text = flat(text_of(docs.render_refusal_notice(data)))
    for expected in ["城市低保不予批准告知书", "陈志富：", "2024年05月20日决定不予批准", "不低于城市低保标准820.00元",
                     "60日内向南平市延平区人民政府申请行政复议", "6个月内向南平市延平区人民法院提起行政诉讼",
                     "南平市延平区民政局（盖章）", "送达回证"]:
        assert expected in text, expected


def test_publicity_notice_shows_only_permitted_fields() -> None:
    """§1.4 / §10.3: name, village, covered persons, category, amount, period — never ID, phone, account,
    address or diagnosis, even if the caller passes them."""
    row = {"name": "陈*富", "village": "中山社区居委会", "covered_persons": 3, "category": "城市低保",
           "monthly_amount": "1342.00", "period": "拟自2024年06月起",
           "id_number": "350702197503041234", "phone": "13905990001", "address": "中山路18号",
           "bank_account": "6217001234567890", "diagnosis": "尿毒症"}
    data = docs.PublicityNoticeData(village="中山社区居委会", township="梅山街道", start_date=DAY,
                                    end_date=DAY + dt.timedelta(days=6), rows=[row], objection_to="梅山街道社会事务办")
    text = flat(text_of(docs.render_publicity_notice(data)))
    for expected in ["中山社区居委会社会救助初审公示", "陈*富", "1342.00", "拟自2024年06月起", "公示期7天",
                     "2024年05月06日至2024年05月12日", "梅山街道社会事务办"]:
        assert expected in text, expected
    for secret in ["350702197503041234", "13905990001", "中山路18号", "6217001234567890", "尿毒症", "1234"]:
        assert secret not in text, secret


def test_long_member_list_paginates_with_footer() -> None:
    """A large household still prints: the table header repeats and the footer counts pages."""
    form = sample_form()
    form.members = [docs.MemberLine(f"成员{i}", "其他", "", 30) for i in range(60)]
    text = text_of(docs.render_approval_form(form))
    assert "第 2 页" in text and text.count("公民身份号码") >= 2


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm not installed")
def test_pdf_rasterises(tmp_path: Path) -> None:
    """The PDF opens in a real renderer (poppler) and yields an A4 page image."""
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(docs.render_approval_form(sample_form()))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    head = png.read_bytes()[:24]
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert abs(height / width - 297 / 210) < 0.02


# ------------------------------------------------------------------------------------------------ from the models


@pytest.mark.django_db
def test_documents_from_a_real_case(zhongshan: Any, meishan_officer: Any) -> None:
    """The workflow's models feed the same renderers: a case at 公示 prints its form, survey and 公示, with ID
    numbers masked unless the caller may see them, and nothing private on the 公示."""
    from minzheng.assistance import services
    from minzheng.assistance.models import Publicity

    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY, rule_set="2021")
    app = advance_to_publicity(app, meishan_officer, DAY)
    form = flat(text_of(docs.approval_form(app)))
    assert "陈志富" in form and "林秀英" in form and f"{app.proposed_amount}" in form
    assert head.id_number not in form and head.id_number[-4:] in form
    assert "初审同意" in form or "乡镇(街道)初审" in form
    assert head.id_number in flat(text_of(docs.approval_form(app, sensitive=True)))
    survey = flat(text_of(docs.survey_form(app)))
    assert "张伟" in survey and "李娜" in survey and "王五" in survey
    pub = Publicity.objects.get(application=app)
    notice = flat(text_of(docs.publicity_notice(pub)))
    assert pub.entry["name"] in notice and "中山社区居委会" in notice
    for secret in [head.id_number, "13905990001", "中山路18号", "6217001234567890"]:
        assert secret not in notice
    village_board = flat(text_of(docs.publicity_notice(Publicity.objects.filter(division=zhongshan))))
    assert pub.entry["name"] in village_board


@pytest.mark.django_db
def test_refusal_notice_from_model(zhongshan: Any, meishan_officer: Any) -> None:
    """§1.3 [V-sec]: the notice prints the stored reasons."""
    from minzheng.assistance import services

    hh, head, _ = dibao_family(zhongshan)
    app = services.create_application(actor=meishan_officer, programme_code="dibao_urban", household=hh,
                                      applicant=head, received_on=DAY)
    notice = services.township_refuse(app, actor=meishan_officer, reasons="家庭有小型轿车一辆，财产不符合规定",
                                      today=DAY)
    text = flat(text_of(docs.refusal_notice(notice)))
    assert "家庭有小型轿车一辆，财产不符合规定" in text and "陈志富" in text
    app.refresh_from_db()
    assert flat(text_of(docs.refusal_notice(app))) == text


@pytest.mark.django_db
def test_print_is_audited() -> None:
    """Every print is recorded in the audit log (§10.3: keep an audit trail of who printed lists)."""
    from minzheng.audit.models import AuditEntry

    before = AuditEntry.objects.count()
    pdf = docs.printed(docs.render_approval_form, sample_form(), what="申请审批表 DBC2024000123",
                       division_code="350702002001")
    assert pdf.startswith(b"%PDF-")
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry is not None and entry.action == "print.申请审批表 DBC2024000123"
