"""One page image -> the blocks of the grid model, reading only what the record needs.

What is read: the cells of every ruled table, the line just above each table (the section
heading, "三、收到和处理政府信息公开申请情况", which tells the mapper which table it is) and on
the first page the title block. Paragraphs of prose are not read: the record's numbers are in
the tables and its agency and year in the title, and skipping prose makes a page several
times faster than full-page OCR. Every line image of a page goes to the recogniser in one
batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from yingji_parser.grid import Block, Paragraph, Span, Table, expand
from yingji_parser.ocr.engine import Read, recognise
from yingji_parser.ocr.image import PageImage
from yingji_parser.ocr.lines import crop, limits_of, line_boxes, padded
from yingji_parser.ocr.rules import CellBox, RuledTable, find_tables, ruling_masks
from yingji_parser.ocr.settings import OcrSettings

_CELL_INSET = 3  # px kept off a cell's ruling lines
_HEADING_REACH = 3.0  # a heading sits within this many line heights above its table
_NUMERIC = re.compile(r"^[\d.,，。\s+\-]+$")
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")  # a number as another view must read it
UNSURE = "?"  # appended to a number read below the confidence floor: the mapper then nulls it


@dataclass(frozen=True, slots=True)
class CellRead:
    """Where a table cell's text came from, for the confidence warning."""

    table: int  # index among the page's tables
    row: int
    col: int
    text: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Job:
    """One text line to read: what it is (a title line, a table's heading, a cell's line)."""

    kind: str  # "title" | "heading" | "cell"
    table: int  # index of the table among the page's tables (-1 for the title)
    cell: CellBox | None
    box: tuple[int, int, int, int]  # the line's ink
    room: tuple[int, int, int, int]  # where its margin may reach


@dataclass(slots=True)
class PageRead:
    blocks: list[Block] = field(default_factory=list)
    numbers: list[list[CellRead]] = field(default_factory=list)  # per table: its number cells
    columns: list[tuple[int, ...]] = field(default_factory=list)  # per table: its column xs
    tables: int = 0


def _outside(
    ink: np.ndarray, tables: list[RuledTable], top: int, bottom: int
) -> list[tuple[int, int, int, int]]:
    """Text lines of the page strip top..bottom (tables excluded), page coordinates."""
    if bottom - top < 5:
        return []
    return [b for b in line_boxes(ink, (0, top, ink.shape[1], bottom)) if b[2] - b[0] > 4]


def read_page(page: PageImage, settings: OcrSettings, first: bool) -> PageRead:
    horiz, vert = ruling_masks(page.ink)
    text_ink = page.ink & ~(horiz | vert)
    tables = find_tables(page.ink, settings.min_table_width, (horiz, vert))
    jobs: list[Job] = []
    if first:
        limit = tables[0].box[1] if tables else page.ink.shape[0]
        strip = (0, 0, page.ink.shape[1], limit)
        found = _outside(text_ink, tables, 0, limit)
        for box, room in zip(found, limits_of(found, strip), strict=True):
            jobs.append(Job("title", -1, None, box, room))
        del jobs[settings.title_lines :]
    previous_bottom = 0
    for t, table in enumerate(tables):
        above = _outside(text_ink, tables, previous_bottom, table.box[1])
        if above:
            line = above[-1]
            height = line[3] - line[1]
            if table.box[1] - line[3] <= _HEADING_REACH * height and not any(
                j.box == line for j in jobs
            ):
                room = (0, (above[-2][3] + line[1]) // 2 if len(above) > 1 else line[1] - height,
                        page.ink.shape[1], table.box[1])  # fmt: skip
                jobs.append(Job("heading", t, None, line, room))
        previous_bottom = table.box[3]
        for cell in table.cells:
            x0, y0, x1, y1 = cell.box
            inner = (x0 + _CELL_INSET, y0 + _CELL_INSET, x1 - _CELL_INSET, y1 - _CELL_INSET)
            found = line_boxes(text_ink, cell.box, _CELL_INSET)
            for box, room in zip(found, limits_of(found, inner), strict=True):
                jobs.append(Job("cell", t, cell, box, room))
    reads = recognise([crop(page.grey, j.box, j.room) for j in jobs], settings.threads)
    return _assemble(tables, jobs, _second_look(page, jobs, reads, settings), settings)


