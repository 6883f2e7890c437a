"""Ruling lines and images of a page: its path objects walked (into form XObjects) with PDFium.

A border is drawn as a stroked line, as a thin filled rectangle, or as the edges of a shaded
cell; white or invisible paths are no lines anyone sees.
"""

from __future__ import annotations

import ctypes
import itertools
from typing import Any

import pypdfium2_raw as pdfium_c

from yingji_parser.formats.pdf.calls import VP as _VP
from yingji_parser.formats.pdf.calls import Handle, bare, pointer
from yingji_parser.formats.pdf.calls import address as _address
from yingji_parser.formats.pdf.calls import unchecked as _unchecked
from yingji_parser.formats.pdf.content import PageContent, Segment
from yingji_parser.formats.pdf.settings import PdfSettings

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


_PAGE_OBJECT = bare(pdfium_c.FPDFPage_GetObject, Handle)
# the index is an unsigned long: not for a bare call
_FORM_OBJECT = _unchecked(pdfium_c.FPDFFormObj_GetObject, Handle, _VP, ctypes.c_ulong)
_OBJECT_TYPE = bare(pdfium_c.FPDFPageObj_GetType)


def read_objects(
    page: ctypes.c_void_p, content: PageContent, left: float, top: float, s: PdfSettings
) -> None:
    """Walk page objects (descending into form XObjects) collecting ruling lines and images."""
    budget = [s.max_objects]
    text_kind = pdfium_c.FPDF_PAGEOBJ_TEXT
    path_kind = pdfium_c.FPDF_PAGEOBJ_PATH
    image_kind = pdfium_c.FPDF_PAGEOBJ_IMAGE
    form_kind = pdfium_c.FPDF_PAGEOBJ_FORM
    object_type = _OBJECT_TYPE

    def walk(parent: Any, in_form: bool, outer: Matrix, depth: int) -> None:
        parent_arg: Any
        if in_form:
            count = pdfium_c.FPDFFormObj_CountObjects(parent)
            get_fast, get_typed = _FORM_OBJECT, pdfium_c.FPDFFormObj_GetObject
            parent_arg = _address(parent)
        else:
            count = pdfium_c.FPDFPage_CountObjects(parent)
            get_fast, get_typed = _PAGE_OBJECT, pdfium_c.FPDFPage_GetObject
            parent_arg = pointer(_address(parent))
        remaining = budget[0]
        for i in range(count):
            if remaining <= 0:
                budget[0] = 0
                content.truncated = True
                return
            remaining -= 1
            obj = get_fast(parent_arg, i)
            if not obj:
                continue
            kind = object_type(obj)
            if kind == text_kind:  # most objects: nothing to collect
                continue
            if kind == path_kind:
                _path_segments(
                    obj, lambda i=i: get_typed(parent, i), outer, content.segments, left, top, s
                )
            elif kind == image_kind:
                content.images += 1
            elif kind == form_kind and depth < s.max_form_depth:
                form = get_typed(parent, i)
                budget[0] = remaining
                walk(form, True, _compose(_object_matrix(form), outer), depth + 1)
                remaining = budget[0]
        budget[0] = remaining

    walk(page, False, _IDENTITY, 0)


_UINT4 = ctypes.c_uint * 4
_FLOAT4 = ctypes.c_float * 4
_COUNT_SEGMENTS = bare(pdfium_c.FPDFPath_CountSegments)
_BOUNDS = bare(pdfium_c.FPDFPageObj_GetBounds)
_DRAW_MODE = bare(pdfium_c.FPDFPath_GetDrawMode)
_STROKE_COLOR = bare(pdfium_c.FPDFPageObj_GetStrokeColor)
_FILL_COLOR = bare(pdfium_c.FPDFPageObj_GetFillColor)


