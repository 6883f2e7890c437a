"""What one PDF page holds for table reconstruction: its characters and, through
:mod:`.paths`, its ruling lines and images.

Read straight from PDFium's C API (``pypdfium2.raw``) because the helper classes build a Python
object per page object and per character, which is where pdfplumber spends its time; a table
page here costs a few thousand ctypes calls. Coordinates are converted to *top-down* page
space (y grows downwards, 0 = top of the visible page) so that "reading order" is simply
sorting by y then x.
"""

from __future__ import annotations

import bisect
import ctypes
import math
from dataclasses import dataclass

import pypdfium2_raw as pdfium_c

from yingji_parser.formats.pdf.calls import address, bare, pointer
from yingji_parser.formats.pdf.content import Char, PageContent, Segment
from yingji_parser.formats.pdf.paths import read_objects
from yingji_parser.formats.pdf.settings import DEFAULT_SETTINGS, PdfSettings

# Characters that are never glyphs (line breaks, PDFium's markers) and whitespace, which is
# kept only where the document itself has a space.
_SPECIAL_CHARS = frozenset(
    "\r\n\x00\x02\ufffe\uffff" + "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
)

_LOOSE_BOX = bare(pdfium_c.FPDFText_GetLooseCharBox)
_IS_GENERATED = bare(pdfium_c.FPDFText_IsGenerated)


@dataclass(frozen=True, slots=True)
class Turn:
    """From top-down page coordinates to those of the page turned so that its text is level.

    ``quarter`` is the number of clockwise quarter turns; ``width``/``height`` are the page's
    size before turning. The text decides, not /Rotate: a viewer's /Rotate may or may not
    accompany content drawn sideways.
    """

    quarter: int
    width: float
    height: float

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        w, h = self.width, self.height
        if self.quarter == 1:
            return h - y1, x0, h - y0, x1
        if self.quarter == 2:
            return w - x1, h - y1, w - x0, h - y0
        return y0, w - x1, y1, w - x0

    def segment(self, s: Segment) -> Segment:
        if s.horizontal:
            x0, y0, x1, y1 = self.box(s.a, s.pos, s.b, s.pos)
        else:
            x0, y0, x1, y1 = self.box(s.pos, s.a, s.pos, s.b)
        if x1 - x0 >= y1 - y0:
            return Segment(True, (y0 + y1) / 2, x0, x1)
        return Segment(False, (x0 + x1) / 2, y0, y1)


def extract_page(
    doc: ctypes.c_void_p, index: int, settings: PdfSettings = DEFAULT_SETTINGS
) -> PageContent | None:
    """Characters, ruling lines and image count of page ``index``; None if PDFium cannot load it."""
    page = pdfium_c.FPDF_LoadPage(doc, index)
    if not page:
        return None
    try:
        box = pdfium_c.FS_RECTF()
        if pdfium_c.FPDF_GetPageBoundingBox(page, ctypes.byref(box)):
            left, top = box.left, box.top
            width, height = box.right - box.left, box.top - box.bottom
        else:  # pragma: no cover - PDFium always answers for a loaded page
            left, top = 0.0, pdfium_c.FPDF_GetPageHeightF(page)
            width, height = pdfium_c.FPDF_GetPageWidthF(page), top
        content = PageContent(number=index + 1, width=width, height=height)
        read_objects(page, content, left, top, settings)
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            return content
        try:
            quarter = _text_turn(textpage, settings.angle_samples)
            turn = Turn(quarter, width, height) if quarter else None
            if turn is not None:
                # The text runs sideways (a landscape table set on a portrait page, whether or
                # not /Rotate turns it for display): read the page turned so the text is level.
                content.segments = [turn.segment(s) for s in content.segments]
                if quarter % 2:
                    content.width, content.height = height, width
            _read_chars(textpage, content, left, top, turn, settings)
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)
        return content
    finally:
        pdfium_c.FPDF_ClosePage(page)


def _page_text(textpage: ctypes.c_void_p, count: int) -> str:
    """All characters of the text page in one call (one per index), or "" if that is not so."""
    buf = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buf)
    text = bytes(buf)[: 2 * max(written - 1, 0)].decode("utf-16-le", "replace")
    # A character outside the BMP takes two UTF-16 units: indexes no longer line up.
    return text if len(text) == count else ""


