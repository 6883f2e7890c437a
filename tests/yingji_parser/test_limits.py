"""The bounds checked before a reader or LibreOffice sees a container or an XML part."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from tests.yingji_parser.hostile import LAUGHS, lie_about_size, odt, sheet, xxe, zipped
from yingji_parser import limits
from yingji_parser.errors import CorruptDocument, TooLarge
from yingji_parser.limits import (
    MAX_FLAT_XML_BYTES,
    check_before_conversion,
    check_markup,
    check_workbook,
    safe_zip,
)
from yingji_parser.xmlsafe import MAX_SHEET_CELLS, cells_of_range, scan_xml


def test_a_plain_part_is_measured() -> None:
    shape = scan_xml(b"<a><b><c/></b><b/></a>", "the part")
    assert (shape.elements, shape.depth, shape.cells) == (4, 3, 0)


def test_entity_declarations_are_refused_before_any_expansion() -> None:
    start = time.monotonic()
    with pytest.raises(CorruptDocument, match="declares XML entities"):
        scan_xml((LAUGHS + "<r>&lol9;</r>").encode(), "the part 'content.xml'")
    assert time.monotonic() - start < 1


def test_external_entities_are_refused_and_never_read() -> None:
    with pytest.raises(CorruptDocument, match=r"entities|external") as err:
        scan_xml((xxe("/etc/hostname") + "<r>&x;</r>").encode(), "the part")
    assert "the part" in str(err.value)


def test_an_external_dtd_is_refused() -> None:
    xml = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>'
    with pytest.raises(CorruptDocument, match="external"):
        scan_xml(xml, "the part")


def test_element_count_and_depth_are_capped() -> None:
    with pytest.raises(TooLarge, match="over 1,000 XML elements"):
        scan_xml(b"<r>" + b"<p/>" * 1001 + b"</r>", "the part", max_elements=1000)
    deep = b"<a>" * 300 + b"</a>" * 300
    with pytest.raises(TooLarge, match="over 256 levels"):
        scan_xml(deep, "the part")


def test_malformed_xml_is_corrupt() -> None:
    with pytest.raises(CorruptDocument, match="not well-formed"):
        scan_xml(b"<a><b></a>", "the part")


def test_declared_dimensions_read_as_cell_counts() -> None:
    assert cells_of_range("A1:C10") == 30
    assert cells_of_range("A1") == 1
    assert cells_of_range("$B$2:$XFD$1048576") == 16383 * 1048575
    assert cells_of_range("nonsense") == 0


def test_a_sheet_that_declares_a_million_rows_is_refused_at_its_dimension() -> None:
    data = zipped({"xl/worksheets/sheet1.xml": sheet(3, "A1:Z1048576")})
    with pytest.raises(TooLarge, match=r"27,262,976 \(by its <dimension>\) cells"):
        check_workbook(safe_zip(data))


def test_a_sheet_with_a_lying_dimension_is_refused_while_streaming() -> None:
    data = zipped({"xl/worksheets/sheet1.xml": sheet(MAX_SHEET_CELLS + 1)})
    start = time.monotonic()
    with pytest.raises(TooLarge, match=r"sheet1\.xml' spans over 200,000 cells"):
        check_workbook(safe_zip(data))
    assert time.monotonic() - start < 10


def test_a_workbook_of_many_sheets_is_capped_as_a_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_WORKBOOK_CELLS", 1000)  # 500,000 by default
    parts = {f"xl/worksheets/sheet{i}.xml": sheet(400) for i in range(3)}
    with pytest.raises(TooLarge, match="the workbook has over 1,000 cells"):
        check_workbook(safe_zip(zipped(parts)))


def test_a_small_workbook_passes() -> None:
    data = zipped({"xl/workbook.xml": "<workbook/>", "xl/worksheets/sheet1.xml": sheet(20)})
    zf = safe_zip(data)
    assert check_workbook(zf) is zf


def test_an_ordinary_odt_passes() -> None:
    check_before_conversion(odt("<office:document-content xmlns:office='o'/>"))


def test_an_odt_that_inflates_past_the_limit_is_refused_from_its_directory() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        with zf.open("content.xml", "w", force_zip64=True) as fh:
            for _ in range(80):
                fh.write(b" " * (1 << 20))
    with pytest.raises(TooLarge, match="zip bomb"):
        check_before_conversion(buf.getvalue())


def test_a_member_bigger_than_its_declared_size_is_refused() -> None:
    """A central directory that says 1 KB for 20 MB of pictures: caught by its CRC."""
    honest = odt("<doc/>", **{"Pictures/a.png": b"\0" * (20 << 20)})
    lying = lie_about_size(honest, "Pictures/a.png", 1024)
    assert zipfile.ZipFile(io.BytesIO(lying)).getinfo("Pictures/a.png").file_size == 1024
    with pytest.raises(CorruptDocument, match=r"Pictures/a\.png"):
        check_before_conversion(lying)


def test_entities_in_an_odt_part_are_refused() -> None:
    with pytest.raises(CorruptDocument, match=r"'styles.xml'\) declares XML entities"):
        check_before_conversion(odt("<doc/>", **{"styles.xml": LAUGHS + "<s>&lol9;</s>"}))


def test_the_element_cap_counts_every_part_of_the_document() -> None:
    half = "<doc>" + "<p/>" * 160_000 + "</doc>"
    with pytest.raises(TooLarge, match=r"the document \(at its part 'styles.xml'\) has over"):
        check_before_conversion(odt(half, **{"styles.xml": half}))


def test_flat_xml_is_capped_in_size_and_streamed() -> None:
    with pytest.raises(TooLarge, match=r"over the 16\.0 MB limit"):
        check_before_conversion(b"<?xml version='1.0'?><d>" + b" " * MAX_FLAT_XML_BYTES + b"</d>")
    with pytest.raises(CorruptDocument, match="declares XML entities"):
        check_before_conversion((LAUGHS + "<d>&lol9;</d>").encode())
    check_before_conversion(b"<?xml version='1.0'?><office:document xmlns:office='o'/>")


def test_binary_word_and_rtf_have_no_xml_to_check() -> None:
    check_before_conversion(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    check_before_conversion(b"{\\rtf1\\ansi hello}")


def test_markup_is_bounded_before_a_tree_is_built() -> None:
    ordinary = b"<w:document><w:body>" + b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 100 + b"</w:body>"
    assert check_markup(ordinary, "the part") is ordinary
    flood = b"<r>" + b"<p/>" * 2_000_000 + b"</r>"
    start = time.monotonic()
    with pytest.raises(TooLarge, match="2,000,002 XML tags, over the limit of 2,000,000"):
        check_markup(flood, "the Word document part 'word/document.xml'")
    assert time.monotonic() - start < 1


def test_flat_xml_in_gb2312_is_read_and_still_checked() -> None:
    """Expat lacks GB2312; the scan re-encodes instead of calling a Chinese document corrupt."""
    body = "<d><p>测试市应急管理局</p></d>"
    shape = scan_xml(f'<?xml version="1.0" encoding="GB2312"?>{body}'.encode("gb2312"), "x")
    assert shape.elements == 2
    bomb = LAUGHS.replace('version="1.0"', 'version="1.0" encoding="GB2312"') + "<d>&lol9;</d>"
    with pytest.raises(CorruptDocument, match="declares XML entities"):
        scan_xml(bomb.encode("gb2312"), "x")
