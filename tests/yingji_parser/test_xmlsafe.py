"""Entity declarations are refused in every XML-bearing format, with one line on stderr.

The DOCX reader never expands entities (lxml, ``resolve_entities=False``), yet a DOCX whose
part declares them is an attack, not a report: it is refused like an XLSX, an ODT, a flat ODT
or a Word 2003 XML file, and ``yingji parse`` says so in exactly one line for each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.yingji_parser.hostile import LAUGHS, odt, parse_refusal, sheet, xxe, zipped
from tests.yingji_parser.test_hostile import fodt, wordml, workbook
from yingji_parser.errors import CorruptDocument
from yingji_parser.xmlsafe import refuse_entities

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BODY = f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>a&lol9;b</w:t></w:r></w:p></w:body></w:document>'  # noqa: E501


def test_a_prolog_without_a_dtd_passes_untouched() -> None:
    xml = b'<?xml version="1.0"?>\n<!-- a comment --><w:document/>'
    assert refuse_entities(xml, "the part") is xml


def test_a_bare_doctype_passes() -> None:
    refuse_entities(b"<!DOCTYPE html><html/>", "the part")


def test_entity_declarations_are_refused_from_the_prolog_alone() -> None:
    huge_body = (LAUGHS + BODY).encode() + b"<w:p/>" * 1_000_000  # never looked at
    with pytest.raises(CorruptDocument, match="the part declares XML entities"):
        refuse_entities(huge_body, "the part")


def test_external_entities_and_external_dtds_are_refused() -> None:
    with pytest.raises(CorruptDocument, match="declares XML entities"):
        refuse_entities((xxe("/etc/passwd") + "<d>&x;</d>").encode(), "the part")
    with pytest.raises(CorruptDocument, match="external DTD"):
        refuse_entities(b'<!DOCTYPE d SYSTEM "http://127.0.0.1:1/x.dtd"><d/>', "the part")


def test_a_utf16_part_is_looked_at_too() -> None:
    xml = ("\ufeff" + LAUGHS + "<d>&lol9;</d>").encode("utf-16-le")
    with pytest.raises(CorruptDocument, match="declares XML entities"):
        refuse_entities(b"\xff\xfe" + xml[2:], "the part")


def test_entities_after_the_root_are_text_not_a_dtd() -> None:
    refuse_entities(b"<d>&lt;!DOCTYPE x [&lt;!ENTITY y 'z'&gt;]&gt;</d>", "the part")


def _docx() -> bytes:
    return zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": LAUGHS + BODY})


#: file name -> (the hostile bytes, words the one line must hold)
HOSTILE = {
    "report.docx": (_docx, "'word/document.xml' declares XML entities"),
    "report.xlsx": (
        lambda: workbook(**{"xl/worksheets/sheet1.xml": LAUGHS + sheet(1)}),
        "declares XML entities",
    ),
    "odt-as.doc": (
        lambda: odt(LAUGHS + "<office:document-content>&lol9;</office:document-content>"),
        "declares XML entities",
    ),
    "flat.fodt": (lambda: fodt("&lol9;", prolog=LAUGHS), "declares XML entities"),
    "word2003.xml": (lambda: wordml("&lol9;", prolog=LAUGHS), "declares XML entities"),
    "huge.rtf": (lambda: b"{\\rtf1 " + b"\\par x" * 400_000 + b"}", "paragraphs and table"),
    "deep.rtf": (lambda: b"{\\rtf1 " + b"{" * 5000 + b"}" * 5000 + b"}", "nests groups"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_yingji_parse_refuses_in_exactly_one_line(name: str, tmp_path: Path) -> None:
    make, words = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())  # type: ignore[operator]
    assert words in parse_refusal(path)
