"""Scanned reports through the public parser: OCR reads every cell of the samples' tables.

The four ``*.scan.pdf`` samples are the samples printed, scanned at 110 dpi grey, tilted and
softened; their answers are the same ``NAME.json`` files as the other formats'. The engine is
the ``ocr`` extra; a subprocess that cannot import it shows what a user without it is told.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from demo import SAMPLES
from yingji_parser import parse_document
from yingji_parser.ocr import available, parse_images

from .conftest import assert_record_matches, expected

pytestmark = pytest.mark.skipif(not available(), reason="the ocr extra is not installed")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["seed000", "seed001", "synth1", "synth3"])
def test_each_scan_parses_to_its_answer(name: str) -> None:
    # synth1 and synth3: table 四's last row stands alone at the top of page 5, its cell sides
    # shorter than the line kernel; it is joined to the header on page 4 by its column rules
    result = parse_document((SAMPLES / f"{name}.scan.pdf").read_bytes())
    assert result.status == "parsed"
    assert_record_matches(result.record, expected(name))
    codes = {w.code for w in result.warnings}
    assert "ocr_numbers" in codes  # what OCR read is marked


def _page_images(name: str) -> list[bytes]:
    """The scan's pages as PNG files, as an article with one image per page publishes them."""
    import cv2
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument((SAMPLES / f"{name}.scan.pdf").read_bytes())
    out = []
    for page in pdf:
        pixels = page.render(scale=110 / 72, grayscale=True).to_numpy()
        grey = pixels if pixels.ndim == 2 else pixels[:, :, 0]
        out.append(cv2.imencode(".png", np.ascontiguousarray(grey))[1].tobytes())
    pdf.close()
    return out


@pytest.mark.slow
def test_a_number_that_is_not_clean_is_null_with_a_warning_never_a_guess() -> None:
    import cv2

    pages = _page_images("seed000")
    page = cv2.imdecode(np.frombuffer(pages[1], np.uint8), cv2.IMREAD_GRAYSCALE)
    # 行政处罚's "24" (second page, first table): scribbled over, as a stamp or a pen would
    x0, y0 = 300, 132
    page[y0 : y0 + 20, x0 : x0 + 40] = 255
    cv2.putText(page, "x#", (x0 + 2, y0 + 17), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    pages[1] = cv2.imencode(".png", page)[1].tobytes()
    result = parse_images(pages)
    assert result.record["active_disclosure"]["penalty"] is None
    assert any(w.code == "number_unreadable" and "penalty" in w.message for w in result.warnings)
    assert result.record["active_disclosure"]["licensing"] == 94  # the rest is still read


def test_a_single_page_image_is_sniffed_and_read() -> None:
    page = _page_images("seed000")[0]
    result = parse_document(page, filename="download.jsp")
    assert result.doc_type == "image"
    assert result.record["agency"] == "孟津区应急管理局"
    assert result.record["active_disclosure"]["licensing"] == 94


def test_without_the_ocr_extra_a_scan_stays_needs_ocr_and_says_how_to_enable_it() -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["rapidocr_onnxruntime"] = None  # the extra is not installed
        from yingji_parser import parse_document
        result = parse_document(open({str(SAMPLES / "synth3.scan.pdf")!r}, "rb").read())
        print(result.status)
        print(" | ".join(w.message for w in result.warnings))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    status, messages = out.splitlines()[:2]
    assert status == "needs_ocr"
    assert "pip install 'yingji[ocr]'" in messages


def test_unreadable_image_bytes_are_no_report() -> None:
    result = parse_images([b"\x89PNG\r\n\x1a\n" + b"\x00" * 64])
    assert result.status == "needs_ocr"
