"""A4 PDF documents with an embedded CJK font (Noto Sans SC, OFL, from the pylopdf-fonts-zh-cn wheel).

fpdf2 is pure Python and subsets the font into each file, so a PDF prints identically on any office PC and the
server needs no system fonts. Every document carries "第 N 页 共 M 页" in its footer.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import SubsetMap, TTFFont

FONT = "NotoSansSC"


def _font_path() -> str:
    return str(resources.files("pylopdf_fonts_zh_cn").joinpath("NotoSansSC-Regular.otf"))


@functools.cache
def _parsed_font() -> TTFFont:
    """The font's metrics (widths, cmap, glyph ids, descriptor), parsed once per process: reading them from the
    8 MB CJK font took about 0.1 s of every document. Never written into a document itself (see `_font_for`)."""
    template = FPDF()
    template.add_font(FONT, fname=_font_path())
    return template.fonts[FONT.lower()]


def _font_for(doc: FPDF) -> TTFFont:
    """A document's own font: the parsed metrics shared read-only, and everything a document changes its own —
    fpdf2 subsets the fontTools font in place when it writes the file, so each document opens the file anew (lazily:
    only the tables the subset needs are read)."""
    template = _parsed_font()
    font = copy.copy(template)
    font.i = len(doc.fonts) + 1
    font.ttfont = ttLib.TTFont(template.ttffile, recalcTimestamp=False, fontNumber=template.collection_font_number,
                               lazy=True)
    font._hbfont = None
    font.biggest_size_pt = 0
    font.missing_glyphs = []
    font.subset = SubsetMap(font)
    return font


class Document(FPDF):
    def __init__(self, title: str, *, subtitle: str = "", landscape: bool = False, footer_note: str = "") -> None:
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.doc_title = title
        self.subtitle = subtitle
        self.footer_note = footer_note
        self._add_parsed_font()
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=True, margin=16)
        self.alias_nb_pages("{nb}")
        self.set_title(title)
        self.set_creator("minzheng")
        self.add_page()

    def _add_parsed_font(self) -> None:
        """What `add_font(FONT, fname=_font_path())` does, without parsing the font again."""
        font = self.fonts[FONT.lower()] = _font_for(self)
        if font.is_cff and font.is_cid_keyed:
            self._set_min_pdf_version("1.6")

    def header(self) -> None:
        if self.page_no() == 1:
            self.set_font(FONT, size=16)
            self.cell(0, 10, self.doc_title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            if self.subtitle:
                self.set_font(FONT, size=10)
                self.cell(0, 6, self.subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2)
            self.set_font(FONT, size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        note = f"{self.footer_note}    " if self.footer_note else ""
        self.cell(0, 6, f"{note}第 {self.page_no()} 页 共 {{nb}} 页", align="C")
        self.set_font(FONT, size=10)

    def paragraph(self, text: str, *, size: int = 10, height: float = 6) -> None:
        self.set_font(FONT, size=size)
        self.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def field_rows(self, rows: Iterable[tuple[str, Any]], *, label_width: float = 35) -> None:
        """Label/value rows in boxes, as on an approval form."""
        width = self.epw - label_width
        for label, value in rows:
            self.set_font(FONT, size=10)
            self.cell(label_width, 8, str(label), border=1)
            self.multi_cell(width, 8, "" if value is None else str(value), border=1, new_x=XPos.LMARGIN,
                            new_y=YPos.NEXT)

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[float] | None = None,
              *, font_size: int = 9, row_height: float = 7, align: Sequence[str] | None = None) -> None:
        """A table whose header repeats on every page."""
        widths = list(widths) if widths else [self.epw / len(headers)] * len(headers)
        align = list(align) if align else ["L"] * len(headers)

        def head() -> None:
            self.set_font(FONT, size=font_size)
            self.set_fill_color(235, 235, 235)
            for h, w in zip(headers, widths, strict=True):
                self.cell(w, row_height, str(h), border=1, align="C", fill=True)
            self.ln(row_height)

        head()
        for row in rows:
            if self.get_y() + row_height > self.h - self.b_margin:
                self.add_page()
                head()
            for v, w, a in zip(row, widths, align, strict=True):
                text = "" if v is None else str(v)
                # shrink over-long cells instead of wrapping, so rows keep one height
                while text and self.get_string_width(text) > w - 1.5 and len(text) > 1:
                    text = text[:-1]
                self.cell(w, row_height, text, border=1, align=a)
            self.ln(row_height)

    def signatures(self, labels: Sequence[str]) -> None:
        self.ln(8)
        width = self.epw / len(labels)
        for label in labels:
            self.cell(width, 8, f"{label}：______________")
        self.ln(12)

    def render(self) -> bytes:
        return bytes(self.output())
