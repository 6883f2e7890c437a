"""PDF reader: a PDF with a text layer becomes a :class:`Document` of paragraphs and ruled tables.

Built on PDFium (pypdfium2's raw API) rather than pdfplumber/pdfminer: PDFium reads a report
page in milliseconds where pdfminer's Python layout engine takes a large fraction of a second,
and the crawler parses every report it finds. Tables are rebuilt from ruling lines
(:mod:`pdf_lattice`), text from character boxes (:mod:`pdf_text`); here the pages are put
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

import bisect
import re
import threading
import time

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from yingji_parser.errors import CorruptDocument, EncryptedDocument
from yingji_parser.formats.pdf_lattice import LCell, LTable, find_tables
from yingji_parser.formats.pdf_page import PageContent, extract_page
from yingji_parser.formats.pdf_text import (
    Line,
    body_margins,
    group_lines,
    is_continuation_mark,
    is_page_number,
    join_wrapped,
    paragraphs,
)
from yingji_parser.grid import Block, Cell, Document, Paragraph, Table

MAX_PAGES = 200  # an annual report has 3-15 pages; a 1000-page PDF is not one
TIME_BUDGET = 30.0  # seconds of reading and layout before the rest of a document is skipped
EDGE_TOLERANCE = 6.0  # points: the same table's outer edges on two pages
MIN_GLYPHS_PER_PAGE = 20  # fewer, on pages with images, and the text is not the report's
MARGIN_BAND = 0.07  # top/bottom fraction of a page where running headers and footers sit

# PDFium is not thread-safe: one document at a time per process.
_LOCK = threading.Lock()


def read(data: bytes) -> Document:
    """Read PDF bytes into the grid model (see module docstring for refusals)."""
    with _LOCK:
        return _read(data)


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument("the PDF is protected by a password") from exc
        raise CorruptDocument(f"the PDF cannot be opened: {exc}") from exc
    except Exception as exc:  # PDFium wraps everything; stay inside the ParseError family
        raise CorruptDocument(f"the PDF cannot be opened: {exc}") from exc


def _read(data: bytes) -> Document:
    pdf = _open(data)
    try:
        total = len(pdf)
        title = _metadata_title(pdf)
        doc = Document(doc_type="pdf", pages=total, title_hints=[title] if title else [])
        started = time.monotonic()
        pages = _read_pages(pdf, total, doc, started)
    finally:
        pdf.close()
    if not pages:
        raise CorruptDocument("no page of the PDF can be read")
    glyphs = sum(len(c.text.strip()) for p in pages for c in p.chars)
    images = sum(p.images for p in pages)
    if glyphs == 0 or (images and glyphs < MIN_GLYPHS_PER_PAGE * len(pages)):
        # No text, or pictures of pages with a few words stamped on (a page number, a
        # watermark): the report itself is in the images.
        doc.has_text_layer = False
        doc.notes.append(
            ("pdf_no_text_layer", f"no text layer to read: {glyphs} characters, {images} images")
        )
        return doc
    doc.blocks = _assemble(pages, doc.notes, deadline=started + TIME_BUDGET)
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


_TITLE_NOISE = re.compile(
    r"^\s*(?:Microsoft\s+Word|WPS\s*文字|Word)\s*[-–—]\s*|\.(?:docx?|wps|pdf|txt|html?)\s*$",
    re.IGNORECASE,
)


def _metadata_title(pdf: pdfium.PdfDocument) -> str:
    """The Title of the document information, without "Microsoft Word - " and ".docx"."""
    try:
        title = pdf.get_metadata_value("Title") or ""
    except Exception:  # broken metadata is no reason to refuse the document
        return ""
    return _TITLE_NOISE.sub("", title).strip()


def _read_pages(
    pdf: pdfium.PdfDocument, total: int, doc: Document, started: float
) -> list[PageContent]:
    pages: list[PageContent] = []
    if total > MAX_PAGES:
        doc.notes.append(
            ("pdf_page_limit", f"only the first {MAX_PAGES} of {total} pages were read")
        )
    for index in range(min(total, MAX_PAGES)):
        if index and time.monotonic() - started > TIME_BUDGET:
            doc.notes.append(
                ("pdf_time_limit", f"reading stopped after {index} pages ({TIME_BUDGET:.0f} s)")
            )
            break
        try:
            page = extract_page(pdf.raw, index)
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


# --- putting the pages together -------------------------------------------------------------


def _assemble(
    pages: list[PageContent], notes: list[tuple[str, str]], deadline: float
) -> list[Block]:
    per_page: list[tuple[PageContent, list[LTable], list[Line]]] = []
    for n, page in enumerate(pages):
        if n and time.monotonic() > deadline:
            notes.append(
                ("pdf_time_limit", f"layout stopped after {n} pages ({TIME_BUDGET:.0f} s)")
            )
            break
        tables, free = find_tables(page)
        lines = [
            ln
            for ln in group_lines(free)
            if ln.text.strip()
            and not is_page_number(ln, page.height)
            and not is_continuation_mark(ln)
        ]
        for ln in lines:
            ln.page = page.number
        per_page.append((page, tables, lines))
    running = _running_heads(per_page)
    if running:
        per_page = [
            (page, tables, [ln for ln in lines if _margin_key(ln, page) not in running])
            for page, tables, lines in per_page
        ]
    widths = sorted(page.width for page in pages)
    margins = body_margins(
        [ln for _, _, lines in per_page for ln in lines], widths[len(widths) // 2]
    )

    out: list[Paragraph | LTable] = []
    prev_ended_with_table = False
    prev_page_number = 0
    pending: list[Line] = []  # lines of prose not yet grouped: may run on over a page break
    for page, tables, lines in per_page:
        items: list[tuple[float, int, Line | LTable]] = [(t.top, 0, t) for t in tables]
        items += [(ln.top, 1, ln) for ln in lines]
        items.sort(key=lambda item: (item[0], item[1]))
        first = True
        for _, _, item in items:
            if isinstance(item, Line):
                pending.append(item)
                first = False
                continue
            out.extend(Paragraph(p) for p in paragraphs(pending, margins))
            pending = []
            last = out[-1] if out else None
            if (
                first
                and prev_ended_with_table
                and page.number == prev_page_number + 1
                and isinstance(last, LTable)
                and _continues(last, item)
            ):
                out[-1] = join_tables(last, item)
            else:
                out.append(item)
            first = False
        prev_ended_with_table = bool(items) and isinstance(items[-1][2], LTable)
        prev_page_number = page.number
    out.extend(Paragraph(p) for p in paragraphs(pending, margins))
    return [to_grid(b) if isinstance(b, LTable) else b for b in out]


def _margin_key(line: Line, page: PageContent) -> tuple[str, str] | None:
    """("top"|"bottom", text) for a line in the page's top or bottom margin band, else None."""
    if line.bottom < page.height * MARGIN_BAND:
        return ("top", line.text.replace(" ", ""))
    if line.top > page.height * (1 - MARGIN_BAND):
        return ("bottom", line.text.replace(" ", ""))
    return None


