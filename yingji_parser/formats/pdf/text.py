"""Characters to text: lines from boxes, words from gaps, wrapped lines joined so labels match.

A table label that the PDF wrapped (“没有现成信息需要另行制” / “作”), or stood one character
per line (“三 / 本 / 年 / 度”), must come out as the label a person reads: wrapped Chinese lines
are joined without a separator; only a wrap between two Latin letters or digits keeps a line
break, because there the break may separate two words or numbers.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from yingji_parser.formats.pdf.content import Char
from yingji_parser.formats.pdf.settings import DEFAULT_SETTINGS

# A gap wider than this fraction of the line height between two glyphs is a word space.
SPACE_GAP = DEFAULT_SETTINGS.space_gap


@dataclass(slots=True)
class Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float = 0.0  # median glyph height: the font size, whatever font a digit came from
    page: int = 0

    @property
    def height(self) -> float:
        return self.bottom - self.top


def is_wide(ch: str) -> bool:
    """CJK ideographs, kana/hangul and full-width punctuation: text that wraps without spaces."""
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
        or 0x3000 <= o <= 0x303F
        or 0x2010 <= o <= 0x2027  # dashes, quotes “”‘’, ellipsis: used inside Chinese text
        or 0x20000 <= o <= 0x2FA1F
    )


_WIDE_RANGES = (
    "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f\u2010-\u2027"
    "\U00020000-\U0002fa1f"
)
_ALL_WIDE = re.compile(f"[{_WIDE_RANGES}]+")
_NUMBER_CHARS = frozenset("0123456789.,")


def join_wrapped(parts: list[str]) -> str:
    """Join the lines of one cell or paragraph.

    Nothing at a Chinese wrap, nor inside a number that a narrow column wrapped ("39857" /
    "58"); a newline otherwise (between Latin words the break may be a space or two words).
    """
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out:
            a, b = out[-1], part[0]
            if not (is_wide(a) or is_wide(b) or (a in _NUMBER_CHARS and b in _NUMBER_CHARS)):
                out += "\n"
        out += part
    return out


def group_lines(
    chars: list[Char], space_gap: float = SPACE_GAP, rows: list[list[Char]] | None = None
) -> list[Line]:
    """Cluster glyphs into visual lines (top to bottom), each read left to right.

    ``rows`` is ``rows_of(chars)`` when the caller has it already (it is sorted in place).
    """
    return [_make_line(row, space_gap) for row in (rows_of(chars) if rows is None else rows)]


def rows_of(chars: list[Char]) -> list[list[Char]]:
    """Glyphs grouped by visual line, top to bottom (each line's glyphs in no set order)."""
    ordered = sorted(chars, key=lambda c: (c.top + c.bottom, c.x0))
    rows: list[list[Char]] = []
    current: list[Char] = []
    row_top = row_bottom = 0.0
    for ch in ordered:
        top, bottom = ch.top, ch.bottom
        if current:
            # Same line when the glyph overlaps the line's band by half the smaller height.
            overlap = (bottom if bottom < row_bottom else row_bottom) - (
                top if top > row_top else row_top
            )
            smaller = min(row_bottom - row_top, bottom - top) or 1.0
            if overlap >= 0.5 * smaller:
                current.append(ch)
                if top < row_top:
                    row_top = top
                if bottom > row_bottom:
                    row_bottom = bottom
                continue
        current = [ch]
        rows.append(current)
        row_top, row_bottom = top, bottom
    return rows


def _row_text(row: list[Char], space_gap: float) -> str:
    """One line's text, left to right, with a space where glyphs stand a word gap apart."""
    row.sort(key=lambda c: c.x0)
    gap = space_gap * sum(c.bottom - c.top for c in row) / len(row)
    parts = [row[0].text]
    prev = row[0]
    for ch in row[1:]:
        if ch.x0 - prev.x1 > gap and not (prev.text[-1].isspace() or ch.text[0].isspace()):
            parts.append(" ")
        parts.append(ch.text)
        prev = ch
    return "".join(parts)


def _glyph_width(c: Char) -> float:
    """Width of one Chinese glyph of a run made only of them (the font size), else 0."""
    text = c.text
    if _ALL_WIDE.fullmatch(text):
        return (c.x1 - c.x0) / len(text)
    return 0.0


def _make_line(row: list[Char], space_gap: float) -> Line:
    if len(row) == 1:
        c = row[0]
        h = c.bottom - c.top
        return Line(c.text, c.x0, c.top, c.x1, c.bottom, size=_glyph_width(c) or h)
    row.sort(key=lambda c: c.x0)
    visible = [c for c in row if not c.text.isspace()] or row
    heights = sorted(c.bottom - c.top for c in visible)
    h = heights[len(heights) // 2] or 1.0
    # The advance of a Chinese glyph is the font size; loose box heights differ between the
    # fonts of one line (digits in Latin fonts are taller), so they are only the fallback.
    widths = sorted(w for w in map(_glyph_width, visible) if w)
    size = (widths[len(widths) // 2] if widths else h) or h
    gap = space_gap * h
    text: list[str] = [row[0].text]
    for prev, ch in itertools.pairwise(row):
        if ch.x0 - prev.x1 > gap and not (prev.text[-1].isspace() or ch.text[0].isspace()):
            text.append(" ")
        text.append(ch.text)
    return Line(
        text="".join(text),
        x0=visible[0].x0,
        top=min(c.top for c in visible),
        x1=max(c.x1 for c in visible),
        bottom=max(c.bottom for c in visible),
        size=size,
    )


def cell_text(chars: list[Char], space_gap: float = SPACE_GAP) -> str:
    """The text of one table cell (most cells are one short line: a number)."""
    if len(chars) <= 1:
        return chars[0].text.strip() if chars else ""
    first = chars[0].top
    for c in chars:
        if not -1.0 < c.top - first < 1.0:
            return join_wrapped([_row_text(row, space_gap) for row in rows_of(chars)])
    return _row_text(list(chars), space_gap).strip()


#: a label that opens an item of a list ("（三）", "二、", "1.", "①"): never a wrapped line's rest
ENUMERATED = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．]"
    r"|[①-⑳])"
)


_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－―~·•_]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?"
    r"[\s\-—–－―~·•_]*$"
)


