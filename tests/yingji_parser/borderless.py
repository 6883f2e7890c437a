"""The samples laid out as PDFs without a lattice, made at test time with reportlab.

Reports come out of WPS and Word with their tables' borders off, or with only the three rules
of Word's 三线表 style (above the table, under its header, under the table), and with their
cells aligned every way: labels centred across and down tall cells (a row's number then sits
on the vertical middle of its wrapped label), numbers centred under wide headers or set flush
right, a table cut by a page break with its header repeated on the next page or not. Each
:class:`Layout` is one such way; :func:`render` lays a sample out in it: the sample's title
(from its JSON), then its article body (``NAME.body.html``: paragraphs and the official tables
with their merged cells) drawn cell by cell at positions this module computes, so the test
knows what a correct reading must give (the sample's JSON) without a converter running.

Glyphs are the Adobe-GB1 font STSong-Light, which reportlab names without embedding: PDFium
reads their text from the predefined CMap, as it does for many government PDFs.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Literal

import lxml.html
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

PAGE_W, PAGE_H = 595.0, 842.0  # A4
MARGIN = 72.0
TEXT_W = PAGE_W - 2 * MARGIN
SIZE = 10.5  # table text (五号)
BODY = 12.0  # paragraphs (小四)
LEADING = 1.3  # line pitch in font sizes, inside a cell
PAD_X, PAD_Y = 5.4, 1.5  # cell margins (Word's: 0.19 cm left and right, none above and below)
ASCENT = 0.88  # baseline below the top of a line, in font sizes

Align = Literal["left", "centre", "right"]
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Layout:
    """One way of publishing a table without its lattice."""

    name: str
    labels: Align = "left"  # label cells
    numbers: Align = "centre"  # number cells (headers are always centred)
    middle: bool = False  # text centred down its cell (WPS's default), else at the top
    rules: Literal["none", "three-line"] = "none"
    label_scale: float = 1.0  # narrower label columns: more wrapped lines
    break_before: str | None = None  # a row of 三 (its label) that starts a new page
    repeat_header: bool = False  # the header rows drawn again after that break
    size: float = SIZE  # table text
    leading: float = LEADING
    pad_y: float = PAD_Y

    @property
    def pitch(self) -> float:
        return self.leading * self.size


@dataclass(frozen=True, slots=True)
class Cell:
    row: int
    col: int
    rows: int
    cols: int
    text: str

    @property
    def numeric(self) -> bool:
        return bool(_NUMBER.match(self.text))


@dataclass(slots=True)
class Grid:
    cells: list[Cell]
    nrows: int
    ncols: int
    widths: list[float] = field(default_factory=list)
    heights: list[float] = field(default_factory=list)

    def header_rows(self) -> int:
        """Rows above the first row holding a number."""
        return min(c.row for c in self.cells if c.numeric)


def _text(el: lxml.html.HtmlElement) -> str:
    return re.sub(r"\s+", "", el.text_content())


def read_body(html: str) -> list[str | Grid]:
    """The body's paragraphs and tables (as grids of spanning cells), in reading order."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    blocks: list[str | Grid] = []
    for el in root:
        if el.tag == "table":
            blocks.append(_grid(el))
        elif (text := _text(el)) != "":
            blocks.append(text)
    return blocks


def _grid(table: lxml.html.HtmlElement) -> Grid:
    taken: set[tuple[int, int]] = set()
    cells = []
    for r, tr in enumerate(table.iter("tr")):
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            rows, cols = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            cells.append(Cell(r, c, rows, cols, _text(td)))
            taken |= {(r + i, c + j) for i in range(rows) for j in range(cols)}
            c += cols
    return Grid(cells, max(r for r, _ in taken) + 1, max(c for _, c in taken) + 1)


def width(text: str, size: float = SIZE) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap(text: str, room: float, size: float = SIZE) -> list[str]:
    """Lines of at most ``room`` points, broken between any two characters (as CJK text is)."""
    lines = [""]
    for ch in text:
        if lines[-1] and width(lines[-1] + ch, size) > room:
            lines.append("")
        lines[-1] += ch
    return lines


def _size_columns(grid: Grid, layout: Layout) -> None:
    """Value columns share about half the text width; label columns the rest, in proportion
    to their labels' widths (``label_scale`` < 1 favours the narrow ones)."""
    values = sorted({c.col for c in grid.cells if c.numeric and c.cols == 1})
    values = values or sorted({c.col for c in grid.cells if c.numeric})
    labels = [i for i in range(grid.ncols) if i < min(values)]
    n = grid.ncols - len(labels)
    value_w = min(90.0, max(28.0, TEXT_W * (0.55 if labels else 1.0) / n))
    natural = []
    for i in labels:
        own = [width(c.text, layout.size) for c in grid.cells if c.col == i and c.cols == 1]
        natural.append(
            min(max(own, default=2 * layout.size), 16 * layout.size) ** layout.label_scale
        )
    room = TEXT_W - value_w * n
    scale = room / sum(natural) if natural else 1.0  # the table as wide as the text
    grid.widths = [w * scale for w in natural] + [value_w] * n


def _lines(grid: Grid, cell: Cell, layout: Layout) -> list[str]:
    room = sum(grid.widths[cell.col : cell.col + cell.cols]) - 2 * PAD_X
    return wrap(cell.text, room, layout.size)