def _text_turn(textpage: ctypes.c_void_p, samples: int) -> int:
    """Clockwise quarter turns that make most of the page's text level (0 when it already is)."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return 0
    step = max(count // samples, 1)
    votes = [0, 0, 0, 0]
    for i in range(0, count, step):
        angle = pdfium_c.FPDFText_GetCharAngle(textpage, i)
        if angle >= 0:
            votes[round(angle / (math.pi / 2)) % 4] += 1
    quarter = max(range(4), key=votes.__getitem__)
    if quarter == 0 or votes[quarter] < 0.6 * sum(votes):
        return 0
    # PDFium measures the angle clockwise on the page as shown: turn it back.
    return (4 - quarter) % 4


def _read_chars(
    textpage: ctypes.c_void_p,
    content: PageContent,
    left: float,
    top: float,
    turn: Turn | None,
    s: PdfSettings,
) -> None:
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count > s.max_chars:
        count = s.max_chars
        content.truncated = True
    if count <= 0:
        return
    text: str | list[str] = _page_text(textpage, count) or [
        _safe_chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count)
    ]
    rect = (ctypes.c_float * 4)()
    rect_arg = ctypes.byref(rect)
    # FS_RECTF as PDFium writes it (left, top, right, bottom), read as four floats at once
    rect_floats = memoryview(rect).cast("B").cast("f")
    textpage_arg = pointer(address(textpage))
    get_box, is_generated = _LOOSE_BOX, _IS_GENERATED
    special = _SPECIAL_CHARS
    absurd = s.absurd_loose_box
    run_gap, run_overlap, run_level, run_wall = s.run_gap, s.run_overlap, s.run_level, s.run_wall
    walls = sorted(s.pos for s in content.segments if not s.horizontal)
    chars = content.chars
    # The glyph run being built: text, x0, top, x1, bottom.
    run: list[str] = []
    r_x0 = r_top = r_x1 = r_bottom = 0.0
    next_wall = math.inf
    bisect_left = bisect.bisect_left
    for i, ch in enumerate(text):
        # PDFium adds spaces and line breaks of its own between text runs: drop them (the
        # layout decides where words and lines break); keep real spaces.
        if ch in special and (ch != " " or is_generated(textpage_arg, i) == 1):
            continue
        if not get_box(textpage_arg, i, rect_arg):
            continue
        lx0, ly1, lx1, ly0 = rect_floats
        if lx1 - lx0 > absurd or ly1 - ly0 > absurd:
            # The loose box (font ascent to descent) keeps a line's glyphs level, but
            # PDFium makes it absurd for glyphs drawn with a rotated or vertical-writing
            # matrix (WPS vertical labels): then the tight glyph box is the truth.
            lx0, lx1, ly0, ly1 = _tight_box(textpage, i, (lx0, lx1, ly0, ly1))
        x0 = lx0 - left
        x1 = lx1 - left
        y0 = top - ly1
        y1 = top - ly0
        if turn is not None:
            x0, y0, x1, y1 = turn.box(x0, y0, x1, y1)
        if (
            run
            and -run_overlap <= x0 - r_x1 <= run_gap
            and -run_level <= y0 - r_top <= run_level
            and -run_level <= y1 - r_bottom <= run_level
            and x0 + run_wall < next_wall
        ):
            run.append(ch)
            r_x1 = x1
            continue
        if run:
            chars.append(Char("".join(run), r_x0, r_top, r_x1, r_bottom))
        run = [ch]
        r_x0, r_top, r_x1, r_bottom = x0, y0, x1, y1
        # The first cell border right of where the run ends: no glyph beyond it may join.
        # (The run only grows while no border lies between, so this stays the next one.)
        k = bisect_left(walls, x1 - run_wall)
        next_wall = walls[k] if k < len(walls) else math.inf
    if run:
        chars.append(Char("".join(run), r_x0, r_top, r_x1, r_bottom))


def _safe_chr(code: int) -> str:
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffe"  # skipped as not a glyph


def _tight_box(
    textpage: ctypes.c_void_p, index: int, loose: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """The glyph's tight box (x0, x1, y0, y1 in PDF space), or ``loose`` if it has none."""
    x0, x1, y0, y1 = (ctypes.c_double() for _ in range(4))
    if not pdfium_c.FPDFText_GetCharBox(textpage, index, x0, x1, y0, y1):
        return loose
    if max(x1.value - x0.value, y1.value - y0.value) <= 0:
        return loose
    return x0.value, x1.value, y0.value, y1.value
