"""The document body: paragraphs and tables in reading order, only the text Word shows."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from yingji_parser.formats.docx.tables import table_grid
from yingji_parser.formats.docx.xml import MC, R_STRICT, TRANSPARENT, Names, R, local_name
from yingji_parser.grid import Block, Paragraph, Table


def drop_invisible(root: etree._Element, w: Names) -> None:
    """Remove what Word does not display, so that text extraction can take every w:t.

    Deleted runs (w:del, w:moveFrom) and the legacy fallback copy of drawings/text boxes
    (mc:Fallback; mc:Choice holds the same text) would otherwise appear twice or wrongly. The
    w:del *markers* inside property elements (a deleted row, a deleted paragraph mark) stay.
    """
    props = {w("rPr"), w("trPr"), w("pPr"), w("tcPr")}
    doomed = [
        el
        for el in root.iter(w("del"), w("moveFrom"), f"{{{MC}}}Fallback", w("instrText"), w("rt"))
        if el.getparent() is not None and el.getparent().tag not in props
    ]
    for el in doomed:
        el.getparent().remove(el)


def body_blocks(container: etree._Element, w: Names) -> Iterator[Block]:
    """Paragraphs and tables of a body, cell or content control, in reading order."""
    for child in container:
        name = local_name(child.tag)
        if name == "p":
            text = _paragraph_text(child, w)
            if text.strip():
                yield Paragraph(text)
        elif name == "tbl":
            yield from table_blocks(child, w)
        elif name in TRANSPARENT or name == "AlternateContent" or name == "Choice":
            yield from body_blocks(child, w)
        elif name == "altChunk" and w.alt_chunk is not None:
            rid = child.get(f"{{{R}}}id") or child.get(f"{{{R_STRICT}}}id") or ""
            yield from w.alt_chunk(rid)


def _paragraph_text(p: etree._Element, w: Names) -> str:
    """All visible text of a paragraph: every w:t however deeply nested, breaks and tabs kept."""
    t, tab, br, cr, nbh, sym, ptab = (
        w("t"),
        w("tab"),
        w("br"),
        w("cr"),
        w("noBreakHyphen"),
        w("sym"),
        w("ptab"),
    )
    parts: list[str] = []
    for el in p.iter(t, tab, br, cr, nbh, sym, ptab):
        tag = el.tag
        if tag == t:
            if el.text:
                parts.append(el.text)
        elif tag in (tab, ptab):
            # a w:tab inside pPr/tabs is a tab stop definition, not a character
            parent = el.getparent()
            if parent is None or parent.tag != w("tabs"):
                parts.append("\t")
        elif tag in (br, cr):
            parts.append("\n")
        elif tag == nbh:
            parts.append("-")
        elif tag == sym:
            char = el.get(w("char"))
            if char:
                try:
                    code = int(char, 16)
                    parts.append(chr(code - 0xF000 if code >= 0xF000 else code))
                except ValueError:
                    pass
    text = "".join(parts)
    if w.numbering is not None:
        label = w.numbering.label(p)
        if label:
            text = label + text
    return text


def cell_blocks(tc: etree._Element, w: Names) -> list[Block]:
    return list(body_blocks(tc, w))


def table_blocks(tbl: etree._Element, w: Names) -> Iterator[Block]:
    """The table as a grid, followed by the tables nested in its cells.

    A one-column table is a frame, not data (a box around the title, or around the whole
    report with the real tables inside): its cells are unwrapped into paragraphs and tables,
    so the title search and the mapper see them in reading order.
    """
    rows, per_cell = table_grid(tbl, w, lambda tc: cell_blocks(tc, w))
    width = max((len(r) for r in rows), default=0)
    if width <= 1:
        for blocks in per_cell:
            yield from blocks
        return
    yield Table(rows=rows)
    for blocks in per_cell:
        for b in blocks:
            if isinstance(b, Table):
                yield b