# Out-parameter buffers reused by every call (PDFium is used by one thread at a time: the
# reader holds a lock), so that a path costs no ctypes allocation.
_RGBA = _UINT4()
_RGBA_PTRS = tuple(ctypes.byref(_RGBA, i * ctypes.sizeof(ctypes.c_uint)) for i in range(4))
_BOX = _FLOAT4()
_BOX_PTRS = tuple(ctypes.byref(_BOX, i * ctypes.sizeof(ctypes.c_float)) for i in range(4))
_MODES = (ctypes.c_int * 2)()
_MODES_PTRS = (ctypes.byref(_MODES), ctypes.byref(_MODES, ctypes.sizeof(ctypes.c_int)))
# The same buffers read as plain numbers (a memoryview unpacks faster than a ctypes array).
_RGBA_VALUES = memoryview(_RGBA).cast("B").cast("I")
_BOX_VALUES = memoryview(_BOX).cast("B").cast("f")
_MODES_VALUES = memoryview(_MODES).cast("B").cast("i")


def _is_whiteish(obj: Handle, stroke: bool) -> bool:
    getter = _STROKE_COLOR if stroke else _FILL_COLOR
    if not getter(obj, *_RGBA_PTRS):
        return False
    r, g, b, a = _RGBA_VALUES
    return a == 0 or min(r, g, b) >= 245


def _path_segments(
    address: Handle,
    typed: Any,
    outer: Matrix,
    out: list[Segment],
    left: float,
    top: float,
    s: PdfSettings,
) -> None:
    """Ruling lines of one path object (``typed()`` gives its handle for the slower calls)."""
    if not _DRAW_MODE(address, *_MODES_PTRS):
        return
    fill_mode, stroke = _MODES_VALUES
    stroked = bool(stroke) and not _is_whiteish(address, stroke=True)
    filled = fill_mode != 0 and not _is_whiteish(address, stroke=False)
    if not (stroked or filled):
        return  # invisible or white: not a line anyone sees
    n = _COUNT_SEGMENTS(address)
    if n <= 0 or n > 10_000:
        return
    if n == 2 and stroked and outer is _IDENTITY:
        # The common case (one border stroke): the object's bounds are the line plus its width.
        _stroke_from_bounds(address, out, left, top, s.thin_rect)
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
            if (
                len(points) >= 4
                and _axis_aligned(points, s.axis_tolerance)
                and min(w, h) <= s.thin_rect
            ):
                # A rule drawn as a thin filled rectangle: one line along its long side.
                if w >= h:
                    out.append(Segment(True, (min(ys) + max(ys)) / 2, min(xs), max(xs)))
                else:
                    out.append(Segment(False, (min(xs) + max(xs)) / 2, min(ys), max(ys)))
                continue
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            if abs(y1 - y0) <= s.axis_tolerance and abs(x1 - x0) > s.axis_tolerance:
                out.append(Segment(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
            elif abs(x1 - x0) <= s.axis_tolerance and abs(y1 - y0) > s.axis_tolerance:
                out.append(Segment(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _stroke_from_bounds(
    address: Handle, out: list[Segment], left: float, top: float, thin: float
) -> None:
    if not _BOUNDS(address, *_BOX_PTRS):
        return
    lo_x, lo_y, hi_x, hi_y = _BOX_VALUES
    x0, x1 = lo_x - left, hi_x - left
    y0, y1 = top - hi_y, top - lo_y
    w, h = x1 - x0, y1 - y0
    if h <= thin and w > h:
        pad = h / 2  # the bounds include the pen width at both ends
        out.append(Segment(True, (y0 + y1) / 2, x0 + pad, x1 - pad))
    elif w <= thin and h > w:
        pad = w / 2
        out.append(Segment(False, (x0 + x1) / 2, y0 + pad, y1 - pad))


def _axis_aligned(points: list[tuple[float, float]], tolerance: float) -> bool:
    return all(
        abs(x1 - x0) <= tolerance or abs(y1 - y0) <= tolerance
        for (x0, y0), (x1, y1) in itertools.pairwise(points)
    )
