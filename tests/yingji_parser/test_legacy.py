"""DOC/WPS/RTF through a real warm LibreOffice: same grid and record as the DOCX, time limit."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from demo import SAMPLES
from tests.yingji_parser.conftest import assert_record_matches, expected
from yingji_parser import parse_document
from yingji_parser.convert import close_shared_pool, shared_pool
from yingji_parser.errors import ConversionFailed, ConverterMissing, TimedOut
from yingji_parser.formats import ReadHints, docx, legacy
from yingji_parser.grid import Document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

OFFICE = FIXTURES / "office"

needs_libreoffice = pytest.mark.libreoffice
SAMPLE_DOCS = sorted(p.stem for p in SAMPLES.glob("*.doc") if p.with_suffix(".json").exists())


def grid(doc: Document) -> list[list[list[tuple[str, bool]]]]:
    return [[[(c.text, c.merged) for c in row] for row in t.rows] for t in doc.tables]


@needs_libreoffice
def test_doc_converts_to_the_same_grid_as_the_docx() -> None:
    converted = legacy.read((SAMPLES / "synth2.doc").read_bytes(), ReadHints("doc"))
    native = docx.read((SAMPLES / "synth2.docx").read_bytes())
    assert converted.doc_type == "doc"
    assert grid(converted) == grid(native)
    assert converted.paragraphs == native.paragraphs


@needs_libreoffice
def test_wps_goes_through_the_same_conversion() -> None:
    doc = legacy.read((SAMPLES / "seed001.doc").read_bytes(), ReadHints("wps"))
    assert doc.doc_type == "wps"
    assert len(doc.tables) == 3
    assert doc.paragraphs[0].endswith("政府信息公开工作年度报告")


@needs_libreoffice
def test_rtf_served_as_doc_gives_the_same_grid_as_the_docx() -> None:
    converted = legacy.read((OFFICE / "synth0.rtf").read_bytes(), ReadHints("doc"))
    native = docx.read((SAMPLES / "synth0.docx").read_bytes())
    assert grid(converted) == grid(native)
    assert converted.paragraphs == native.paragraphs


@needs_libreoffice
def test_word97_list_numbering_survives_the_conversion() -> None:
    converted = legacy.read((OFFICE / "numbered.doc").read_bytes(), ReadHints("doc"))
    native = docx.read((OFFICE / "numbered.docx").read_bytes())
    assert converted.paragraphs == native.paragraphs
    assert converted.paragraphs[1] == "（一）主动公开"
    assert grid(converted) == grid(native)


@needs_libreoffice
def test_parallel_conversions_do_not_collide() -> None:
    data = [(SAMPLES / f"synth{i}.doc").read_bytes() for i in range(3)]
    with ThreadPoolExecutor(3) as pool:
        docs = list(pool.map(lambda d: legacy.read(d, ReadHints("doc")), data))
    for i, doc in enumerate(docs):
        assert grid(doc) == grid(docx.read((SAMPLES / f"synth{i}.docx").read_bytes()))


@needs_libreoffice
@pytest.mark.parametrize("name", SAMPLE_DOCS)
def test_every_sample_doc_parses_to_its_json(name: str) -> None:
    data = (SAMPLES / f"{name}.doc").read_bytes()
    result = parse_document(data, filename=f"{name}.doc")
    assert result.doc_type == "doc"
    assert result.status == "parsed"
    assert_record_matches(result.record, expected(name))


@needs_libreoffice
def test_conversions_reuse_one_warm_converter_per_process() -> None:
    legacy.read((SAMPLES / "synth0.doc").read_bytes(), ReadHints("doc"))
    first = shared_pool().office_pids()
    legacy.read((SAMPLES / "synth1.doc").read_bytes(), ReadHints("doc"))
    assert shared_pool().office_pids() == first
    assert len(first) == 1


@needs_libreoffice
def test_a_timeout_says_timed_out_and_the_next_document_converts() -> None:
    legacy.read(
        (SAMPLES / "synth0.doc").read_bytes(), ReadHints("doc")
    )  # warm: only the conversion is timed
    started = time.monotonic()
    with pytest.raises(TimedOut, match=r"timed out: no result within 0\.01 s") as refused:
        legacy.read((SAMPLES / "seed000.doc").read_bytes(), ReadHints("doc"), timeout=0.01)
    assert refused.value.code == "timed_out"
    assert "could not read" not in str(refused.value)
    assert time.monotonic() - started < 10
    assert shared_pool().office_pids() == []  # the stopped converter is not reused
    doc = legacy.read((SAMPLES / "synth2.doc").read_bytes(), ReadHints("doc"))
    assert grid(doc) == grid(docx.read((SAMPLES / "synth2.docx").read_bytes()))


@needs_libreoffice
def test_unreadable_input_is_a_conversion_failure_or_an_empty_document() -> None:
    """LibreOffice may refuse garbage or import it as text; either way no crash, no hang."""
    try:
        doc = legacy.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ReadHints("doc"))
    except ConversionFailed as exc:
        assert "LibreOffice" in str(exc)
    else:
        assert doc.tables == []


def test_missing_libreoffice_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    close_shared_pool()  # a converter started by an earlier test would not need to find it
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv(legacy.SOFFICE_ENV, raising=False)
    with pytest.raises(ConverterMissing, match=r"scripts/install-system-deps\.sh"):
        legacy.read((SAMPLES / "seed000.doc").read_bytes(), ReadHints("doc"))


def test_a_wrong_soffice_setting_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(legacy.SOFFICE_ENV, str(tmp_path / "no-such-soffice"))
    with pytest.raises(ConverterMissing, match="YINGJI_SOFFICE"):
        legacy.find_soffice()
