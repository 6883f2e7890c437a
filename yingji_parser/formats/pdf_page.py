"""What one PDF page holds for table reconstruction: characters with boxes, ruling lines, images.

Read straight from PDFium's C API (``pypdfium2.raw``) because the helper classes build a Python
object per page object and per character, which is where pdfplumber spends its time; a table
page here costs a few thousand ctypes calls. Coordinates are converted to *top-down* page
space (y grows downwards, 0 = top of the visible page) so that "reading order" is simply
sorting by y then x.
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import pypdfium2.raw as pdfium_c

# A path segment closer than this to horizontal/vertical counts as a ruling line (points).
AXIS_TOLERANCE = 1.0
# A filled rectangle thinner than this is a ruling line drawn as a rectangle (Word, some PDF
# printers); a thicker one is a shaded cell whose four edges are ruling lines.
THIN_RECT = 4.0
# Bound the work on pathological pages (a map drawn as 10^5 tiny strokes is not a table).
MAX_OBJECTS = 100_000
MAX_CHARS = 60_000
MAX_FORM_DEPTH = 8
# Characters whose writing angle is sampled to find pages set sideways.
ANGLE_SAMPLES = 24
# A loose glyph box taller or wider than this (points) is PDFium's artefact, not a font size.
ABSURD_LOOSE_BOX = 36.0
# Glyphs that touch on one baseline (gap under RUN_GAP points, boxes level within RUN_LEVEL)
# with no ruling line between them are kept as one run: every later step then handles a word
# instead of each of its letters. A run never crosses a vertical ruling line (a cell border).
RUN_GAP = 1.0
RUN_OVERLAP = 1.0
RUN_LEVEL = 0.5
RUN_WALL = 0.5

# Characters that are never glyphs (line breaks, PDFium's markers) and whitespace, which is
# kept only where the document itself has a space.
_SPECIAL_CHARS = frozenset(
    "\r\n\x00\x02\ufffe\uffff" + "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
)


@dataclass(slots=True)
class Char:
    """A glyph, or a run of glyphs touching on one baseline: text and loose box (font ascent
    to descent, top-down coordinates)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class Segment:
    """An axis-aligned ruling line: ``pos`` is y (horizontal) or x (vertical), ``a..b`` its span."""

    horizontal: bool
    pos: float
    a: float
    b: float


@dataclass(slots=True)
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    images: int = 0
    truncated: bool = False  # object or character cap hit


Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix that applies ``inner`` then ``outer`` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _object_matrix(obj: ctypes.c_void_p) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


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


def extract_page(doc: ctypes.c_void_p, index: int) -> PageContent | None:
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
        _read_objects(page, content, left, top)
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            return content
        try:
            quarter = _text_turn(textpage)
            turn = Turn(quarter, width, height) if quarter else None
            if turn is not None:
                # The text runs sideways (a landscape table set on a portrait page, whether or
                # not /Rotate turns it for display): read the page turned so the text is level.
                content.segments = [turn.segment(s) for s in content.segments]
                if quarter % 2:
                    content.width, content.height = height, width
            _read_chars(textpage, content, left, top, turn)
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