def _running_heads(
    per_page: list[tuple[PageContent, list[LTable], list[Line]]],
) -> set[tuple[str, str]]:
    """Header/footer lines repeated in the same margin on several pages (“××县人民政府文件”).

    They are page furniture, not report text, and between the two halves of a table they
    would hide that the table goes on.
    """
    seen: dict[tuple[str, str], int] = {}
    for page, _, lines in per_page:
        keys = {_margin_key(ln, page) for ln in lines}
        for key in keys:
            if key is not None:
                seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count >= 2}


_SECTION_TITLE = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")


def _continues(upper: LTable, lower: LTable) -> bool:
    """Is ``lower`` (first on its page) the rest of ``upper`` (last on the page before)?

    Same outer edges, unless ``lower`` opens with a section title across its whole width
    (“三、收到和处理政府信息公开申请情况” set as the table's first row): that is a new table.
    """
    if abs(upper.left - lower.left) > EDGE_TOLERANCE:
        return False
    if abs(upper.right - lower.right) > EDGE_TOLERANCE:
        return False
    ncols = len(lower.xs) - 1
    opening = [c for c in lower.cells if c.r0 == 0]
    return not (
        len(opening) == 1
        and opening[0].c1 - opening[0].c0 == ncols
        and _SECTION_TITLE.match(opening[0].text)
    )