def _size_rows(grid: Grid, layout: Layout) -> None:
    pitch, pad = layout.pitch, layout.pad_y
    heights = [pitch + 2 * pad] * grid.nrows
    for cell in sorted(grid.cells, key=lambda c: c.rows):
        need = len(_lines(grid, cell, layout)) * pitch + 2 * pad
        have = sum(heights[cell.row : cell.row + cell.rows])
        if need > have:
            heights[cell.row + cell.rows - 1] += need - have
    grid.heights = heights


class _Pen:
    """Draws top-down on A4 pages, with a folio at the foot of each."""

    def __init__(self) -> None:
        self.out = io.BytesIO()
        self.canvas = canvas.Canvas(self.out, pagesize=(PAGE_W, PAGE_H))
        self.page = 1
        self.y = MARGIN

    def text(self, x: float, top: float, text: str, size: float = SIZE) -> None:
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(x, PAGE_H - top - ASCENT * size, text)

    def rule(self, top: float) -> None:
        self.canvas.setLineWidth(0.75)
        self.canvas.line(MARGIN, PAGE_H - top, PAGE_W - MARGIN, PAGE_H - top)

    def room(self, height: float) -> bool:
        return self.y + height <= PAGE_H - MARGIN

    def new_page(self) -> None:
        folio = f"- {self.page} -"
        self.text((PAGE_W - width(folio, BODY)) / 2, PAGE_H - 48, folio, BODY)
        self.canvas.showPage()
        self.page += 1
        self.y = MARGIN

    def paragraph(self, text: str, *, title: bool = False) -> None:
        size = 16.0 if title else BODY
        indent = 0.0 if title else 2 * size
        lines = wrap(text, TEXT_W - indent, size) if not title else [text]
        for i, line in enumerate(lines):
            if not self.room(1.6 * size):
                self.new_page()
            x = (PAGE_W - width(line, size)) / 2 if title else MARGIN + (indent if i == 0 else 0)
            self.text(x, self.y, line, size)
            self.y += 1.6 * size
        self.y += 0.4 * size

    def finish(self) -> bytes:
        self.new_page()
        self.canvas.save()
        return self.out.getvalue()


def _draw_rows(pen: _Pen, grid: Grid, rows: range, layout: Layout, shown: set[Cell]) -> None:
    """Rows ``rows`` of ``grid`` from ``pen.y`` down; a merged cell starting among them is
    drawn in the part of its box on this page (a page break cuts it as Word does)."""
    tops, y = {}, pen.y
    for r in rows:
        tops[r] = y
        y += grid.heights[r]
    pitch = layout.pitch
    for cell in grid.cells:
        if cell.row not in tops or cell in shown or not cell.text:
            continue
        shown.add(cell)
        span = [r for r in range(cell.row, cell.row + cell.rows) if r in tops]
        top, height = tops[cell.row], sum(grid.heights[r] for r in span)
        x0 = MARGIN + sum(grid.widths[: cell.col])
        w = sum(grid.widths[cell.col : cell.col + cell.cols])
        lines = _lines(grid, cell, layout)
        first = top + layout.pad_y
        if layout.middle:
            first = top + (height - len(lines) * pitch) / 2
        header = cell.row < grid.header_rows()
        across = cell.cols == grid.ncols  # "第二十条第（五）项": centred in the official form
        align = "centre" if header or across else layout.numbers if cell.numeric else layout.labels
        for i, line in enumerate(lines):
            lw = width(line, layout.size)
            x = {"left": x0 + PAD_X, "centre": x0 + (w - lw) / 2, "right": x0 + w - PAD_X - lw}
            pen.text(x[align], first + i * pitch, line, layout.size)
    pen.y = y


def _draw_table(pen: _Pen, grid: Grid, layout: Layout, *, breakable: bool) -> None:
    _size_columns(grid, layout)
    _size_rows(grid, layout)
    head = grid.header_rows()
    brk = None
    if breakable and layout.break_before:
        labelled = [c.row for c in grid.cells if c.text == layout.break_before]
        brk = labelled[0] if labelled else None
    shown: set[Cell] = set()
    three = layout.rules == "three-line"
    start = 0
    if three:
        pen.rule(pen.y)
    for r in range(grid.nrows):
        if r == brk or not pen.room(sum(grid.heights[start : r + 1])):
            _draw_rows(pen, grid, range(start, r), layout, shown)
            if three:
                pen.rule(pen.y)
            pen.new_page()
            if three:
                pen.rule(pen.y)
            if layout.repeat_header and r >= head:
                _draw_rows(pen, grid, range(head), layout, set())
                if three:
                    pen.rule(pen.y)
            start = r
        if three and r == head and start < r:
            _draw_rows(pen, grid, range(start, r), layout, shown)
            pen.rule(pen.y)
            start = r
    _draw_rows(pen, grid, range(start, grid.nrows), layout, shown)
    if three:
        pen.rule(pen.y)
    pen.y += BODY


def render(title: str, body_html: str, layout: Layout) -> bytes:
    """The report as a PDF laid out in ``layout``."""
    pen = _Pen()
    pen.paragraph(title, title=True)
    for block in read_body(body_html):
        if isinstance(block, Grid):
            breakable = any(c.text.startswith("（七）总计") for c in block.cells)  # 三
            _draw_table(pen, block, layout, breakable=breakable)
        else:
            pen.paragraph(block)
    return pen.finish()
