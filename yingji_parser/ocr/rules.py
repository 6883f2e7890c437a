"""Ruled tables found in a page image: ruling lines by morphology, then the cells they enclose.

Long thin runs of ink are opened out of the ink mask with a long horizontal and a long
vertical kernel (text strokes are too short to survive); the connected groups of those lines
are the tables. Inside a table the distinct line positions give a fine grid, and each pair of
neighbouring fine cells is one cell when no ruling line separates them (merged cells), which
:func:`yingji_parser.grid.expand` then expands as for every other format.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BORDER_PRESENT = 0.6  # share of a border segment that must be ruled to separate two cells
_MERGE_GAP = 4  # px: line positions closer than this are one line
_REACH = 2  # px: how near a horizontal rule a short vertical run must end to be a cell side


@dataclass(frozen=True, slots=True)
class CellBox:
    """One cell of a ruled table: its fine-grid position and span, and its pixel box."""

    row: int
    col: int
    rows: int
    cols: int
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 inside the ruling lines


@dataclass(frozen=True, slots=True)
class RuledTable:
    box: tuple[int, int, int, int]
    nrows: int
    ncols: int
    cells: tuple[CellBox, ...]
    ys: tuple[int, ...] = ()  # page y of each fine row boundary (nrows + 1 of them)
    xs: tuple[int, ...] = ()  # page x of each fine column boundary (ncols + 1 of them)


def ruling_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(horizontal, vertical) ruling-line masks of an ink mask.

    Long thin runs are opened out with a long kernel (text strokes are too short to survive),
    and the collinear pieces of a faded or broken rule are then closed into one line. The
    vertical rules of a short row (a table's last row alone on a new page is one text line
    high, shorter than the long kernel) are kept when they run from one horizontal rule to
    another: :func:`_bridging`.
    """
    img = ink.astype(np.uint8) * 255
    h, w = img.shape
    length = max(25, min(w, h) // 25)
    horiz = cv2.morphologyEx(
        img, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    )
    vert = cv2.morphologyEx(
        img, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length))
    )
    fresh = np.where(vert > 0, 0, _short_verticals(img, length)).astype(np.uint8)
    sides = _bridging(fresh, horiz > 0, vert > 0, length)
    # a 3-px tolerance across the line absorbs what deskewing leaves of a tilt or a bow; then
    # collinear pieces of a broken rule are joined over gaps up to a kernel long
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    horiz = cv2.morphologyEx(
        horiz, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    )
    vert = vert | sides
    vert = cv2.dilate(vert, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 9)))
    vert = cv2.morphologyEx(
        vert, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length // 3))
    )
    return horiz > 0, vert > 0