def is_page_number(line: Line, page_height: float) -> bool:
    """A folio (“-2-”, “— 3 —”, “第 3 页 共 6 页”, “3”) in the page's top or bottom margin."""
    in_margin = line.top > page_height * 0.85 or line.bottom < page_height * 0.08
    return in_margin and bool(_PAGE_NUMBER.match(line.text))


_CONTINUED = re.compile(
    r"^[（(\[【]?\s*续\s*(?:上\s*)?表\s*[\d一二三四五六七八九十]*\s*[）)\]】]?$"
)


def is_continuation_mark(line: Line) -> bool:
    """“续表” / “（续上表）” over the rest of a table on a new page: a mark, not report text."""
    return bool(_CONTINUED.match(line.text.strip()))


@dataclass(slots=True)
class Margins:
    left: float
    right: float
    pitch: float  # usual distance between the tops of two consecutive body lines


def body_margins(lines: list[Line], page_width: float) -> Margins | None:
    """The text column's edges and line pitch, from the lines outside tables of the document."""
    body = [ln for ln in lines if len(ln.text) >= 8]
    if not body:
        return None
    lefts = sorted(ln.x0 for ln in body)
    rights = sorted(ln.x1 for ln in body)
    left = lefts[len(lefts) // 10]
    # Most body lines are full lines of a justified column, but a short report may have only a
    # few; pages are usually set with equal side margins, which gives the right edge too.
    right = max(rights[(len(rights) - 1) * 9 // 10], min(rights[-1], page_width - left))
    # Line pitch inside a paragraph: after a full line, before the next one of the same size.
    pitches = sorted(
        b.top - a.top
        for a, b in itertools.pairwise(body)
        if a.page == b.page
        and a.x1 >= right - 1.5 * a.size
        and 0 < b.top - a.top < 3 * a.size
        and abs(a.size - b.size) < 0.2 * a.size
    )
    pitch = pitches[len(pitches) // 2] if pitches else 1.6 * body[0].size
    return Margins(left, right, pitch)


def _centered(line: Line, m: Margins) -> bool:
    lgap, rgap = line.x0 - m.left, m.right - line.x1
    return lgap > 2 * line.size and rgap > 2 * line.size and abs(lgap - rgap) < 2 * line.size


def paragraphs(lines: list[Line], m: Margins | None) -> list[str]:
    """Group consecutive lines into paragraphs.

    A Chinese report indents each paragraph's first line by two characters and wraps the rest
    to the left margin; headings are short lines; titles are centred in a bigger font. So a
    new paragraph starts after a short line, at an indented line, at a change of font size or
    after a wider gap than the usual line pitch; consecutive centred lines of one size (a
    title over two lines) stay together.
    """
    if not lines:
        return []
    if m is None:
        return [ln.text.strip() for ln in lines if ln.text.strip()]
    groups: list[list[Line]] = [[lines[0]]]
    for prev, line in itertools.pairwise(lines):
        h = max(prev.size, line.size, 1.0)
        same_size = abs(prev.size - line.size) <= 0.15 * h
        if line.page != prev.page:
            gap_ok = True  # a paragraph may run on over the page break
        else:
            gap_ok = 0 < line.top - prev.top <= 1.35 * max(m.pitch, prev.height)
        if same_size and gap_ok and _centered(prev, m) and _centered(line, m):
            groups[-1].append(line)
            continue
        new = (
            not same_size
            or not gap_ok
            or prev.x1 < m.right - 1.5 * prev.size  # short line: its paragraph ended
            or line.x0 > m.left + 1.2 * line.size  # indented: a new paragraph starts
        )
        if new:
            groups.append([line])
        else:
            groups[-1].append(line)
    out = [join_wrapped([ln.text for ln in g]) for g in groups]
    return [p for p in out if p]
