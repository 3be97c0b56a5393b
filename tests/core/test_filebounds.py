"""Untrusted files are measured before they are parsed: a small .xlsx that would inflate to gigabytes is refused
with a Chinese message naming the bound, and the check itself stays within a few MB of memory."""

from __future__ import annotations

import resource
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from minzheng.core import filebounds
from minzheng.core.filebounds import FileBoundError, check_file

from . import xlsx_bombs

ROW = b'<row><c t="s"><v>0</v></c><c><v>7</v></c></row>'


def _peak_mb(fn: Callable[[], Any]) -> float:
    """Peak Python memory (MB) while fn runs; tracemalloc sees zlib's output buffers too."""
    tracemalloc.start()
    try:
        fn()
    except Exception:
        pass
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1048576


def _refused(path: Path, setting: str) -> str:
    with pytest.raises(FileBoundError) as exc:
        check_file(path)
    assert setting in str(exc.value) or "压缩炸弹" in str(exc.value), str(exc.value)
    return str(exc.value)


@pytest.fixture(scope="module")
def string_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1.3 MB on disk, one shared string of 1.3 GB."""
    path = xlsx_bombs.write(tmp_path_factory.mktemp("bombs") / "台账.xlsx", sheet=(ROW, 1),
                            strings=(b"A" * (1 << 24), 80))
    assert path.stat().st_size < 1_600_000
    return path


def test_an_ordinary_workbook_passes(tmp_path: Path) -> None:
    path = xlsx_bombs.write(tmp_path / "ok.xlsx", sheet=(ROW, 1000), strings=("张三".encode(), 1))
    check_file(path)


def test_one_huge_shared_string_is_refused_without_allocating(string_bomb: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = _refused(string_bomb, "MINZHENG_XLSX_MAX_MEMBER_BYTES")
    assert "sharedStrings" in message
    assert _peak_mb(lambda: check_file(string_bomb)) < 16
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 100


def test_a_zip_header_lying_about_the_size_is_caught_while_inflating(tmp_path: Path) -> None:
    path = xlsx_bombs.write(tmp_path / "lie.xlsx", sheet=(ROW, 1), strings=(b"A" * (1 << 24), 80),
                            lie_about="xl/sharedStrings.xml")
    message = _refused(path, "MINZHENG_XLSX_MAX_SHARED_STRINGS_BYTES")
    assert "共享字符串" in message
    assert _peak_mb(lambda: check_file(path)) < 64


def test_many_rows_are_refused(tmp_path: Path) -> None:
    path = xlsx_bombs.write(tmp_path / "rows.xlsx", sheet=(ROW * 10_000, 110))   # 1.1 million rows, 60 KB
    assert path.stat().st_size < 2_000_000
    message = _refused(path, "MINZHENG_XLSX_MAX_ROWS")
    assert "1,048,576 行" in message
    assert _peak_mb(lambda: check_file(path)) < 64


def test_too_many_cells_are_refused(tmp_path: Path, settings: Any) -> None:
    settings.MINZHENG_XLSX_MAX_CELLS = 50_000
    path = xlsx_bombs.write(tmp_path / "cells.xlsx", sheet=(ROW * 1000, 30))   # 60,000 cells
    _refused(path, "MINZHENG_XLSX_MAX_CELLS")


@pytest.mark.parametrize("far", [b"XFD1048576", b"ZZ99999", b"A9999999"])
def test_a_sparse_sheet_the_reader_would_allocate_densely_is_refused(tmp_path: Path, far: bytes) -> None:
    # Two cells, a few hundred bytes: calamine keeps the block between them dense (ZZ20000 alone is 430 MB).
    row = far.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sheet = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="' + row + b'"><c r="' + far + b'"><v>1</v></c></row>'
    path = xlsx_bombs.write(tmp_path / "sparse.xlsx", sheet=(sheet, 1))
    _refused(path, "MINZHENG_XLSX_MAX")


def test_a_cell_claiming_a_far_row_inside_a_near_row_is_found(tmp_path: Path) -> None:
    sheet = b'<row r="1"><c r="A1"><v>1</v></c><c r="ZZ90000"><v>1</v></c></row>'
    _refused(xlsx_bombs.write(tmp_path / "lie.xlsx", sheet=(sheet, 1)), "MINZHENG_XLSX_MAX_CELLS")


def test_a_long_string_used_by_many_cells_is_refused(tmp_path: Path) -> None:
    # 100 KB is a legal string; 200,000 cells using it would make the reader copy 20 GB.
    cells = b"<row>" + b'<c t="s"><v>0</v></c>' * 100 + b"</row>"
    path = xlsx_bombs.write(tmp_path / "text.xlsx", sheet=(cells, 2000), strings=(b"A" * 100_000, 1))
    message = _refused(path, "MINZHENG_XLSX_MAX_TEXT_BYTES")
    assert "文字单元格" in message
    assert _peak_mb(lambda: check_file(path)) < 64


def test_one_string_over_the_string_bound(tmp_path: Path) -> None:
    path = xlsx_bombs.write(tmp_path / "long.xlsx", sheet=(ROW, 1), strings=(b"A" * 1000, 200))
    _refused(path, "MINZHENG_XLSX_MAX_STRING_BYTES")


def test_upload_bytes_are_bounded_while_written(settings: Any) -> None:
    settings.MINZHENG_UPLOAD_MAX_BYTES = 1000
    chunks = filebounds.bounded_chunks(iter([b"x" * 600, b"x" * 600, b"never read"]))
    assert next(chunks)
    with pytest.raises(FileBoundError, match="MINZHENG_UPLOAD_MAX_BYTES"):
        next(chunks)


# --- through the ledger import and the department-data loader -------------------------------------------------


@pytest.mark.django_db
def test_the_import_page_reports_the_bomb_and_keeps_nothing(login: Any, meishan_officer: Any, string_bomb: Path,
                                                            settings: Any) -> None:
    from minzheng.registry.ledger import jobs
    from minzheng.registry.models import Person

    settings.MINZHENG_IMPORT_INLINE = True
    persons = Person.objects.count()
    client = login(meishan_officer)
    with string_bomb.open("rb") as fh:
        resp = client.post(reverse("registry:import_upload"), {"file": fh})
    assert resp.status_code == 302
    from minzheng.core.worker import runner

    runner.drain()     # the bomb is parsed by the worker, never by the web process
    page = client.get(resp["Location"]).content.decode()
    assert "MINZHENG_XLSX_MAX_MEMBER_BYTES" in page and "超过" in page
    job = jobs.get_job(meishan_officer, resp["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert job.state["status"] == jobs.Status.FAILED
    assert Person.objects.count() == persons


@pytest.mark.django_db
def test_an_upload_over_the_size_bound_is_refused_on_the_page(login: Any, meishan_officer: Any, tmp_path: Path,
                                                              settings: Any) -> None:
    settings.MINZHENG_UPLOAD_MAX_BYTES = 10_000
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 20_000)
    with path.open("rb") as fh:
        resp = login(meishan_officer).post(reverse("registry:import_upload"), {"file": fh})
    assert resp.status_code == 200
    assert "MINZHENG_UPLOAD_MAX_BYTES" in resp.content.decode()


def test_the_department_data_loader_refuses_the_bomb(string_bomb: Path) -> None:
    from minzheng.crosscheck import loader, schemas

    parsed = loader.parse_file(next(iter(schemas.SCHEMAS.values())), string_bomb)
    assert not parsed.ok and "MINZHENG_XLSX_MAX_MEMBER_BYTES" in parsed.errors[0].message