def _text_turn(textpage: ctypes.c_void_p) -> int:
    """Clockwise quarter turns that make most of the page's text level (0 when it already is)."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return 0
    step = max(count // ANGLE_SAMPLES, 1)
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
    turn: Turn | None = None,
) -> None:
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count > MAX_CHARS:
        count = MAX_CHARS
        content.truncated = True
    if count <= 0:
        return
    text: str | list[str] = _page_text(textpage, count) or [
        _safe_chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count)
    ]
    rect = pdfium_c.FS_RECTF()
    rect_ref = ctypes.addressof(rect)
    textpage_ref = _address(textpage)
    get_box = _LOOSE_BOX
    special = _SPECIAL_CHARS
    absurd = ABSURD_LOOSE_BOX
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
        if ch in special and (ch != " " or pdfium_c.FPDFText_IsGenerated(textpage, i) == 1):
            continue
        if not get_box(textpage_ref, i, rect_ref):
            continue
        lx0, lx1, ly0, ly1 = rect.left, rect.right, rect.bottom, rect.top
        if lx1 - lx0 > absurd or ly1 - ly0 > absurd:
            # The loose box (font ascent to descent) keeps a line's glyphs level, but
            # PDFium makes it absurd for glyphs drawn with a rotated or vertical-writing
            # matrix (WPS vertical labels): then the tight glyph box is the truth.
            lx0, lx1, ly0, ly1 = _tight_box(textpage, i, (lx0, lx1, ly0, ly1))
        x0, x1, y0, y1 = lx0 - left, lx1 - left, top - ly1, top - ly0
        if turn is not None:
            x0, y0, x1, y1 = turn.box(x0, y0, x1, y1)
        if (
            run
            and -RUN_OVERLAP <= x0 - r_x1 <= RUN_GAP
            and -RUN_LEVEL <= y0 - r_top <= RUN_LEVEL
            and -RUN_LEVEL <= y1 - r_bottom <= RUN_LEVEL
            and x0 + RUN_WALL < next_wall
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
        k = bisect_left(walls, x1 - RUN_WALL)
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


def _unchecked(fn: object, restype: object, *argtypes: object) -> Any:
    """The same PDFium function called with plain addresses.

    pypdfium2's bindings check every pointer argument's ctypes type; in the loops over every
    glyph and every page object that check costs more than the C call itself.
    """
    address = ctypes.cast(fn, ctypes.c_void_p).value  # type: ignore[arg-type]
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)  # type: ignore[arg-type]


_VP, _INT = ctypes.c_void_p, ctypes.c_int
_LOOSE_BOX = _unchecked(pdfium_c.FPDFText_GetLooseCharBox, _INT, _VP, _INT, _VP)
_PAGE_OBJECT = _unchecked(pdfium_c.FPDFPage_GetObject, _VP, _VP, _INT)
_FORM_OBJECT = _unchecked(pdfium_c.FPDFFormObj_GetObject, _VP, _VP, ctypes.c_ulong)
_OBJECT_TYPE = _unchecked(pdfium_c.FPDFPageObj_GetType, _INT, _VP)


def _address(handle: object) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0  # type: ignore[arg-type]


def _read_objects(page: ctypes.c_void_p, content: PageContent, left: float, top: float) -> None:
    """Walk page objects (descending into form XObjects) collecting ruling lines and images."""
    budget = [MAX_OBJECTS]
    path_kind = pdfium_c.FPDF_PAGEOBJ_PATH
    image_kind = pdfium_c.FPDF_PAGEOBJ_IMAGE
    form_kind = pdfium_c.FPDF_PAGEOBJ_FORM

    def walk(parent: Any, in_form: bool, outer: Matrix, depth: int) -> None:
        if in_form:
            count = pdfium_c.FPDFFormObj_CountObjects(parent)
            get_fast, get_typed = _FORM_OBJECT, pdfium_c.FPDFFormObj_GetObject
        else:
            count = pdfium_c.FPDFPage_CountObjects(parent)
            get_fast, get_typed = _PAGE_OBJECT, pdfium_c.FPDFPage_GetObject
        parent_address = _address(parent)
        for i in range(count):
            if budget[0] <= 0:
                content.truncated = True
                return
            budget[0] -= 1
            obj = get_fast(parent_address, i)
            if not obj:
                continue
            kind = _OBJECT_TYPE(obj)
            if kind == path_kind:
                _path_segments(
                    obj, lambda i=i: get_typed(parent, i), outer, content.segments, left, top
                )
            elif kind == image_kind:
                content.images += 1
            elif kind == form_kind and depth < MAX_FORM_DEPTH:
                form = get_typed(parent, i)
                walk(form, True, _compose(_object_matrix(form), outer), depth + 1)

    walk(page, False, _IDENTITY, 0)


_UINT4 = ctypes.c_uint * 4
_FLOAT4 = ctypes.c_float * 4
_COUNT_SEGMENTS = _unchecked(pdfium_c.FPDFPath_CountSegments, _INT, _VP)
_BOUNDS = _unchecked(pdfium_c.FPDFPageObj_GetBounds, _INT, _VP, _VP, _VP, _VP, _VP)
_DRAW_MODE = _unchecked(pdfium_c.FPDFPath_GetDrawMode, _INT, _VP, _VP, _VP)
_STROKE_COLOR = _unchecked(pdfium_c.FPDFPageObj_GetStrokeColor, _INT, _VP, _VP, _VP, _VP, _VP)
_FILL_COLOR = _unchecked(pdfium_c.FPDFPageObj_GetFillColor, _INT, _VP, _VP, _VP, _VP, _VP)


# Out-parameter buffers reused by every call (PDFium is used by one thread at a time: the
# reader holds a lock), so that a path costs no ctypes allocation.
_RGBA = _UINT4()
_RGBA_PTRS = tuple(ctypes.addressof(_RGBA) + i * ctypes.sizeof(ctypes.c_uint) for i in range(4))
_BOX = _FLOAT4()
_BOX_PTRS = tuple(ctypes.addressof(_BOX) + i * ctypes.sizeof(ctypes.c_float) for i in range(4))
_MODES = (ctypes.c_int * 2)()
_MODES_PTRS = (ctypes.addressof(_MODES), ctypes.addressof(_MODES) + ctypes.sizeof(ctypes.c_int))


def _is_whiteish(obj: int, stroke: bool) -> bool:
    getter = _STROKE_COLOR if stroke else _FILL_COLOR
    if not getter(obj, *_RGBA_PTRS):
        return False
    r, g, b, a = _RGBA
    return a == 0 or min(r, g, b) >= 245


def _path_segments(
    address: int,
    typed: Any,
    outer: Matrix,
    out: list[Segment],
    left: float,
    top: float,
) -> None:
    """Ruling lines of one path object (``typed()`` gives its handle for the slower calls)."""
    if not _DRAW_MODE(address, *_MODES_PTRS):
        return
    fill_mode, stroke = _MODES
    stroked = bool(stroke) and not _is_whiteish(address, stroke=True)
    filled = fill_mode != 0 and not _is_whiteish(address, stroke=False)
    if not (stroked or filled):
        return  # invisible or white: not a line anyone sees
    n = _COUNT_SEGMENTS(address)
    if n <= 0 or n > 10_000:
        return
    if n == 2 and stroked and outer is _IDENTITY:
        # The common case (one border stroke): the object's bounds are the line plus its width.
        _stroke_from_bounds(address, out, left, top)
        return
    obj = typed()
    a, b, c, d, e, f = _compose(_object_matrix(obj), outer)
    x = ctypes.c_float()
    y = ctypes.c_float()
    xr, yr = ctypes.byref(x), ctypes.byref(y)
    subpaths: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for i in range(n):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        if not seg or not pdfium_c.FPDFPathSegment_GetPoint(seg, xr, yr):
            continue
        px = a * x.value + c * y.value + e - left
        py = top - (b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if len(current) > 1:
                subpaths.append(current)
            current = [(px, py)]
        elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
            current.append((px, py))
        else:  # a curve: not a ruling line; break the polyline here
            if len(current) > 1:
                subpaths.append(current)
            current = [(px, py)]
            continue
        if pdfium_c.FPDFPathSegment_GetClose(seg) and current:
            current.append(current[0])
            subpaths.append(current)
            current = []
    if len(current) > 1:
        subpaths.append(current)

    for points in subpaths:
        if filled and not stroked:
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            w, h = max(xs) - min(xs), max(ys) - min(ys)
            if len(points) >= 4 and _axis_aligned(points) and min(w, h) <= THIN_RECT:
                # A rule drawn as a thin filled rectangle: one line along its long side.
                if w >= h:
                    out.append(Segment(True, (min(ys) + max(ys)) / 2, min(xs), max(xs)))
                else:
                    out.append(Segment(False, (min(xs) + max(xs)) / 2, min(ys), max(ys)))
                continue
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            if abs(y1 - y0) <= AXIS_TOLERANCE and abs(x1 - x0) > AXIS_TOLERANCE:
                out.append(Segment(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
            elif abs(x1 - x0) <= AXIS_TOLERANCE and abs(y1 - y0) > AXIS_TOLERANCE:
                out.append(Segment(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _stroke_from_bounds(address: int, out: list[Segment], left: float, top: float) -> None:
    if not _BOUNDS(address, *_BOX_PTRS):
        return
    lo_x, lo_y, hi_x, hi_y = _BOX
    x0, x1 = lo_x - left, hi_x - left
    y0, y1 = top - hi_y, top - lo_y
    w, h = x1 - x0, y1 - y0
    if h <= THIN_RECT and w > h:
        pad = h / 2  # the bounds include the pen width at both ends
        out.append(Segment(True, (y0 + y1) / 2, x0 + pad, x1 - pad))
    elif w <= THIN_RECT and h > w:
        pad = w / 2
        out.append(Segment(False, (x0 + x1) / 2, y0 + pad, y1 - pad))


def _axis_aligned(points: list[tuple[float, float]]) -> bool:
    return all(
        abs(x1 - x0) <= AXIS_TOLERANCE or abs(y1 - y0) <= AXIS_TOLERANCE
        for (x0, y0), (x1, y1) in itertools.pairwise(points)
    )
