"""A w:tbl as the shared grid: grid columns, spans and vertical/legacy merges to positions."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from yingji_parser.formats.docx.xml import Names, children, int_val, twips
from yingji_parser.grid import Block, Cell, Paragraph, Span, expand


def cell_text(blocks: list[Block]) -> str:
    """A cell's paragraphs joined by newlines; a nested table flattened row by row."""
    lines: list[str] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            lines.append(b.text)
        else:
            lines.extend("\t".join(c.text for c in row if not c.merged) for row in b.rows)
    return "\n".join(lines).strip("\n")


_MAX_SPAN = 1000  # a damaged gridSpan must not allocate millions of cells


def table_grid(
    tbl: etree._Element, w: Names, read_cell: Callable[[etree._Element], list[Block]]
) -> tuple[list[list[Cell]], list[list[Block]]]:
    """Expand a w:tbl into equal-length rows of cells (``read_cell`` gives a w:tc's blocks).

    Positions follow the table grid: w:gridBefore/w:gridAfter skip grid columns, w:gridSpan and
    legacy w:hMerge widen a cell, w:vMerge continues the cell above. Every covered position gets
    the cell's text, ``merged=True`` on all but the top-left one.
    """
    col_widths = [twips(g.get(w("w"))) for g in tbl.iterfind(f"{w('tblGrid')}/{w('gridCol')}")]
    grid_cols = len(col_widths)
    # Each position is (origin, text): origin identifies the logical cell (shared by the copies
    # of a merge), None for a position no cell covers (gridBefore/gridAfter, short rows).
    rows: list[list[tuple[int | None, str]]] = []
    cell_blocks: list[list[Block]] = []  # every cell's own blocks, in reading order
    tcpr_tag, span_tag, vmerge_tag, hmerge_tag = (
        w("tcPr"),
        w("gridSpan"),
        w("vMerge"),
        w("hMerge"),
    )
    next_id = 0
    for tr in children(tbl, "tr"):
        trpr = tr.find(w("trPr"))
        if trpr is not None and trpr.find(w("del")) is not None:
            continue  # a row deleted with change tracking on
        before = int_val(trpr.find(w("gridBefore")) if trpr is not None else None, w, 0)
        row: list[tuple[int | None, str]] = [(None, "")] * min(before, _MAX_SPAN)
        for tc in children(tr, "tc"):
            span = 1
            vmerge = hmerge = None
            tcpr = tc[0] if len(tc) and tc[0].tag == tcpr_tag else tc.find(tcpr_tag)
            if tcpr is not None:
                for prop in tcpr:  # one pass over the few properties instead of three finds
                    tag = prop.tag
                    if tag == span_tag:
                        span = min(max(int_val(prop, w, 1), 1), _MAX_SPAN)
                    elif tag == vmerge_tag:
                        vmerge = prop.get(w.val, "continue")
                    elif tag == hmerge_tag:
                        hmerge = prop.get(w.val, "continue")
            blocks = read_cell(tc)
            cell_blocks.append(blocks)
            col = len(row)
            if hmerge == "continue" and row and row[-1][0] is not None:
                row.extend([row[-1]] * span)  # legacy horizontal merge: part of the left cell
                continue
            above = rows[-1] if rows else []
            if vmerge == "continue" and col < len(above) and above[col][0] is not None:
                row.extend([above[col]] * span)  # vertical merge: the cell above goes on
                continue
            row.extend([(next_id, cell_text(blocks))] * span)
            next_id += 1
        rows.append(row)
    width = max(grid_cols, max((len(r) for r in rows), default=0))
    for r in rows:
        r.extend([(None, "")] * (width - len(r)))
    keep = _needed_columns(rows, width, col_widths)
    # Every kept position is a piece of its logical cell (the origin is the key): a vertical
    # merge under cells of another width need not be a rectangle.
    spans = [
        Span(r, c, r_[i][1], key=r_[i][0])
        for r, r_ in enumerate(rows)
        for c, i in enumerate(keep)
        if r_[i][0] is not None
    ]
    return expand(spans, len(rows), len(keep)), cell_blocks


def _covered(r: list[tuple[int | None, str]], k: int, prev: int | None, nxt: int | None) -> bool:
    """Position k of row r is empty or belongs to a cell that also covers prev or nxt."""
    origin = r[k][0]
    if origin is None:
        return not r[k][1]
    return (prev is not None and r[prev][0] == origin) or (nxt is not None and r[nxt][0] == origin)


def _needed_columns(
    rows: list[list[tuple[int | None, str]]], width: int, col_widths: list[int]
) -> list[int]:
    """Grid columns to keep: all but narrow slivers that carry no cell of their own.

    LibreOffice's conversions (and hand-dragged borders) leave grid columns a few twips wide
    in which every position belongs to a cell that also covers a neighbouring column. Kept,
    such a sliver shows the mapper a phantom column that repeats its neighbour. Only columns
    narrower than a quarter of the typical column are considered, so that a real column is
    never dropped and a cell straddling the sliver stays under the header it sits under.
    """
    if len(col_widths) != width or not rows:
        return list(range(width))
    typical = sorted(col_widths)[width // 2]
    keep: list[int] = []
    for k in range(width):
        prev = keep[-1] if keep else None
        nxt = k + 1 if k + 1 < width else None

        if col_widths[k] * 4 >= typical or not all(_covered(r, k, prev, nxt) for r in rows):
            keep.append(k)
    return keep