def _second_look(
    page: PageImage, jobs: list[Job], reads: list[Read], settings: OcrSettings
) -> list[Read]:
    """Short cell lines read under ``settings.second_look`` confidence, read again from two
    other views (a wider margin of the page; the line on white paper) and the most confident
    of the three readings kept.

    The recogniser's confidence in a lone glyph depends on how much page it sees around it:
    a "0" with little context is a letter "o" or an unsure "0" in one view and a sure "0" in
    another. Nothing is guessed: each reading is the engine's own, with its own confidence,
    and one under the floor still makes the cell unreadable.
    """
    unsure = [
        i
        for i, (job, read) in enumerate(zip(jobs, reads, strict=True))
        if job.kind == "cell" and read.confidence < settings.second_look and len(read.text) <= 6
    ]
    if not unsure:
        return reads
    views = []
    for i in unsure:
        first = crop(page.grey, jobs[i].box, jobs[i].room)
        views += [crop(page.grey, jobs[i].box, jobs[i].room, margin=2.0), padded(first)]
    again = recognise(views, settings.threads)
    out = list(reads)
    for n, i in enumerate(unsure):
        # another view is taken only for a number: a "0" it reads as "。" stays the first read
        views_read = [r for r in again[2 * n : 2 * n + 2] if _DIGITS.match(r.text)]
        out[i] = max([reads[i], *views_read], key=lambda r: r.confidence)
    return out


def _assemble(
    tables: list[RuledTable], jobs: list[Job], reads: list[Read], settings: OcrSettings
) -> PageRead:
    out = PageRead(tables=len(tables))
    texts: dict[tuple[int, int, int], list[str]] = {}
    centres: dict[tuple[int, int, int], list[int]] = {}
    scores: dict[tuple[int, int, int], float] = {}
    headings: dict[int, str] = {}
    for job, read in zip(jobs, reads, strict=True):
        kind, t, cell = job.kind, job.table, job.cell
        if kind == "title":
            if read.text:
                out.blocks.append(Paragraph(read.text))
        elif kind == "heading":
            headings[t] = read.text
        else:
            assert cell is not None
            key = (t, cell.row, cell.col)
            texts.setdefault(key, []).append(read.text)
            centres.setdefault(key, []).append((job.box[1] + job.box[3]) // 2)
            scores[key] = min(scores.get(key, 1.0), read.confidence)
    for t, table in enumerate(tables):
        if headings.get(t):
            out.blocks.append(Paragraph(headings[t]))
        spans: list[Span] = []
        numbers: list[CellRead] = []
        pieces: list[tuple[CellBox, str, tuple[int, int, int]]] = []
        for cell in table.cells:
            key = (t, cell.row, cell.col)
            parts = _faded_border(table, cell, texts.get(key, []), centres.get(key, []))
            pieces += [(piece, text, key) for piece, text in parts]
        for cell, text, key in pieces:
            if text and _NUMERIC.match(text):
                confidence = scores[key]
                numbers.append(CellRead(t, cell.row, cell.col, text, confidence))
                if confidence < settings.min_confidence:
                    text += UNSURE
            spans.append(Span(cell.row, cell.col, text, cell.rows, cell.cols))
        rows = expand(spans, table.nrows, table.ncols)
        out.blocks.append(Table(rows=rows))
        out.numbers.append(numbers)
        out.columns.append(table.xs)
    return out


def _faded_border(
    table: RuledTable, cell: CellBox, texts: list[str], centres: list[int]
) -> list[tuple[CellBox, str]]:
    """A cell spanning rows, holding one number in each of those rows, is several cells whose
    ruling line faded in the scan: numbers are never merged over rows in the national tables,
    while a label that spans rows is one text. Otherwise the cell as found, its lines joined."""
    whole = [(cell, "".join(texts))]
    if cell.rows < 2 or len(texts) < 2 or not all(_NUMERIC.match(t) for t in texts):
        return whole
    rows: dict[int, list[str]] = {}
    for text, y in zip(texts, centres, strict=True):
        fine = next(
            (r for r in range(cell.row, cell.row + cell.rows) if y < table.ys[r + 1]),
            cell.row + cell.rows - 1,
        )
        rows.setdefault(fine, []).append(text)
    if len(rows) < 2:
        return whole
    return [
        (CellBox(r, cell.col, 1, cell.cols, cell.box), "".join(rows.get(r, [])))
        for r in range(cell.row, cell.row + cell.rows)
    ]