_NUMERIC = re.compile(r"^[\s\d,，.．%\-－]*\d[\s\d,，.．%\-－]*$")
_ENUMERATED = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．]"
    r"|[①-⑳])"
)


def _numeric(text: str) -> bool:
    return bool(_NUMERIC.match(text))


def _label_like(text: str) -> bool:
    return bool(text.strip()) and not _numeric(text)


def join_tables(upper: LTable, lower: LTable) -> LTable:
    """One table from two page parts: columns aligned by position, rows appended (the parts'
    cells are reused: the parts are consumed).

    Where the page break cut a row in two (its label goes on over the break while its numbers
    stayed above), the two halves are put back into one row; where it cut a merged label cell
    (“（四）无” / “法提供”), the two pieces become one cell again.
    """
    xs = _union_positions(upper.xs + lower.xs)

    def remap(cells: list[LCell], old: list[float], row_offset: int) -> list[LCell]:
        """The part's cells in the joined table's rows and columns (the parts are consumed)."""
        index = [_nearest(xs, x) for x in old]  # old column boundary -> joined boundary
        same = index == list(range(len(old)))
        for c in cells:
            c.r0 += row_offset
            c.r1 += row_offset
            if not same:
                c.c0, c.c1 = index[c.c0], max(index[c.c1], index[c.c0] + 1)
        return cells

    a_cells = remap(upper.cells, upper.xs, 0)
    b_cells = remap(lower.cells, lower.xs, upper.nrows)
    boundary = upper.nrows
    nrows = upper.nrows + lower.nrows
    # A header repeated at the top of the new page stays (the mapper skips it); a row that the
    # break cut in two continues under it.
    header = _repeated_header_rows(a_cells, b_cells, boundary)
    cut = boundary + header
    a_last = {(c.c0, c.c1): c for c in a_cells if c.r1 == boundary}
    b_first = [c for c in b_cells if c.r0 == cut]

    if _row_was_split(a_last, b_first):
        for b in b_first:
            a = a_last.get((b.c0, b.c1))
            if a is not None:
                a.text = join_wrapped([a.text, b.text])
                if not header:
                    if b.r1 - b.r0 > 1:
                        a.r1 = b.r1  # a merged cell that goes on below: one cell again
                    b.r0 = b.r1 = -1  # absorbed
                elif b.r1 - b.r0 == 1:
                    b.r0 = b.r1 = -1
                elif _label_like(a.text):
                    b.text = a.text  # the header stands between: both pieces carry the label
            elif not b.text and b.r1 - b.r0 == 1:
                b.r0 = b.r1 = -1
        _delete_row(a_cells + b_cells, cut)
        nrows -= 1
    else:
        for b in b_first:
            a = a_last.get((b.c0, b.c1))
            if a is not None and _same_cell_over_break(a, b):
                a.text = join_wrapped([a.text, b.text])
                if header:
                    b.text = a.text  # the header stands between: both pieces carry the label
                else:
                    a.r1 = b.r1
                    b.r0 = b.r1 = -1
    cells = [c for c in a_cells + b_cells if c.r1 > c.r0 >= 0]
    return LTable(
        xs=xs,
        nrows=nrows,
        cells=cells,
        page=upper.page,
        top=upper.top,
        bottom=lower.bottom,
        last_page=lower.last_page,
    )


MAX_HEADER_ROWS = 5


