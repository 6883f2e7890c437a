"""OCR of scanned and photographed reports: page images -> the same grid model as every format.

A scan (an image-only PDF, a JPG/PNG, or several images of one report) is levelled
(:mod:`.image`), its ruled tables found from the ruling lines in the image (:mod:`.rules`), each
cell cut into text lines (:mod:`.lines`) and each line read by RapidOCR's PP-OCRv4 recogniser
(:mod:`.engine`); :mod:`.page` builds the :class:`~yingji_parser.grid.Document` that the one
mapper reads. What OCR read is marked in ``Document.notes``: ``ocr_numbers`` once per table with
its lowest confidence; a number under the confidence floor is made unreadable (null with
``number_unreadable``), never guessed. The OCR engine is the optional ``ocr`` extra: without it a
scan stays ``needs_ocr`` with an ``ocr_unavailable`` note saying how to install it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from yingji_parser.grid import Block, Document, Table
from yingji_parser.ocr.engine import INSTALL_HINT, OcrUnavailable, available
from yingji_parser.ocr.settings import DEFAULT_SETTINGS, OcrSettings
from yingji_parser.result import ParseResult

__all__ = [
    "DEFAULT_SETTINGS",
    "INSTALL_HINT",
    "OcrSettings",
    "OcrUnavailable",
    "available",
    "ocr_images",
    "ocr_pdf",
    "parse_images",
]

UNAVAILABLE = "ocr_unavailable"


def _unavailable(doc: Document) -> Document:
    doc.notes.append(
        (
            UNAVAILABLE,
            f"OCR is not installed (or YINGJI_OCR=0): enable it with {INSTALL_HINT} to read scans",
        )
    )
    return doc


def _pdf_pages(data: bytes, settings: OcrSettings) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    from yingji_parser.formats.pdf import PDFIUM_LOCK  # one PDFium document at a time

    scale = settings.render_dpi / 72
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            pages = []
            for index in range(min(len(pdf), settings.max_pages)):
                bitmap = pdf[index].render(scale=scale, grayscale=True)
                pixels = bitmap.to_numpy()
                grey = pixels if pixels.ndim == 2 else pixels[:, :, 0]
                pages.append(np.array(grey, copy=True))
            return pages
        finally:
            pdf.close()


def ocr_pdf(data: bytes, doc: Document, settings: OcrSettings = DEFAULT_SETTINGS) -> Document:
    """A PDF the reader found image-only, read by OCR (``doc`` unchanged without the extra)."""
    if not available():
        return _unavailable(doc)
    started = time.monotonic()
    total = doc.pages or 0
    if total > settings.max_pages:
        doc.notes.append(
            ("ocr_page_limit", f"OCR read only the first {settings.max_pages} of {total} pages")
        )
    return _read(_pdf_pages(data, settings), doc, settings, started)


def ocr_images(images: Sequence[bytes], settings: OcrSettings = DEFAULT_SETTINGS) -> Document:
    """Images (JPEG, PNG…) of one report's pages, in order, read as one document."""
    from yingji_parser.ocr.image import decode

    doc = Document(doc_type="image", pages=len(images), has_text_layer=False)
    if not available():
        return _unavailable(doc)
    started = time.monotonic()
    greys = []
    for index, data in enumerate(images[: settings.max_pages]):
        grey = decode(data)
        if grey is None:
            doc.notes.append(("ocr_page_unreadable", f"image {index + 1} cannot be decoded"))
        else:
            greys.append(grey)
    return _read(greys, doc, settings, started)


def _read(
    greys: list[np.ndarray], doc: Document, settings: OcrSettings, started: float
) -> Document:
    from yingji_parser.ocr.image import level
    from yingji_parser.ocr.join import continues, join
    from yingji_parser.ocr.page import read_page

    blocks: list[Block] = []
    last_columns: tuple[int, ...] = ()  # the column rules of the last table read
    tables_read = 0
    for index, grey in enumerate(greys):
        if index and time.monotonic() - started > settings.time_limit:
            doc.notes.append(
                (
                    "ocr_time_limit",
                    f"OCR stopped after {index} of {len(greys)} pages "
                    f"({settings.time_limit:.0f} s)",
                )
            )
            break
        page = read_page(level(grey, settings.max_angle), settings, first=index == 0)
        tables_on_page = iter(page.columns)
        for position, block in enumerate(page.blocks):
            if isinstance(block, Table):
                block.page = index + 1
                columns = next(tables_on_page, ())
                previous = blocks[-1] if blocks else None
                if (
                    position == 0
                    and isinstance(previous, Table)
                    and continues(previous, block, last_columns, columns)
                ):
                    # the page break cut the table: the piece goes on the table's columns
                    blocks[-1] = join(previous, block, last_columns, columns)
                    continue
                last_columns = columns
            blocks.append(block)
        for numbers in page.numbers:
            tables_read += 1
            if numbers:
                worst = min(numbers, key=lambda n: n.confidence)
                doc.notes.append(
                    (
                        "ocr_numbers",
                        f"table {tables_read} (page {index + 1}): {len(numbers)} numbers read "
                        f"by OCR, lowest confidence {worst.confidence:.2f} "
                        f"({worst.text!r} at row {worst.row + 1}, column {worst.col + 1})",
                    )
                )
    doc.blocks = blocks
    doc.has_text_layer = tables_read > 0  # no table: nothing for the record, still needs OCR
    if not tables_read:
        doc.notes.append(("ocr_no_table", "OCR found no ruled table in the page images"))
    return doc


def parse_images(images: Sequence[bytes], settings: OcrSettings = DEFAULT_SETTINGS) -> ParseResult:
    """Several images of one report (e.g. the JPGs of one article) -> one ParseResult."""
    from yingji_parser.api import build_result

    return build_result(ocr_images(images, settings))
