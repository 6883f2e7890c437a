"""XLS/XLSX into the shared grid: one table per sheet, merges expanded, numbers as displayed."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from demo import SAMPLES
from yingji_parser.errors import CorruptDocument, ParseError, TooLarge
from yingji_parser.formats import ReadHints, docx, spreadsheet
from yingji_parser.grid import Cell, Document, Paragraph, Table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

OFFICE = FIXTURES / "office"
TITLE = "孟津区应急管理局2023年政府信息公开工作年度报告"


@pytest.fixture(scope="module")
def xlsx() -> Document:
    return spreadsheet.read((OFFICE / "seed000.xlsx").read_bytes(), ReadHints("xlsx"))


@pytest.fixture(scope="module")
def xls() -> Document:
    return spreadsheet.read((OFFICE / "seed000.xls").read_bytes(), ReadHints("xls"))


def test_each_sheet_gives_its_title_rows_then_its_name_then_its_table(xlsx: Document) -> None:
    """Title rows first (as on screen), so the title search finds them before any heading."""
    assert xlsx.doc_type == "xlsx"
    assert len(xlsx.tables) == 3
    assert xlsx.blocks[:3] == [
        Paragraph(TITLE),
        Paragraph("第二十条第（一）项"),  # a one-text row is a caption too; it stays in the table
        Paragraph("二、主动公开政府信息情况"),
    ]
    assert isinstance(xlsx.blocks[3], Table)


def test_generic_sheet_names_are_not_paragraphs() -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["项目", "数量"])
    wb.create_sheet("工作表2").append(["行政许可", 9])
    buf = io.BytesIO()
    wb.save(buf)
    doc = spreadsheet.read(buf.getvalue(), ReadHints("xlsx"))
    assert doc.paragraphs == []
    assert [t.texts() for t in doc.tables] == [[["项目", "数量"]], [["行政许可", "9"]]]


def test_sheet_grids_are_the_source_tables_with_merges_expanded(xlsx: Document) -> None:
    """The workbook was written from seed000.docx's grid: reading it back gives that grid."""
    source = docx.read((SAMPLES / "seed000.docx").read_bytes())
    for sheet, table in zip(xlsx.tables, source.tables, strict=True):
        assert sheet.rows[0] == [Cell(TITLE)] + [Cell(TITLE, merged=True)] * (table.width - 1)
        assert sheet.rows[1:] == table.rows


def test_xls_reads_like_the_xlsx(xls: Document, xlsx: Document) -> None:
    assert xls.doc_type == "xls"
    assert xls.blocks == [
        b if isinstance(b, Paragraph) else Table(rows=b.rows) for b in xlsx.blocks
    ]


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (1.0, "General", "1"),
        (94, "General", "94"),
        (2.5, "General", "2.5"),
        (0.125, "0.00%", "12.50%"),
        (0.5, "0%", "50%"),
        (3.14159, "0.00", "3.14"),
        (1e-7, "General", "1e-07"),
    ],
)
def test_numbers_are_shown_as_a_spreadsheet_displays_them(
    value: float, fmt: str, shown: str
) -> None:
    assert spreadsheet.display_number(value, fmt) == shown


def test_formula_results_dates_and_blank_cells() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表三"
    ws.append(["项目", "数量", "日期", None])
    ws.append(["本年新收", 3.0, dt.date(2023, 12, 31), None])
    ws.append(["合计", "=B2*2", None, None])
    ws["E9"].number_format = "0.00"  # formatting alone extends the used range
    buf = io.BytesIO()
    wb.save(buf)
    doc = spreadsheet.read(buf.getvalue(), ReadHints("xlsx"))
    (table,) = doc.tables
    # no cached value for a formula written by openpyxl: shown blank, never the formula text
    assert table.texts() == [
        ["项目", "数量", "日期"],
        ["本年新收", "3", "2023-12-31"],
        ["合计", "", ""],
    ]


def test_damaged_workbooks_are_corrupt_not_crashes() -> None:
    data = (OFFICE / "seed000.xlsx").read_bytes()
    with pytest.raises(ParseError):
        spreadsheet.read(data[: len(data) // 2], ReadHints("xlsx"))
    with pytest.raises(CorruptDocument):
        spreadsheet.read((OFFICE / "seed000.xls").read_bytes()[:3000], ReadHints("xls"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", b"<not-a-workbook")
    with pytest.raises(CorruptDocument):
        spreadsheet.read(buf.getvalue(), ReadHints("xlsx"))


def test_damaged_xls_warnings_do_not_reach_stdout(tmp_path: Path) -> None:
    """`yingji parse` prints JSON on stdout: xlrd's chatter must not end up in it.

    Run in a fresh interpreter: xlrd binds sys.stdout when it is first imported.
    """
    data = (OFFICE / "seed000.xls").read_bytes()
    damaged = tmp_path / "damaged.xls"
    damaged.write_bytes(data[: len(data) - 13])  # xlrd warns about the sector size
    code = (
        "import sys, contextlib\n"
        "from yingji_parser.errors import ParseError\n"
        "from yingji_parser.formats import ReadHints, spreadsheet\n"
        "with contextlib.suppress(ParseError):\n"
        "    spreadsheet.read(open(sys.argv[1], 'rb').read(), ReadHints('xls'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(damaged)], capture_output=True, text=True, check=True
    )
    assert done.stdout == ""


def test_oversized_workbook_is_refused_before_loading() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(60):
                fh.write(b"<row/>" * 180_000)
    with pytest.raises(TooLarge):
        spreadsheet.read(buf.getvalue(), ReadHints("xlsx"))
