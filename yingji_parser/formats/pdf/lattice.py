"""Tables from ruling lines: the rectangles the lines form are the cells (a "lattice").

The ruling lines of one table touch each other; each connected group of lines is one table.
Its distinct x and y positions cut it into elementary cells; two neighbouring elementary cells
with no line between them belong to one merged cell (rowspan/colspan). Every character whose
centre falls in a cell is that cell's text. Nothing here knows what a report looks like.
Tolerances come from :class:`.PdfSettings`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from yingji_parser.formats.pdf.content import Char, PageContent, Segment
from yingji_parser.formats.pdf.settings import DEFAULT_SETTINGS, PdfSettings
from yingji_parser.formats.pdf.text import cell_text


@dataclass(slots=True)
class LCell:
    """One cell of a lattice: half-open ranges of elementary rows and columns, and its text."""

    r0: int
    r1: int
    c0: int
    c1: int
    text: str = ""


@dataclass(slots=True)
class LTable:
    xs: list[float]  # column boundaries, left to right
    nrows: int
    cells: list[LCell]
    page: int
    top: float
    bottom: float
    last_page: int = 0
    row_heights: list[float] = field(default_factory=list)
    ruled: bool = True  # False for a table rebuilt from text positions (:mod:`.stream`)

    @property
    def left(self) -> float:
        return self.xs[0]

    @property
    def right(self) -> float:
        return self.xs[-1]


def _merge_collinear(segments: list[Segment], s: PdfSettings) -> list[Segment]:
    """Snap near-equal positions and join touching collinear pieces into whole lines."""
    out: list[Segment] = []
    join = s.join_tolerance
    for horizontal in (True, False):
        segs = sorted((g for g in segments if g.horizontal == horizontal), key=lambda g: g.pos)
        clusters: list[list[Segment]] = []
        for seg in segs:
            if clusters and seg.pos - clusters[-1][-1].pos <= s.snap_tolerance:
                clusters[-1].append(seg)
            else:
                clusters.append([seg])
        for cluster in clusters:
            pos = sum(g.pos for g in cluster) / len(cluster)
            cluster.sort(key=lambda g: g.a)
            cur_a, cur_b = cluster[0].a, cluster[0].b
            for g in cluster[1:]:
                if g.a <= cur_b + join:
                    cur_b = max(cur_b, g.b)
                else:
                    out.append(Segment(horizontal, pos, cur_a, cur_b))
                    cur_a, cur_b = g.a, g.b
            out.append(Segment(horizontal, pos, cur_a, cur_b))
    return [seg for seg in out if seg.b - seg.a >= s.min_line]


def _components(
    hs: list[Segment], vs: list[Segment], touch: float
) -> list[tuple[list[Segment], list[Segment]]]:
    """Group lines that touch (union-find over horizontal x vertical intersections)."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Verticals sorted by x: each horizontal only looks at those within its own x extent.
    order = sorted(range(len(vs)), key=lambda j: vs[j].pos)
    xs = [vs[j].pos for j in order]
    for i, h in enumerate(hs):
        k = bisect.bisect_left(xs, h.a - touch)
        while k < len(xs) and xs[k] <= h.b + touch:
            j = order[k]
            v = vs[j]
            if v.a - touch <= h.pos <= v.b + touch:
                ri, rj = find(i), find(len(hs) + j)
                if ri != rj:
                    parent[ri] = rj
            k += 1
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return [g for g in groups.values() if g[0] and g[1]]


def cluster_positions(values: list[float], snap: float) -> list[float]:
    """Sorted positions, each within ``snap`` of the previous kept one dropped (one border drawn
    as several strokes is one border)."""
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= snap:
            continue
        out.append(v)
    return out


def _by_boundary(
    lines: list[Segment], bounds: list[float], snap: float
) -> list[list[tuple[float, float]]]:
    """For each boundary position, the extents of the lines lying on it."""
    out: list[list[tuple[float, float]]] = [[] for _ in bounds]
    for s in lines:
        i = bisect.bisect_left(bounds, s.pos - snap)
        while i < len(bounds) and bounds[i] <= s.pos + snap:
            out[i].append((s.a - snap, s.b + snap))
            i += 1
    return out


def _crossed(extents: list[list[tuple[float, float]]], mids: list[float]) -> list[list[bool]]:
    """For each boundary, whether a line on it runs across the middle of each band."""
    out = []
    for lines in extents:
        if not lines:
            out.append([False] * len(mids))
        elif len(lines) == 1:
            lo, hi = lines[0]
            out.append([lo <= m <= hi for m in mids])
        else:
            out.append([any(lo <= m <= hi for lo, hi in lines) for m in mids])
    return out


