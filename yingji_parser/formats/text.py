"""Plain-text reports: the layouts text exports of real reports come in.

Two table layouts are recognised, per document:

* **tab-separated rows** (a PDF text layer, a web page copied as text): a line with a tab inside
  it is a table row, its cells split on tabs; consecutive such lines form one table.
* **one cell a line** (Word's plain-text export): every cell is a line starting with a tab,
  rows are separated by one blank line, a line *without* a tab right after a cell line continues
  that cell ("商业" / "企业"), and two or more blank lines or a plain paragraph end the table.

Everything else is a paragraph; markdown heading marks (``#``) and Word's stray
``[bookmark: _GoBack]`` are dropped. Bytes are decoded as UTF-8 (with BOM), then GB18030, the
two encodings Chinese text files come in.
"""

from __future__ import annotations

import re

from yingji_parser.errors import CorruptDocument, TooLarge
from yingji_parser.formats.hints import ReadHints
from yingji_parser.grid import Block, Document, Paragraph, Table, table_from_texts

MAX_WIDTH = 64  # cells kept per row: no report table is wider; a hostile file may be
MAX_CELLS = 200_000  # table cells per document: beyond that it is refused, not expanded
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), else GB18030; a text that is neither is refused."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise CorruptDocument("text file is neither UTF-8 nor GB18030")


def _clean(line: str) -> str:
    line = _BOOKMARK.sub("", line.replace("\r", "").replace("\x0c", ""))
    return _MD_HEADING.sub("", line) if line.lstrip().startswith("#") else line


def _one_cell_a_line(lines: list[str]) -> bool:
    """Word's export: (nearly) every line with a tab is one tab and a cell. A stray indented
    paragraph ("\t\t正文") must not turn the whole document into tab-separated rows."""
    tab_lines = [ln for ln in lines if "\t" in ln]
    single = sum(1 for ln in tab_lines if ln.startswith("\t") and ln.count("\t") == 1)
    return bool(tab_lines) and single >= 0.9 * len(tab_lines)


def _read_tsv(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    rows: list[list[str]] = []
    for line in lines:
        if "\t" in line:
            rows.append(line.split("\t", MAX_WIDTH)[:MAX_WIDTH])
            continue
        if rows:
            blocks.append(table_from_texts(rows))
            rows = []
        if line.strip():
            blocks.append(Paragraph(line.strip()))
    if rows:
        blocks.append(table_from_texts(rows))
    return blocks


def _read_cell_lines(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    rows: list[list[str]] = []
    row: list[str] = []
    blanks = 0
    prev_was_cell = False

    def end_row() -> None:
        nonlocal row
        if row:
            rows.append(row)
            row = []

    def end_table() -> None:
        end_row()
        if rows:
            blocks.append(table_from_texts(list(rows)))
            rows.clear()

    for line in lines:
        if line.startswith("\t"):
            if blanks >= 2:
                end_table()
            elif blanks == 1:
                end_row()
            if len(row) < MAX_WIDTH:
                row.append(line[1:].strip())
            prev_was_cell, blanks = True, 0
        elif not line.strip():
            blanks += 1
            prev_was_cell = False
        elif prev_was_cell and row:
            row[-1] = row[-1] + "\n" + line.strip()  # a cell broken over two lines
        else:
            end_table()
            blocks.append(Paragraph(line.strip()))
            prev_was_cell, blanks = False, 0
    end_table()
    return blocks


TEXT = ReadHints("text")


def read(data: bytes, hints: ReadHints = TEXT) -> Document:
    """Plain text: tab-separated or one-cell-a-line tables, paragraphs between."""
    text = decode(data)
    if "\x00" in text:
        raise CorruptDocument("text file contains NUL bytes: not plain text")
    lines = [_clean(ln) for ln in text.split("\n")]
    blocks = _read_cell_lines(lines) if _one_cell_a_line(lines) else _read_tsv(lines)
    cells = sum(len(b.rows) * b.width for b in blocks if isinstance(b, Table))
    if cells > MAX_CELLS:
        raise TooLarge(f"text has tables of {cells} cells (more than {MAX_CELLS}): not a report")
    return Document(doc_type="text", blocks=blocks)
