"""Every sample DOCX and DOC (and the XLSX/XLS made from one) parses to its JSON exactly.

Goes through the public ``yingji_parser.parse_document`` with misleading names, so sniffing,
the format reader and the mapper are judged together, as a crawler would use them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from demo import SAMPLES
from yingji_parser import parse_document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

OFFICE = FIXTURES / "office"
KEYS = (
    "agency",
    "year",
    "template",
    "title",
    "active_disclosure",
    "applications",
    "review_litigation",
)
NAMES = sorted(p.stem for p in SAMPLES.glob("*.json"))


def expected(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def assert_matches(record: dict[str, Any], want: dict[str, Any]) -> None:
    for key in KEYS:
        if key in want:
            assert record[key] == want[key], key


@pytest.mark.parametrize("name", NAMES)
def test_sample_docx_parses_to_its_json(name: str) -> None:
    data = (SAMPLES / f"{name}.docx").read_bytes()
    result = parse_document(data, filename="download.jsp", content_type="application/octet-stream")
    assert result.doc_type == "docx"
    assert result.status == "parsed"
    assert_matches(result.record, expected(name))


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", NAMES)
def test_sample_doc_parses_to_its_json(name: str) -> None:
    data = (SAMPLES / f"{name}.doc").read_bytes()
    result = parse_document(data, filename=f"{name}.docx")  # a .doc published as .docx
    assert result.doc_type == "doc"
    assert result.status == "parsed"
    assert_matches(result.record, expected(name))


@pytest.mark.parametrize("suffix", ["xlsx", "xls"])
def test_spreadsheet_version_of_a_sample_parses_to_its_json(suffix: str) -> None:
    """seed000's tables as a workbook (one sheet per table, merged cells) parse like the DOCX."""
    result = parse_document((OFFICE / f"seed000.{suffix}").read_bytes(), filename="table.bin")
    assert result.doc_type == suffix
    assert result.status == "parsed"
    assert_matches(result.record, expected("seed000"))


def test_word_file_of_scanned_pages_needs_ocr() -> None:
    result = parse_document((OFFICE / "scanned.docx").read_bytes(), filename="report.docx")
    assert result.status == "needs_ocr"