def _lattice(
    hs: list[Segment], vs: list[Segment], snap: float
) -> tuple[list[float], list[float], list[int]]:
    """Boundaries and, per elementary cell (row-major), the id of the merged cell it belongs to."""
    xs = cluster_positions([v.pos for v in vs] + [min(h.a for h in hs), max(h.b for h in hs)], snap)
    ys = cluster_positions([h.pos for h in hs] + [min(v.a for v in vs), max(v.b for v in vs)], snap)
    nr, nc = len(ys) - 1, len(xs) - 1
    row_mids = [(ys[r] + ys[r + 1]) / 2 for r in range(nr)]
    col_mids = [(xs[c] + xs[c + 1]) / 2 for c in range(nc)]
    # wall[c][r]: a line at xs[c] across row r; floor[r][c]: a line at ys[r] across column c
    wall = _crossed(_by_boundary(vs, xs, snap), row_mids)
    floor = _crossed(_by_boundary(hs, ys, snap), col_mids)
    parent = list(range(max(nr * nc, 0)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(nr):
        below = floor[r + 1] if r + 1 < nr else None
        for c in range(nc):
            here = r * nc + c
            if c + 1 < nc and not wall[c + 1][r]:
                parent[find(here)] = find(here + 1)
            if below is not None and not below[c]:
                parent[find(here)] = find(here + nc)
    return xs, ys, [find(i) for i in range(nr * nc)]


def find_tables(
    page: PageContent, settings: PdfSettings = DEFAULT_SETTINGS
) -> tuple[list[LTable], list[Char]]:
    """The page's ruled tables (top to bottom) and the characters outside them."""
    if not page.segments or len(page.segments) > settings.max_segments:
        return [], list(page.chars)
    merged = _merge_collinear(page.segments, settings)
    if len(merged) > settings.max_lines:
        return [], list(page.chars)
    hs = [s for s in merged if s.horizontal]
    vs = [s for s in merged if not s.horizontal]
    found: list[tuple[list[float], list[float], list[int]]] = []
    for comp_h, comp_v in _components(hs, vs, settings.intersection_tolerance):
        xs, ys, ids = _lattice(comp_h, comp_v, settings.snap_tolerance)
        if len(xs) >= 2 and len(ys) >= 2 and len(set(ids)) >= 2:
            found.append((xs, ys, ids))
    if not found:
        return [], list(page.chars)

    # Characters to the table and elementary cell their centre falls in.
    per_table: list[dict[int, list[Char]]] = [{} for _ in found]
    free: list[Char] = []
    bisect_right = bisect.bisect_right
    boxes = [
        (xs[0], xs[-1], ys[0], ys[-1], xs, ys, ids, len(xs) - 1, len(xs) - 2, len(ys) - 2, cells)
        for (xs, ys, ids), cells in zip(found, per_table, strict=True)
    ]
    for ch in page.chars:
        cx = (ch.x0 + ch.x1) / 2
        cy = (ch.top + ch.bottom) / 2
        for left, right, top, bottom, xs, ys, ids, ncols, last_c, last_r, cells in boxes:
            if left <= cx <= right and top <= cy <= bottom:
                r = bisect_right(ys, cy) - 1
                c = bisect_right(xs, cx) - 1
                r = 0 if r < 0 else (last_r if r > last_r else r)
                c = 0 if c < 0 else (last_c if c > last_c else c)
                cid = ids[r * ncols + c]
                bucket = cells.get(cid)
                if bucket is None:
                    cells[cid] = [ch]
                else:
                    bucket.append(ch)
                break
        else:
            free.append(ch)

    tables: list[LTable] = []
    for (xs, ys, ids), chars_by_cell in zip(found, per_table, strict=True):
        if not chars_by_cell:
            continue  # a frame or a grid with nothing in it
        table = _build(xs, ys, ids, chars_by_cell, page.number, settings)
        if len(table.cells) < 2:
            # One box around some text (a framed note): the text is prose, not a table.
            free.extend(c for chars in chars_by_cell.values() for c in chars)
            continue
        tables.append(table)
    tables.sort(key=lambda t: t.top)
    return tables, free


def _build(
    xs: list[float],
    ys: list[float],
    ids: list[int],
    chars_by_cell: dict[int, list[Char]],
    page: int,
    settings: PdfSettings,
) -> LTable:
    nr, nc = len(ys) - 1, len(xs) - 1
    spans: dict[int, list[int]] = {}
    for i, cid in enumerate(ids):
        r, c = divmod(i, nc)
        box = spans.get(cid)
        if box is None:
            spans[cid] = [r, r + 1, c, c + 1]
        else:
            box[0], box[1] = min(box[0], r), max(box[1], r + 1)
            box[2], box[3] = min(box[2], c), max(box[3], c + 1)
    cells = [
        LCell(r0, r1, c0, c1, cell_text(chars_by_cell.get(cid, []), settings.space_gap))
        for cid, (r0, r1, c0, c1) in spans.items()
    ]
    table = LTable(
        xs=list(xs),
        nrows=nr,
        cells=cells,
        page=page,
        top=ys[0],
        bottom=ys[-1],
        last_page=page,
        row_heights=[ys[i + 1] - ys[i] for i in range(nr)],
    )
    _drop_slivers(table, settings.sliver)
    return table


def _drop_slivers(table: LTable, sliver: float) -> None:
    """Remove hair-thin column/row bands that only exist because two lines nearly coincide."""
    for axis in ("col", "row"):
        sizes = (
            [table.xs[i + 1] - table.xs[i] for i in range(len(table.xs) - 1)]
            if axis == "col"
            else list(table.row_heights)
        )
        for k in reversed(range(len(sizes))):
            if sizes[k] >= sliver or len(sizes) <= 1:
                continue
            starts_here = [
                c for c in table.cells if (c.c0 if axis == "col" else c.r0) == k and c.text
            ]
            if starts_here:
                continue
            _remove_band(table, axis, k)


def _remove_band(table: LTable, axis: str, k: int) -> None:
    kept: list[LCell] = []
    for c in table.cells:
        lo, hi = (c.c0, c.c1) if axis == "col" else (c.r0, c.r1)
        if lo <= k < hi:
            hi -= 1
        elif lo > k:
            lo, hi = lo - 1, hi - 1
        if hi <= lo:
            continue  # the cell lived only in the removed band
        if axis == "col":
            c.c0, c.c1 = lo, hi
        else:
            c.r0, c.r1 = lo, hi
        kept.append(c)
    table.cells = kept
    if axis == "col":
        # The band's two boundaries become one, at their middle.
        mid = (table.xs[k] + table.xs[k + 1]) / 2
        table.xs[k : k + 2] = [mid]
    else:
        table.nrows -= 1
        table.row_heights.pop(k)
