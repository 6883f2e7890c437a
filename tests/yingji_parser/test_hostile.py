"""Hostile documents through the public entry point: refused early, with one reason, unexpanded.

Each file is made here: billion laughs and external entities in XLSX, ODT (named .doc), flat
ODT and Word 2003 XML; zip bombs that tell the truth and ones that lie about their sizes;
workbooks of millions of cells. None may reach openpyxl's loader or LibreOffice: the converter
is pointed at a stand-in that leaves a mark when started, and the mark must stay absent.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.yingji_parser.hostile import LAUGHS, lie_about_size, odt, parse_refusal, sheet, zipped
from yingji_parser.api import read
from yingji_parser.errors import CorruptDocument, ParseError, TooLarge
from yingji_parser.formats import legacy

WORDML = "http://schemas.microsoft.com/office/word/2003/wordml"
ODT_MIME = "application/vnd.oasis.opendocument.text"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


@pytest.fixture
def no_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for LibreOffice that records being started; returns the mark's path."""
    mark = tmp_path / "libreoffice-was-started"
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\ntouch {mark}\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv(legacy.SOFFICE_ENV, str(script))
    return mark


def workbook(**replace: str) -> bytes:
    """A real openpyxl workbook with some parts replaced by hostile XML."""
    wb = openpyxl.Workbook()
    wb.active["A1"] = "测试市应急管理局2023年政府信息公开工作年度报告"
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    parts: dict[str, bytes | str] = {i.filename: src.read(i) for i in src.infolist()}
    parts.update(replace)
    return zipped(parts)


def secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    return secret


def test_an_xlsx_billion_laughs_is_refused_before_openpyxl() -> None:
    bomb = LAUGHS + sheet(1).replace("<v>1</v>", "<is><t>&lol9;</t></is>")
    start = time.monotonic()
    with pytest.raises(CorruptDocument, match=r"sheet1\.xml' declares XML entities"):
        read(workbook(**{"xl/worksheets/sheet1.xml": bomb}), "report.xlsx")
    assert time.monotonic() - start < 5


def test_an_xlsx_external_entity_is_refused_and_the_file_never_read(tmp_path: Path) -> None:
    secret = secret_file(tmp_path)
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<si><t>&x;</t></si></sst>"
    )
    with pytest.raises(CorruptDocument) as err:
        read(workbook(**{"xl/sharedStrings.xml": strings}), "report.xlsx")
    assert "TOPSECRET" not in str(err.value)
    assert "sharedStrings.xml" in str(err.value)


def test_a_sheet_of_two_million_cells_is_refused_in_seconds() -> None:
    """Two million cells took 59 s and 1 GB in openpyxl; its <dimension> is enough to refuse."""
    huge = sheet(50, "A1:T100000")
    start = time.monotonic()
    with pytest.raises(TooLarge, match=r"2,000,000 \(by its <dimension>\) cells"):
        read(workbook(**{"xl/worksheets/sheet1.xml": huge}), "report.xlsx")
    assert time.monotonic() - start < 5


def test_a_sheet_whose_dimension_lies_is_refused_while_counting() -> None:
    lying = sheet(300_000, "A1")
    start = time.monotonic()
    with pytest.raises(TooLarge, match="over 200,000 cells"):
        read(workbook(**{"xl/worksheets/sheet1.xml": lying}), "report.xlsx")
    assert time.monotonic() - start < 15


