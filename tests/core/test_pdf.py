"""The CJK font is parsed once per process; every document still gets the file a freshly added font writes."""

from __future__ import annotations

import datetime as dt

import pytest
from fpdf import FPDF

from minzheng.core import pdf


def _documents() -> list[bytes]:
    out = []
    for i in range(2):
        d = pdf.Document("记账凭证（演示）", subtitle=f"梅山街道 凭证号 记-2026090{i}", footer_note="演示")
        d.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        d.paragraph(f"工作经费支出 12{i}.45 元。")
        d.field_rows([("姓名", "张三"), ("金额", i)])
        d.table(["户主", "金额"], [[f"王{j}", j] for j in range(60 * (i + 1))])  # several pages, other glyphs
        out.append(d.render())
    return out


def test_documents_equal_those_of_a_freshly_parsed_font(monkeypatch: pytest.MonkeyPatch) -> None:
    cached = _documents()

    def parse_again(doc: FPDF) -> object:
        FPDF.add_font(doc, pdf.FONT, fname=pdf._font_path())
        return doc.fonts.pop(pdf.FONT.lower())

    monkeypatch.setattr(pdf, "_font_for", parse_again)
    fresh = _documents()
    assert cached[0] != cached[1]
    assert cached == fresh
