"""What one PDF page holds for table reconstruction: characters with boxes, ruling lines, images.

Read straight from PDFium's C API (``pypdfium2.raw``) because the helper classes build a Python
object per page object and per character, which is where pdfplumber spends its time; a table
page here costs a few thousand ctypes calls. Coordinates are converted to *top-down* page
space (y grows downwards, 0 = top of the visible page) so that "reading order" is simply
sorting by y then x.
"""

from __future__ import annotations

import ctypes
import itertools
from dataclasses import dataclass, field

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
# A loose glyph box taller or wider than this (points) is PDFium's artefact, not a font size.
ABSURD_LOOSE_BOX = 36.0

_SKIP_CHARS = frozenset("\r\n\x00\x02\ufffe\uffff")


@dataclass(slots=True)
class Char:
    """One glyph: its text and its loose box (font ascent..descent), top-down coordinates."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top


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
        _read_chars(page, content, left, top)
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


def _read_chars(page: ctypes.c_void_p, content: PageContent, left: float, top: float) -> None:
    textpage = pdfium_c.FPDFText_LoadPage(page)
    if not textpage:
        return
    try:
        count = pdfium_c.FPDFText_CountChars(textpage)
        if count > MAX_CHARS:
            count = MAX_CHARS
            content.truncated = True
        if count <= 0:
            return
        text = _page_text(textpage, count)
        rect = pdfium_c.FS_RECTF()
        rect_ref = ctypes.byref(rect)
        get_box = pdfium_c.FPDFText_GetLooseCharBox
        get_tight = pdfium_c.FPDFText_GetCharBox
        tl, tr, tb, tt = (ctypes.c_double() for _ in range(4))
        chars = content.chars
        for i in range(count):
            if text:
                ch = text[i]
            else:
                try:
                    ch = chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
                except (ValueError, OverflowError):
                    continue
            if ch in _SKIP_CHARS:
                continue
            # PDFium adds spaces and line breaks of its own between text runs: drop them (the
            # layout decides where words and lines break from the boxes); keep real spaces.
            if ch.isspace() and (ch != " " or pdfium_c.FPDFText_IsGenerated(textpage, i) == 1):
                continue
            if not get_box(textpage, i, rect_ref):
                continue
            lx0, lx1, ly0, ly1 = rect.left, rect.right, rect.bottom, rect.top
            # The loose box (font ascent to descent) keeps a line's glyphs level, but PDFium
            # makes it absurd for glyphs drawn with a rotated or vertical-writing matrix (WPS
            # vertical labels): then the tight glyph box is the truth.
            if (
                max(lx1 - lx0, ly1 - ly0) > ABSURD_LOOSE_BOX
                and get_tight(textpage, i, tl, tr, tb, tt)
                and max(tr.value - tl.value, tt.value - tb.value) > 0
            ):
                lx0, lx1, ly0, ly1 = tl.value, tr.value, tb.value, tt.value
            x0, x1 = lx0 - left, lx1 - left
            y0, y1 = top - ly1, top - ly0
            if x1 < x0:
                x0, x1 = x1, x0
            if y1 < y0:
                y0, y1 = y1, y0
            chars.append(Char(ch, x0, y0, x1, y1))
    finally:
        pdfium_c.FPDFText_ClosePage(textpage)


def _read_objects(page: ctypes.c_void_p, content: PageContent, left: float, top: float) -> None:
    """Walk page objects (descending into form XObjects) collecting ruling lines and images."""
    budget = [MAX_OBJECTS]

    def walk(count: int, get: object, parent: ctypes.c_void_p, outer: Matrix, depth: int) -> None:
        for i in range(count):
            if budget[0] <= 0:
                content.truncated = True
                return
            budget[0] -= 1
            obj = get(parent, i)  # type: ignore[operator]
            if not obj:
                continue
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                _path_segments(obj, outer, content.segments, left, top)
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                content.images += 1
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
                matrix = _compose(_object_matrix(obj), outer)
                walk(
                    pdfium_c.FPDFFormObj_CountObjects(obj),
                    pdfium_c.FPDFFormObj_GetObject,
                    obj,
                    matrix,
                    depth + 1,
                )

    walk(
        pdfium_c.FPDFPage_CountObjects(page),
        pdfium_c.FPDFPage_GetObject,
        page,
        _IDENTITY,
        0,
    )


def _is_whiteish(obj: ctypes.c_void_p, stroke: bool) -> bool:
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    getter = pdfium_c.FPDFPageObj_GetStrokeColor if stroke else pdfium_c.FPDFPageObj_GetFillColor
    if not getter(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):
        return False
    return a.value == 0 or min(r.value, g.value, b.value) >= 245


def _path_segments(
    obj: ctypes.c_void_p, outer: Matrix, out: list[Segment], left: float, top: float
) -> None:
    fill_mode = ctypes.c_int()
    stroke = ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill_mode), ctypes.byref(stroke)):
        return
    stroked = bool(stroke.value) and not _is_whiteish(obj, stroke=True)
    filled = fill_mode.value != 0 and not _is_whiteish(obj, stroke=False)
    if not (stroked or filled):
        return  # invisible or white: not a line anyone sees
    a, b, c, d, e, f = _compose(_object_matrix(obj), outer)
    n = pdfium_c.FPDFPath_CountSegments(obj)
    if n <= 0 or n > 10_000:
        return
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


def _axis_aligned(points: list[tuple[float, float]]) -> bool:
    return all(
        abs(x1 - x0) <= AXIS_TOLERANCE or abs(y1 - y0) <= AXIS_TOLERANCE
        for (x0, y0), (x1, y1) in itertools.pairwise(points)
    )
