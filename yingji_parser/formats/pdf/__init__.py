"""PDF reader: a PDF with a text layer becomes a :class:`Document` of paragraphs and tables.

Built on PDFium (pypdfium2's raw API) rather than pdfplumber/pdfminer: PDFium reads a report
page in milliseconds where pdfminer's Python layout engine takes a large fraction of a second,
and the crawler parses every report it finds. One job per module: :mod:`.page` and :mod:`.paths`
read a page's characters and ruling lines, :mod:`.lattice` rebuilds ruled tables and
:mod:`.stream` the tables drawn without ruling lines (from character positions), :mod:`.text`
turns characters into lines and paragraphs, :mod:`.join` joins a table's page parts and
:mod:`.assemble` puts the pages together; every tolerance is in :mod:`.settings`. The pages put
together: page-number folios, running headers/footers and “续表” marks dropped, a table that
runs over a page break joined into one :class:`Table` (with a row or a merged label that the
break cut in two put back together), prose grouped into paragraphs in reading order.

Refusals: a PDF that needs a password -> :class:`EncryptedDocument`; anything PDFium cannot
open -> :class:`CorruptDocument`. A PDF with no text (a scan, or pictures of pages with a page
number stamped on) is returned with ``has_text_layer=False`` so the caller reports
``needs_ocr`` instead of an empty record. Work is bounded by a page cap and a time budget; what
was skipped is said in ``Document.notes``.
"""

from __future__ import annotations

import re
import threading
import time

import pypdfium2_raw as pdfium_c

from yingji_parser.errors import CorruptDocument, EncryptedDocument
from yingji_parser.formats.hints import ReadHints
from yingji_parser.formats.pdf.assemble import assemble
from yingji_parser.formats.pdf.content import PageContent
from yingji_parser.formats.pdf.document import OpenError, PdfDocument
from yingji_parser.formats.pdf.page import extract_page
from yingji_parser.formats.pdf.settings import DEFAULT_SETTINGS, PdfSettings
from yingji_parser.grid import Document

__all__ = ["DEFAULT_SETTINGS", "PDFIUM_LOCK", "PdfSettings", "read", "read_pdf"]

PDF = ReadHints("pdf")

# PDFium is not thread-safe: one document at a time per process.
_LOCK = threading.Lock()
PDFIUM_LOCK = _LOCK  # the same lock, for the other PDFium users of the parser (OCR rendering)


def read(data: bytes, hints: ReadHints = PDF) -> Document:
    """Read PDF bytes into the grid model (see module docstring for refusals)."""
    return read_pdf(data)


def read_pdf(data: bytes, settings: PdfSettings = DEFAULT_SETTINGS) -> Document:
    """:func:`read` with other tolerances or bounds than the default ones."""
    with _LOCK:
        return _read(data, settings)


def _open(data: bytes) -> PdfDocument:
    try:
        return PdfDocument(data)
    except OpenError as exc:
        if exc.code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument("the PDF is protected by a password") from exc
        raise CorruptDocument(f"the PDF cannot be opened: {exc}") from exc
    except Exception as exc:  # PDFium wraps everything; stay inside the ParseError family
        raise CorruptDocument(f"the PDF cannot be opened: {exc}") from exc


def _read(data: bytes, settings: PdfSettings) -> Document:
    pdf = _open(data)
    try:
        total = len(pdf)
        title = _metadata_title(pdf)
        doc = Document(doc_type="pdf", pages=total, title_hints=[title] if title else [])
        started = time.monotonic()
        pages = _read_pages(pdf, total, doc, started, settings)
    finally:
        pdf.close()
    if not pages:
        raise CorruptDocument("no page of the PDF can be read")
    images = sum(p.images for p in pages)
    enough = max(settings.min_glyphs_per_page * len(pages), 1) if images else 1
    glyphs = _count_glyphs(pages, enough)
    if glyphs < enough:
        # No text, or pictures of pages with a few words stamped on (a page number, a
        # watermark): the report itself is in the images.
        doc.has_text_layer = False
        doc.notes.append(
            ("pdf_no_text_layer", f"no text layer to read: {glyphs} characters, {images} images")
        )
        return doc
    doc.blocks = assemble(pages, doc.notes, started, settings)
    pictured = sum(1 for p in pages if p.images)
    if not doc.tables and pictured:
        doc.notes.append(
            (
                "pdf_tables_as_images",
                f"no ruled table in the text layer and {pictured} page(s) carry pictures: "
                "the tables may be images (they need OCR)",
            )
        )
    return doc


def _count_glyphs(pages: list[PageContent], enough: int) -> int:
    """The characters of the pages' text (blanks aside), counted up to ``enough`` only: the
    exact number matters only when it is smaller (a text layer too thin to be the report)."""
    total = 0
    for page in pages:
        for char in page.chars:
            total += len(char.text.strip())
            if total >= enough:
                return total
    return total


_TITLE_NOISE = re.compile(
    r"^\s*(?:Microsoft\s+Word|WPS\s*文字|Word)\s*[-–—]\s*|\.(?:docx?|wps|pdf|txt|html?)\s*$",
    re.IGNORECASE,
)


def _metadata_title(pdf: PdfDocument) -> str:
    """The Title of the document information, without "Microsoft Word - " and ".docx"."""
    try:
        title = pdf.metadata_value("Title") or ""
    except Exception:  # broken metadata is no reason to refuse the document
        return ""
    return _TITLE_NOISE.sub("", title).strip()


def _read_pages(
    pdf: PdfDocument, total: int, doc: Document, started: float, settings: PdfSettings
) -> list[PageContent]:
    max_pages, budget = settings.max_pages, settings.time_budget
    pages: list[PageContent] = []
    if total > max_pages:
        doc.notes.append(
            ("pdf_page_limit", f"only the first {max_pages} of {total} pages were read")
        )
    for index in range(min(total, max_pages)):
        if index and time.monotonic() - started > budget:
            doc.notes.append(
                ("pdf_time_limit", f"reading stopped after {index} pages ({budget:.0f} s)")
            )
            break
        try:
            page = extract_page(pdf.raw, index, settings)
        except Exception as exc:  # a ctypes/PDFium failure on one page
            page = None
            reason = str(exc)
        else:
            reason = "PDFium cannot load it"
        if page is None:
            doc.notes.append(("pdf_page_unreadable", f"page {index + 1} skipped: {reason}"))
            continue
        if page.truncated:
            doc.notes.append(
                ("pdf_page_truncated", f"page {index + 1} has too many objects; some skipped")
            )
        pages.append(page)
    return pages
