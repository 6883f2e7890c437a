"""DOC/WPS/RTF through real LibreOffice: same grid as the DOCX, private profiles, time limit."""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from demo import SAMPLES
from yingji_parser.errors import ConversionFailed, ConverterMissing
from yingji_parser.formats import ReadHints, docx, legacy
from yingji_parser.grid import Document

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

OFFICE = FIXTURES / "office"

needs_libreoffice = pytest.mark.libreoffice


def grid(doc: Document) -> list[list[list[tuple[str, bool]]]]:
    return [[[(c.text, c.merged) for c in row] for row in t.rows] for t in doc.tables]


@pytest.fixture
def private_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Temp files of the conversion go here, so the test can see they are cleaned up."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            raw = cmdline.read_bytes()
        except OSError:
            continue
        if text.encode() in raw:
            found.append(raw.replace(b"\0", b" ").decode(errors="replace"))
    return found


@needs_libreoffice
def test_doc_converts_to_the_same_grid_as_the_docx(private_tmp: Path) -> None:
    converted = legacy.read((SAMPLES / "synth2.doc").read_bytes(), ReadHints("doc"))
    native = docx.read((SAMPLES / "synth2.docx").read_bytes())
    assert converted.doc_type == "doc"
    assert grid(converted) == grid(native)
    assert converted.paragraphs == native.paragraphs
    assert list(private_tmp.iterdir()) == []  # temp dir and profile removed


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
def test_timeout_kills_the_whole_conversion_and_cleans_up(private_tmp: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ConversionFailed, match=r"within 0\.05 s"):
        legacy.read((SAMPLES / "seed000.doc").read_bytes(), ReadHints("doc"), timeout=0.05)
    assert time.monotonic() - started < 10
    assert _processes_mentioning(str(private_tmp)) == []
    assert list(private_tmp.iterdir()) == []


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
