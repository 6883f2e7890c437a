"""Logical rows: every table row of a document with its label, its values and its section.

A row's *label* is the text of its non-numeric cells (merged copies included, so a label that
spans rows is seen on each of them); its *values* are the cells after the last label cell. The
section (二/三/四) a row belongs to comes from the nearest section heading before it or from
header words that only one section's table has, so tables are found by what they say, not by
where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from yingji_parser.grid import Cell, Document, Paragraph, Table
from yingji_parser.labels import core, is_number_text, is_value_text, normalise

MAX_ALTERNATIVES = 3
_HEADING = re.compile(r"^([一二三四五六七八])[、.]")
_HEADING_WORDS = {
    "一": ("总体情况", "概述"),
    "二": ("主动公开",),
    "三": ("收到和处理", "依申请公开"),
    "四": ("行政复议", "行政诉讼"),
    "五": ("存在的主要问题", "问题及改进", "主要问题"),
    "六": ("其他需要报告", "其他事项"),
}


def heading_section(text: str) -> str | None:
    """The section a heading opens ("三、收到和处理…" → "三"), None for any other text."""
    n = normalise(text).lstrip("#")
    m = _HEADING.match(n)
    if not m or len(n) > 40:
        return None
    numeral = m.group(1)
    words = _HEADING_WORDS.get(numeral, ())
    return numeral if any(w in n for w in words) else None


@dataclass
class Row:
    cells: list[Cell]
    table: int  # index of the table among the document's tables
    index: int  # row index inside that table
    section: str | None = None
    forced_end: int | None = None  # set by :meth:`label_at` when an earlier cell is the label

    @cached_property
    def label_end(self) -> int:
        """Index of the last label cell before the first number (-1 when there is none)."""
        if self.forced_end is not None:
            return self.forced_end
        first_number = next(
            (i for i, c in enumerate(self.cells) if is_number_text(c.text)), len(self.cells)
        )
        end = -1
        for i in range(first_number):
            if not is_value_text(self.cells[i].text):
                end = i
        return end

    @cached_property
    def labels(self) -> list[str]:
        """Normalised label texts of the row, consecutive repeats (merged copies) dropped."""
        out: list[str] = []
        for c in self.cells[: self.label_end + 1]:
            n = normalise(c.text)
            if n and (not out or out[-1] != n):
                out.append(n)
        return out

    @cached_property
    def leaf(self) -> str:
        """The most specific label (the last label cell), stripped of numbering and remarks."""
        return core(self.cells[self.label_end].text) if self.label_end >= 0 else ""

    def label_at(self, index: int) -> Row:
        """The same row read with cell ``index`` as its label and everything after as values."""
        return Row(self.cells, self.table, self.index, self.section, forced_end=index)

    def alternatives(self) -> list[Row]:
        """Readings with an earlier label cell as the label, nearest first (for "若干"-like
        text in a value cell, which would otherwise pass for the label)."""
        out = []
        for i in range(self.label_end - 1, -1, -1):
            text = self.cells[i].text.strip()
            if text and text != self.cells[i + 1].text.strip():
                out.append(self.label_at(i))
                if len(out) == MAX_ALTERNATIVES:  # a label spans three cells at most
                    break
        return out

    @property
    def value_cells(self) -> list[Cell]:
        return self.cells[self.label_end + 1 :]

    @cached_property
    def has_numbers(self) -> bool:
        return any(is_number_text(c.text) for c in self.cells)

    @cached_property
    def cores(self) -> list[str]:
        return [core(c.text) for c in self.cells]

    @property
    def where(self) -> str:
        return f"table {self.table + 1}, row {self.index + 1}"


def _row_marker(row: Row) -> str | None:
    """Section that header words of this row prove, if any."""
    if row.has_numbers:
        return None
    joined = "".join(normalise(c.text) for c in row.cells)
    if "第二十条" in joined or any(c == "信息内容" for c in row.cores):
        return "二"
    if "申请人情况" in joined or "勾稽关系" in joined or "本年新收" in joined:
        return "三"
    if "行政复议" in joined or "行政诉讼" in joined or "复议后起诉" in joined:
        return "四"
    texts = {c.text.strip() for c in row.cells if c.text.strip()}
    if len(texts) == 1:
        return heading_section(texts.pop())
    return None


_DISCLOSURE_LEAVES = {"规章", "行政规范性文件", "规范性文件", "行政许可", "行政处罚", "行政强制",
                      "行政事业性收费"}  # fmt: skip


def _data_marker(row: Row, section: str | None) -> str | None:
    """Section a data row proves when its table has no header or heading before it."""
    if not row.has_numbers:
        return None
    if section is None and row.leaf in _DISCLOSURE_LEAVES:
        return "二"
    if section in (None, "二") and any(w in row.leaf for w in ("本年新收", "上年结转", "予以公开")):
        return "三"
    numbers = sum(1 for c in row.cells if is_number_text(c.text) and not c.merged)
    if section in (None, "三") and row.label_end < 0 and numbers == 15:
        return "四"  # the one row of fifteen numbers that only 四 has
    return None


def logical_rows(doc: Document) -> list[Row]:
    """All table rows in reading order, each tagged with the section it belongs to."""
    rows: list[Row] = []
    section: str | None = None
    t = -1
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            h = heading_section(block.text)
            if h:
                section = h
            continue
        if not isinstance(block, Table):
            continue
        t += 1
        for i, cells in enumerate(block.rows):
            row = Row(cells=cells, table=t, index=i)
            marker = _row_marker(row) or _data_marker(row, section)
            if marker:
                section = marker
            row.section = section
            rows.append(row)
    return rows