def _short_verticals(img: np.ndarray, length: int) -> np.ndarray:
    """Vertical runs a fifth of the long kernel or more, thickened by a pixel either way first:
    a soft thin rule bends by a pixel here and there, which a one-pixel kernel would cut."""
    thick = cv2.dilate(img, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(8, length // 5)))
    return cv2.morphologyEx(thick, cv2.MORPH_OPEN, kernel)


def _bridging(short: np.ndarray, horiz: np.ndarray, vert: np.ndarray, length: int) -> np.ndarray:
    """The short vertical runs that end on a horizontal rule at both ends (a cell's side).

    A stroke of a character or digit never reaches both the rule above its cell and the one
    below (cells keep a padding), so this keeps the sides of one-line rows without admitting
    text. ``horiz`` is the horizontal rules as opened, before any tolerance is added. In a
    tight scan a glyph may fill its row (the stem of a "十" in a heading row): a short run is
    therefore a side only where no long vertical rule crosses its row (the row stands alone,
    as the last row of a table pushed onto the next page); a run as long as the kernel is a
    rule the long kernel missed by a pixel's bend, and kept.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(short, connectivity=8)
    keep = np.zeros(count, dtype=np.uint8)
    height = horiz.shape[0]
    candidates = []
    for i in range(1, count):
        x, y, w, h, _area = (int(v) for v in stats[i])
        if w > 8:
            continue
        xs = slice(max(x - 2, 0), x + w + 2)
        top = horiz[max(y - _REACH, 0) : y + _REACH + 1, xs].any()
        bottom = horiz[max(y + h - 1 - _REACH, 0) : min(y + h + _REACH, height), xs].any()
        if top and bottom:
            candidates.append((i, y, h))
    long_rows: np.ndarray = np.asarray(vert.any(axis=1))
    for i, y, h in candidates:
        if h >= length:
            keep[i] = 255
            long_rows[y : y + h] = True
    for i, y, h in candidates:
        if h < length and not long_rows[y + 2 : max(y + h - 2, y + 3)].any():
            keep[i] = 255
    return keep[labels]


def _positions(profile: np.ndarray, threshold: float) -> list[int]:
    """Centres of the runs of ``profile`` at or over ``threshold``, close runs merged."""
    on = profile >= threshold
    out: list[int] = []
    start = None
    for i, flag in enumerate(np.append(on, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            centre = (start + i - 1) // 2
            if out and centre - out[-1] < _MERGE_GAP:
                out[-1] = (out[-1] + centre) // 2
            else:
                out.append(centre)
            start = None
    return out


def find_tables(
    ink: np.ndarray,
    min_width: float = 0.25,
    masks: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[RuledTable]:
    """The ruled tables of a levelled page, top to bottom (``masks``: from ruling_masks)."""
    horiz, vert = masks if masks is not None else ruling_masks(ink)
    lines = (horiz | vert).astype(np.uint8)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    page_w = ink.shape[1]
    tables: list[RuledTable] = []
    for i in range(1, count):
        x, y, w, h, _area = stats[i]
        if w < min_width * page_w or h < 15:
            continue
        table = _table(horiz, vert, (int(x), int(y), int(x + w), int(y + h)))
        if table is not None:
            tables.append(table)
    tables.sort(key=lambda t: t.box[1])
    return tables


def _table(
    horiz: np.ndarray, vert: np.ndarray, box: tuple[int, int, int, int]
) -> RuledTable | None:
    x0, y0, x1, y1 = box
    h_region = horiz[y0:y1, x0:x1]
    v_region = vert[y0:y1, x0:x1]
    # a row boundary is a horizontal line at least as long as a narrow cell
    ys = _positions(h_region.sum(axis=1), 20)
    xs = _positions(v_region.sum(axis=0), 12)
    if len(ys) < 2 or len(xs) < 2:
        return None
    nrows, ncols = len(ys) - 1, len(xs) - 1

    def ruled(mask: np.ndarray, a0: int, a1: int, b: int, across: bool) -> bool:
        """Whether the segment a0..a1 at b is ruled (across=True: a horizontal segment)."""
        lo, hi = a0 + (a1 - a0) // 8, a1 - (a1 - a0) // 8
        if hi <= lo:
            return True
        band = mask[max(b - 4, 0) : b + 5, lo:hi] if across else mask[lo:hi, max(b - 4, 0) : b + 5]
        covered = band.any(axis=0 if across else 1)
        return float(covered.mean()) >= BORDER_PRESENT

    parent = list(range(nrows * ncols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nrows):
        for c in range(ncols):
            if c + 1 < ncols and not ruled(v_region, ys[r], ys[r + 1], xs[c + 1], False):
                parent[find(r * ncols + c + 1)] = find(r * ncols + c)
            if r + 1 < nrows and not ruled(h_region, xs[c], xs[c + 1], ys[r + 1], True):
                parent[find((r + 1) * ncols + c)] = find(r * ncols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nrows):
        for c in range(ncols):
            groups.setdefault(find(r * ncols + c), []).append((r, c))
    cells: list[CellBox] = []
    for members in groups.values():
        r0 = min(r for r, _ in members)
        r1 = max(r for r, _ in members)
        c0 = min(c for _, c in members)
        c1 = max(c for _, c in members)
        pixel = (x0 + xs[c0], y0 + ys[r0], x0 + xs[c1 + 1], y0 + ys[r1 + 1])
        cells.append(CellBox(r0, c0, r1 - r0 + 1, c1 - c0 + 1, pixel))
    cells.sort(key=lambda cb: (cb.row, cb.col))
    return RuledTable(
        box, nrows, ncols, tuple(cells), tuple(y0 + y for y in ys), tuple(x0 + x for x in xs)
    )