def test_an_odt_bomb_named_doc_never_reaches_libreoffice(no_converter: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("mimetype", ODT_MIME)
        with zf.open("content.xml", "w", force_zip64=True) as fh:
            for _ in range(100):
                fh.write(b"<p/>" * (1 << 18))  # 1 MB a round: 100 MB in all
    with pytest.raises(TooLarge, match="zip bomb"):
        read(buf.getvalue(), "report.doc")
    assert not no_converter.exists()


def test_an_odt_that_lies_about_its_sizes_never_reaches_libreoffice(no_converter: Path) -> None:
    honest = odt("<office:document-content/>", **{"Pictures/1.png": b"\0" * (30 << 20)})
    with pytest.raises(CorruptDocument, match="damaged"):
        read(lie_about_size(honest, "Pictures/1.png", 100), "report.doc")
    assert not no_converter.exists()


def test_an_odt_with_entities_never_reaches_libreoffice(no_converter: Path) -> None:
    with pytest.raises(CorruptDocument, match=r"content\.xml'\) declares XML entities"):
        read(odt(LAUGHS + "<office:document-content>&lol9;</office:document-content>"), "a.doc")
    assert not no_converter.exists()


def fodt(body: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> bytes:
    return (
        f'{prolog}<office:document xmlns:office="{OFFICE}" xmlns:text="{TEXT}" '
        f'office:version="1.3" office:mimetype="{ODT_MIME}">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document>"
    ).encode()


def wordml(body: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> bytes:
    return (
        f'{prolog}<?mso-application progid="Word.Document"?>'
        f'<w:wordDocument xmlns:w="{WORDML}"><w:body>{body}</w:body></w:wordDocument>'
    ).encode()


@pytest.mark.parametrize("make", [fodt, wordml], ids=["fodt", "word2003"])
def test_flat_xml_with_entities_never_reaches_libreoffice(
    make: object, no_converter: Path, tmp_path: Path
) -> None:
    secret = secret_file(tmp_path)
    assert callable(make)
    laughs = make("&lol9;", prolog=LAUGHS)
    external = make(
        "&x;", prolog=f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
    )
    for data in (laughs, external):
        with pytest.raises(CorruptDocument, match="declares XML entities") as err:
            read(data, "report.doc")
        assert "TOPSECRET" not in str(err.value)
    assert not no_converter.exists()


def test_flat_odt_with_too_many_elements_never_reaches_libreoffice(no_converter: Path) -> None:
    many = fodt("<text:p/>" * 400_000)
    with pytest.raises(TooLarge, match="over 300,000 XML elements"):
        read(many, "report.doc")
    assert not no_converter.exists()


def test_an_ordinary_flat_odt_is_still_converted() -> None:
    """The checks let a real document through to LibreOffice (needs soffice installed)."""
    pytest.importorskip("yingji_parser.formats.legacy")
    try:
        legacy.find_soffice()
    except ParseError:
        pytest.skip("LibreOffice is not installed")
    doc = read(fodt("<text:p>测试市应急管理局2023年政府信息公开工作年度报告</text:p>"), "a.doc")
    assert "测试市应急管理局2023年政府信息公开工作年度报告" in doc.paragraphs


def test_yingji_parse_says_why_in_one_line(tmp_path: Path) -> None:
    """An XLSX refusal used to print three lines (openpyxl's message spans three)."""
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(workbook(**{"xl/worksheets/sheet1.xml": LAUGHS + sheet(1)}))
    broken = tmp_path / "broken.xlsx"
    # well-formed, so openpyxl itself refuses it, with a message of three lines
    nonsense = sheet(1).replace('r="A0"', 'r="!!"')
    broken.write_bytes(workbook(**{"xl/worksheets/sheet1.xml": nonsense}))
    for path, code in ((bomb, "corrupt"), (broken, "corrupt")):
        line = parse_refusal(path, timeout=60)
        assert line.startswith(f"yingji parse: {path}: {code}: "), line


def test_a_docx_of_millions_of_empty_paragraphs_is_refused_before_lxml() -> None:
    """Varied enough not to look like a zip bomb (random revision ids), yet no report."""
    ids = (i * 2654435761 % 2**32 for i in range(2_100_000))  # scattered, like real ones
    paragraphs = "".join(f'<w:p w:rsidR="{n:08X}"/>' for n in ids).encode()
    flood = (
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + b"<w:body>"
        + paragraphs
        + b"</w:body></w:document>"
    )
    data = zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": flood})
    start = time.monotonic()
    with pytest.raises(TooLarge, match="XML tags, over the limit of 2,000,000"):
        read(data, "report.docx")
    assert time.monotonic() - start < 5
