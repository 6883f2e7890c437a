"""The pages put together: tables and prose lines in reading order, furniture dropped.

Page-number folios, running headers/footers and “续表” marks are dropped, a table that runs over
a page break is joined into one (:mod:`.join`), prose is grouped into paragraphs, and every
table becomes the shared grid through :func:`yingji_parser.grid.expand`.
"""

from __future__ import annotations

import re
import time

from yingji_parser.formats.pdf.content import PageContent
from yingji_parser.formats.pdf.join import join_tables
from yingji_parser.formats.pdf.lattice import LTable, find_tables
from yingji_parser.formats.pdf.settings import PdfSettings
from yingji_parser.formats.pdf.stream import find_stream_tables
from yingji_parser.formats.pdf.text import (
    Line,
    body_margins,
    group_lines,
    is_continuation_mark,
    is_page_number,
    paragraphs,
    rows_of,
)
from yingji_parser.grid import Block, Paragraph, PlainSpan, Table, expand_plain


def assemble(
    pages: list[PageContent], notes: list[tuple[str, str]], started: float, s: PdfSettings
) -> list[Block]:
    """The document's blocks in reading order (layout stops at the time budget, said in notes)."""
    deadline = started + s.time_budget
    per_page: list[tuple[PageContent, list[LTable], list[Line]]] = []
    for n, page in enumerate(pages):
        if n and time.monotonic() > deadline:
            notes.append(
                ("pdf_time_limit", f"layout stopped after {n} pages ({s.time_budget:.0f} s)")
            )
            break
        tables, free = find_tables(page, s)
        rules = [seg for seg in page.segments if seg.horizontal]
        # The free glyphs' visual lines serve both the unruled tables and, where there are
        # none, the prose lines: grouped once.
        rows = rows_of(free)
        unruled, rest = find_stream_tables(free, rules, page.number, s, rows)
        if rest is not free:
            rows = rows_of(rest)
        tables = sorted(tables + unruled, key=lambda t: t.top)
        lines = [
            ln
            for ln in group_lines(rest, s.space_gap, rows)
            if ln.text.strip()
            and not is_page_number(ln, page.height)
            and not is_continuation_mark(ln)
        ]
        for ln in lines:
            ln.page = page.number
        per_page.append((page, tables, lines))
    running = _running_heads(per_page, s.margin_band)
    if running:
        per_page = [
            (
                page,
                tables,
                [ln for ln in lines if _margin_key(ln, page, s.margin_band) not in running],
            )
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
                and continues(last, item, s.edge_tolerance)
            ):
                out[-1] = join_tables(last, item, s)
            else:
                out.append(item)
            first = False
        prev_ended_with_table = bool(items) and isinstance(items[-1][2], LTable)
        prev_page_number = page.number
    out.extend(Paragraph(p) for p in paragraphs(pending, margins))
    return [to_grid(b) if isinstance(b, LTable) else b for b in out]


def _margin_key(line: Line, page: PageContent, band: float) -> tuple[str, str] | None:
    """("top"|"bottom", text) for a line in the page's top or bottom margin band, else None."""
    if line.bottom < page.height * band:
        return ("top", line.text.replace(" ", ""))
    if line.top > page.height * (1 - band):
        return ("bottom", line.text.replace(" ", ""))
    return None


def _running_heads(
    per_page: list[tuple[PageContent, list[LTable], list[Line]]], band: float
) -> set[tuple[str, str]]:
    """Header/footer lines repeated in the same margin on several pages (“××县人民政府文件”).

    They are page furniture, not report text, and between the two halves of a table they
    would hide that the table goes on.
    """
    seen: dict[tuple[str, str], int] = {}
    for page, _, lines in per_page:
        keys = {_margin_key(ln, page, band) for ln in lines}
        for key in keys:
            if key is not None:
                seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count >= 2}


_SECTION_TITLE = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")


def continues(upper: LTable, lower: LTable, edge_tolerance: float = 6.0) -> bool:
    """Is ``lower`` (first on its page) the rest of ``upper`` (last on the page before)?

    Same outer edges, unless ``lower`` opens with a section title across its whole width
    (“三、收到和处理政府信息公开申请情况” set as the table's first row): that is a new table.
    Tables rebuilt from text positions have no drawn edges: there the columns must line up.
    """
    if upper.ruled and lower.ruled:
        if abs(upper.left - lower.left) > edge_tolerance:
            return False
        if abs(upper.right - lower.right) > edge_tolerance:
            return False
    elif not _columns_line_up(upper.xs, lower.xs, edge_tolerance):
        return False
    ncols = len(lower.xs) - 1
    opening = [c for c in lower.cells if c.r0 == 0]
    return not (
        len(opening) == 1
        and opening[0].c1 - opening[0].c0 == ncols
        and _SECTION_TITLE.match(opening[0].text)
    )


def _columns_line_up(upper: list[float], lower: list[float], tolerance: float) -> bool:
    """Do (nearly) all column starts of the lower part match column starts of the upper?"""
    starts = lower[:-1]
    if len(starts) < 2:
        return False
    matched = sum(1 for x in starts if any(abs(x - u) <= tolerance for u in upper[:-1]))
    return matched >= 0.8 * len(starts)


def to_grid(table: LTable) -> Table:
    """Expand merged cells into a plain rectangle; rows with no text at all are dropped."""
    spans: list[PlainSpan] = [
        (c.r0, c.c0, c.text, c.r1 - c.r0, c.c1 - c.c0, None)
        for c in sorted(table.cells, key=lambda c: (c.r0, c.c0))
    ]
    rows = expand_plain(spans, table.nrows, len(table.xs) - 1)
    rows = [row for row in rows if any(c.text.strip() for c in row)]
    return Table(rows=rows, page=table.page)