def _repeated_header_rows(a_cells: list[LCell], b_cells: list[LCell], boundary: int) -> int:
    """How many rows at the top of the lower part repeat the table's first rows (0 if none)."""

    def band(cells: list[LCell], start: int, k: int) -> list[tuple[int, int, int, int, str]] | None:
        inside = []
        for c in cells:
            if c.r0 < start + k < c.r1:
                return None  # a cell straddles the band's lower edge: not a header band
            if start <= c.r0 and c.r1 <= start + k:
                inside.append((c.r0 - start, c.r1 - start, c.c0, c.c1, c.text.replace(" ", "")))
        return sorted(inside)

    found = 0
    for k in range(1, MAX_HEADER_ROWS + 1):
        top, below = band(a_cells, 0, k), band(b_cells, boundary, k)
        if top and top == below and any(text for *_, text in top):
            found = k
    return found


def _delete_row(cells: list[LCell], row: int) -> None:
    """Remove one row from the cells' spans (cells marked absorbed, r0 == -1, are left alone)."""
    for c in cells:
        if c.r0 < 0:
            continue
        if c.r0 > row:
            c.r0 -= 1
            c.r1 -= 1
        elif c.r0 <= row < c.r1:
            c.r1 -= 1
            if c.r1 <= c.r0:
                c.r0 = c.r1 = -1


def _row_was_split(a_last: dict[tuple[int, int], LCell], b_first: list[LCell]) -> bool:
    """Is the first row below the break the rest of the last row above it?

    Word, WPS and LibreOffice lay a row that breaks across pages from the top: its numbers
    stay above and only the rest of its longer labels goes on below. So: every label piece
    below goes on a label above in the same column and does not start a new item ("2.",
    "（三）"), and where the row above has numbers the row below has nothing.
    """
    numbers_above = False
    labels_below = False
    for b in b_first:
        a = a_last.get((b.c0, b.c1))
        if b.text.strip():
            if _numeric(b.text) or a is None or not _label_like(a.text):
                return False
            if _ENUMERATED.match(b.text):
                return False
            labels_below = True
        elif a is not None and _numeric(a.text):
            numbers_above = True
    return labels_below and numbers_above


def _same_cell_over_break(a: LCell, b: LCell) -> bool:
    """A merged label cell that the page break cut (one of the pieces spans several rows)."""
    if not _label_like(a.text) or _numeric(b.text):
        return False
    if not b.text.strip():
        return b.r1 - b.r0 > 1 or a.r1 - a.r0 > 1
    return not _ENUMERATED.match(b.text) and (a.r1 - a.r0 > 1 or b.r1 - b.r0 > 1)


def _union_positions(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= EDGE_TOLERANCE / 2:
            continue
        out.append(v)
    return out


def _nearest(xs: list[float], x: float) -> int:
    """Index of the value of sorted ``xs`` closest to ``x``."""
    i = bisect.bisect_left(xs, x)
    if i == 0:
        return 0
    if i == len(xs):
        return len(xs) - 1
    return i if xs[i] - x < x - xs[i - 1] else i - 1


def to_grid(table: LTable) -> Table:
    """Expand merged cells into a plain rectangle; rows with no text at all are dropped."""
    ncols, nrows = len(table.xs) - 1, table.nrows
    grid: list[list[Cell | None]] = [[None] * ncols for _ in range(nrows)]
    for cell in sorted(table.cells, key=lambda c: (c.r0, c.c0)):
        if cell.r1 - cell.r0 == 1 and cell.c1 - cell.c0 == 1:  # most cells: no span
            row = grid[cell.r0] if 0 <= cell.r0 < nrows else None
            if row is not None and 0 <= cell.c0 < ncols and row[cell.c0] is None:
                row[cell.c0] = Cell(cell.text)
            continue
        own, copy = Cell(cell.text), Cell(cell.text, merged=True)  # immutable: shared
        first = True
        for r in range(max(cell.r0, 0), min(cell.r1, nrows)):
            row = grid[r]
            for c in range(max(cell.c0, 0), min(cell.c1, ncols)):
                if row[c] is None:
                    row[c] = own if first else copy
                    first = False
    blank = Cell("")
    rows = [[c if c is not None else blank for c in row] for row in grid]
    rows = [row for row in rows if any(c.text.strip() for c in row)]
    return Table(rows=rows, page=table.page)
