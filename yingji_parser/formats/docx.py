"""DOCX reader: WordprocessingML straight from the ZIP with lxml, into the shared grid.

Why not python-docx: it is several times slower and its table model does not expand vertical
merges or legacy ``w:hMerge``, while the mapper needs every grid position filled. Reading the XML
directly also lets us follow text wherever Word nests it (hyperlinks, tracked insertions, smart
tags, content controls, simple fields) and drop what Word would not show (deleted text, the
VML fallback copy of a text box), so cell texts are complete and never doubled.

Also used for DOC/WPS after LibreOffice has converted them (see :mod:`.legacy`).
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from yingji_parser.errors import CorruptDocument, ParseError
from yingji_parser.grid import Block, Cell, DocType, Document, Paragraph, Table
from yingji_parser.limits import check_markup, read_member, safe_zip

W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
DC = "http://purl.org/dc/elements/1.1/"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
R_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC_RELS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
)

# libxml2's default limits stay on (huge_tree=False: depth 256, 10 MB text nodes): no real
# report comes near them and they stop pathological XML before Python recursion does.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
)

# Elements whose children are (block-level or row/cell-level) content to walk through as if the
# wrapper were not there: content controls, custom XML, tracked insertions/moves.
_TRANSPARENT = (
    "sdt",
    "sdtContent",
    "customXml",
    "ins",
    "moveTo",
    "smartTag",
    "hyperlink",
    "fldSimple",
)


@dataclass(frozen=True, slots=True)
class _Names:
    """Clark-notation tag names for one WordprocessingML namespace (transitional or strict).

    ``alt_chunk`` reads the blocks of an embedded part (w:altChunk) by relationship id;
    ``numbering`` renders Word's automatic paragraph numbers ("一、", "（二）", "1.").
    """

    ns: str
    alt_chunk: Callable[[str], list[Block]] | None = None
    numbering: _Numbering | None = None
    # hot tag names, precomputed
    ppr: str = field(init=False)
    numpr: str = field(init=False)
    pstyle: str = field(init=False)
    val: str = field(init=False)

    def __post_init__(self) -> None:
        for attr, local in (
            ("ppr", "pPr"),
            ("numpr", "numPr"),
            ("pstyle", "pStyle"),
            ("val", "val"),
        ):
            object.__setattr__(self, attr, f"{{{self.ns}}}{local}")

    def __call__(self, local: str) -> str:
        return _clark(self.ns, local)


def read(data: bytes, doc_type: DocType = "docx", _depth: int = 0) -> Document:
    """Read DOCX bytes into a :class:`Document` (blocks in body order, merges expanded)."""
    zf = safe_zip(data)
    main = _main_part(zf)
    try:
        xml = check_markup(read_member(zf, main), f"the Word document part {main!r}")
    except KeyError as exc:
        raise CorruptDocument(f"the Word file has no main document part ({main})") from exc
    try:
        root = etree.fromstring(xml, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptDocument(f"the Word document XML is damaged ({exc})") from exc
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else W_MAIN
    chunk_hints: list[str] = []  # title hints of imported (altChunk) parts
    w = _Names(
        ns if ns in (W_MAIN, W_STRICT) else W_MAIN,
        alt_chunk=lambda rid: _alt_chunk_blocks(zf, main, rid, _depth, chunk_hints),
        numbering=_Numbering.load(zf, main, ns if ns in (W_MAIN, W_STRICT) else W_MAIN),
    )
    body = root.find(w("body"))
    if body is None:
        raise CorruptDocument("the Word document has no body")
    _drop_invisible(root, w)
    doc = Document(doc_type=doc_type)
    try:
        doc.blocks = list(_blocks(body, w))
    except RecursionError as exc:  # libxml2 caps depth at 256; this is a second guard
        raise CorruptDocument("the Word document is nested too deeply to read") from exc
    title = _core_title(zf)
    if title:
        doc.title_hints.append(title)
    doc.title_hints.extend(h for h in chunk_hints if h not in doc.title_hints)
    if not _has_text(doc) and any(n.startswith("word/media/") for n in zf.namelist()):
        doc.has_text_layer = False  # scanned pages pasted in as pictures: a case for OCR
    return doc


def _has_text(doc: Document) -> bool:
    return any(
        b.text.strip()
        if isinstance(b, Paragraph)
        else any(c.text.strip() for r in b.rows for c in r)
        for b in doc.blocks
    )


def _part_targets(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> package path, from the part's .rels (targets are relative to it)."""
    folder, name = posixpath.split(part)
    try:
        rels = etree.fromstring(
            read_member(zf, posixpath.join(folder, "_rels", name + ".rels"), 4 * 1024 * 1024),
            parser=_PARSER,
        )
    except (KeyError, etree.XMLSyntaxError):
        return {}
    out = {}
    for rel in rels.iter(f"{{{REL}}}Relationship"):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External" or not rel.get("Id"):
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id", "")] = posixpath.normpath(path)
    return out


_MAX_CHUNK_DEPTH = 2


def _alt_chunk_blocks(
    zf: zipfile.ZipFile, main: str, rid: str, depth: int, hints: list[str]
) -> list[Block]:
    """Blocks of a w:altChunk: an HTML, MHT or DOCX part Word imports at that place.

    Some CMS exports are nothing but an altChunk wrapping the report as HTML; reading it with
    the HTML reader keeps those tables. Anything unreadable is skipped, never fatal.
    """
    if depth >= _MAX_CHUNK_DEPTH:
        return []
    path = _part_targets(zf, main).get(rid)
    if not path:
        return []
    try:
        data = read_member(zf, path)
    except (KeyError, ParseError):
        return []
    try:
        if data.startswith(b"PK"):
            chunk = read(data, _depth=depth + 1)
        else:
            from yingji_parser import sniff
            from yingji_parser.formats import html

            unwrapped = sniff.mht_html(data)
            body, charset = unwrapped if unwrapped else (data, None)
            content_type = f"text/html; charset={charset}" if charset else None
            chunk = html.read(body, content_type)
        hints.extend(chunk.title_hints)
        return chunk.blocks
    except (ParseError, ImportError, ValueError, etree.LxmlError):
        return []


def _main_part(zf: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (usually word/document.xml)."""
    try:
        rels = etree.fromstring(read_member(zf, "_rels/.rels", 1024 * 1024), parser=_PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return "word/document.xml"
    for rel in rels.iter(f"{{{REL}}}Relationship"):
        if rel.get("Type") in OFFICE_DOC_RELS and rel.get("Target"):
            return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    return "word/document.xml"


def _core_title(zf: zipfile.ZipFile) -> str | None:
    """dc:title of docProps/core.xml: authors sometimes fill it with the report title."""
    try:
        core = etree.fromstring(read_member(zf, "docProps/core.xml", 1024 * 1024), parser=_PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return None
    except Exception:  # a damaged optional part never fails the document
        return None
    el = core.find(f"{{{DC}}}title")
    text = (el.text or "").strip() if el is not None else ""
    return text or None


def _drop_invisible(root: etree._Element, w: _Names) -> None:
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


_LOCAL: dict[str, str] = {}


@functools.lru_cache(maxsize=512)
def _clark(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def _local(tag: object) -> str:
    """Local name of a Clark tag (comments and PIs have none); cached, it is asked per node."""
    if not isinstance(tag, str):
        return ""
    try:
        return _LOCAL[tag]
    except KeyError:
        name = tag.split("}", 1)[1] if "}" in tag else tag
        if len(_LOCAL) < 10_000:
            _LOCAL[tag] = name
        return name


def _blocks(container: etree._Element, w: _Names) -> Iterator[Block]:
    """Paragraphs and tables of a body, cell or content control, in reading order."""
    for child in container:
        name = _local(child.tag)
        if name == "p":
            text = _paragraph_text(child, w)
            if text.strip():
                yield Paragraph(text)
        elif name == "tbl":
            yield from _table_blocks(child, w)
        elif name in _TRANSPARENT or name == "AlternateContent" or name == "Choice":
            yield from _blocks(child, w)
        elif name == "altChunk" and w.alt_chunk is not None:
            rid = child.get(f"{{{R}}}id") or child.get(f"{{{R_STRICT}}}id") or ""
            yield from w.alt_chunk(rid)


def _paragraph_text(p: etree._Element, w: _Names) -> str:
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


def _cell_blocks(tc: etree._Element, w: _Names) -> list[Block]:
    return list(_blocks(tc, w))


def _cell_text(blocks: list[Block]) -> str:
    """A cell's paragraphs joined by newlines; a nested table flattened row by row."""
    lines: list[str] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            lines.append(b.text)
        else:
            lines.extend("\t".join(c.text for c in row if not c.merged) for row in b.rows)
    return "\n".join(lines).strip("\n")


def _children(el: etree._Element, want: str) -> Iterator[etree._Element]:
    """Direct children named ``want``, looking through sdt/customXml/ins wrappers."""
    for child in el:
        name = _local(child.tag)
        if name == want:
            yield child
        elif name in _TRANSPARENT:
            yield from _children(child, want)


def _val(el: etree._Element | None, w: _Names, default: str | None = None) -> str | None:
    if el is None:
        return default
    return el.get(w("val"), default)


def _int_val(el: etree._Element | None, w: _Names, default: int) -> int:
    raw = _val(el, w)
    try:
        return max(0, int(raw)) if raw is not None else default
    except ValueError:
        return default


def _twips(raw: str | None) -> int:
    try:
        return max(0, int(float(raw or 0)))
    except ValueError:
        return 0


_MAX_SPAN = 1000  # a damaged gridSpan must not allocate millions of cells


def _table_blocks(tbl: etree._Element, w: _Names) -> Iterator[Block]:
    """The table as a grid, followed by the tables nested in its cells.

    A one-column table is a frame, not data (a box around the title, or around the whole
    report with the real tables inside): its cells are unwrapped into paragraphs and tables,
    so the title search and the mapper see them in reading order.
    """
    rows, cell_blocks = _grid(tbl, w)
    width = max((len(r) for r in rows), default=0)
    if width <= 1:
        for blocks in cell_blocks:
            yield from blocks
        return
    yield Table(rows=rows)
    for blocks in cell_blocks:
        for b in blocks:
            if isinstance(b, Table):
                yield b


def _grid(tbl: etree._Element, w: _Names) -> tuple[list[list[Cell]], list[list[Block]]]:
    """Expand a w:tbl into equal-length rows of cells.

    Positions follow the table grid: w:gridBefore/w:gridAfter skip grid columns, w:gridSpan and
    legacy w:hMerge widen a cell, w:vMerge continues the cell above. Every covered position gets
    the cell's text, ``merged=True`` on all but the top-left one.
    """
    col_widths = [_twips(g.get(w("w"))) for g in tbl.iterfind(f"{w('tblGrid')}/{w('gridCol')}")]
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
    for tr in _children(tbl, "tr"):
        trpr = tr.find(w("trPr"))
        if trpr is not None and trpr.find(w("del")) is not None:
            continue  # a row deleted with change tracking on
        before = _int_val(trpr.find(w("gridBefore")) if trpr is not None else None, w, 0)
        row: list[tuple[int | None, str]] = [(None, "")] * min(before, _MAX_SPAN)
        for tc in _children(tr, "tc"):
            span = 1
            vmerge = hmerge = None
            tcpr = tc[0] if len(tc) and tc[0].tag == tcpr_tag else tc.find(tcpr_tag)
            if tcpr is not None:
                for prop in tcpr:  # one pass over the few properties instead of three finds
                    tag = prop.tag
                    if tag == span_tag:
                        span = min(max(_int_val(prop, w, 1), 1), _MAX_SPAN)
                    elif tag == vmerge_tag:
                        vmerge = prop.get(w.val, "continue")
                    elif tag == hmerge_tag:
                        hmerge = prop.get(w.val, "continue")
            blocks = _cell_blocks(tc, w)
            cell_blocks.append(blocks)
            col = len(row)
            if hmerge == "continue" and row and row[-1][0] is not None:
                row.extend([row[-1]] * span)  # legacy horizontal merge: part of the left cell
                continue
            above = rows[-1] if rows else []
            if vmerge == "continue" and col < len(above) and above[col][0] is not None:
                row.extend([above[col]] * span)  # vertical merge: the cell above goes on
                continue
            row.extend([(next_id, _cell_text(blocks))] * span)
            next_id += 1
        rows.append(row)
    width = max(grid_cols, max((len(r) for r in rows), default=0))
    for r in rows:
        r.extend([(None, "")] * (width - len(r)))
    keep = _needed_columns(rows, width, col_widths)
    seen: set[int] = set()
    out: list[list[Cell]] = []
    for r in rows:
        cells = []
        for i in keep:
            origin, text = r[i]
            cells.append(Cell(text, merged=origin is not None and origin in seen))
            if origin is not None:
                seen.add(origin)
        out.append(cells)
    return out, cell_blocks


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


# --- automatic numbering -------------------------------------------------------------------
# Headings ("一、总体情况") and row labels ("1.属于国家秘密") are often Word list numbers, kept in
# numbering.xml rather than in the text. The mapper finds rows and sections by these labels, so
# the numbers are rendered the way Word shows them.

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))  # fmt: skip


def _chinese(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 105 -> 一百零五 (enough for list numbers)."""
    if n <= 0 or n >= 10000:
        return str(n)
    out = ""
    zero = False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // power % 10
        if d:
            if zero:
                out += digits[0]
            out += ("" if (d == 1 and power == 10 and not out) else digits[d]) + unit
            zero = False
        elif out:
            zero = True
    return out


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA (Word repeats the letter)."""
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def format_number(n: int, fmt: str) -> str:
    """A list counter in a w:numFmt format, as Word displays it."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting",
               "taiwaneseCountingThousand", "japaneseCounting", "ideographDigital"):  # fmt: skip
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾佰仟")
    if fmt in ("ideographTraditional",):
        return _HEAVENLY_STEMS[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _EARTHLY_BRANCHES[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return f"{n}."
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)  # decimal and anything unknown


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass(slots=True)
class _Numbering:
    """numbering.xml and the numbered paragraph styles of styles.xml, plus list counters."""

    w: _Names
    levels: dict[str, dict[int, _Level]]  # numId -> ilvl -> level (overrides applied)
    style_num: dict[str, tuple[str, int]]  # paragraph style id -> (numId, ilvl)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, zf: zipfile.ZipFile, main: str, ns: str) -> _Numbering | None:
        w = _Names(ns)
        targets = _part_targets(zf, main)
        folder = posixpath.dirname(main)
        num_path = next((v for v in targets.values() if v.endswith("numbering.xml")), None)
        numbering = _xml_part(zf, num_path or posixpath.join(folder, "numbering.xml"))
        if numbering is None:
            return None
        abstract: dict[str, dict[int, _Level]] = {}
        for an in numbering.iterfind(w("abstractNum")):
            abstract[an.get(w("abstractNumId"), "")] = {
                _int_attr(lvl, w("ilvl")): _level(lvl, w) for lvl in an.iterfind(w("lvl"))
            }
        levels: dict[str, dict[int, _Level]] = {}
        for num in numbering.iterfind(w("num")):
            aid = _val(num.find(w("abstractNumId")), w, "") or ""
            lv = {k: _Level(v.start, v.fmt, v.text) for k, v in abstract.get(aid, {}).items()}
            for ov in num.iterfind(w("lvlOverride")):
                ilvl = _int_attr(ov, w("ilvl"))
                lvl = ov.find(w("lvl"))
                if lvl is not None:
                    lv[ilvl] = _level(lvl, w)
                start = ov.find(w("startOverride"))
                if start is not None:
                    lv.setdefault(ilvl, _Level()).start = _int_val(start, w, 1)
            levels[num.get(w("numId"), "")] = lv
        styles_path = next((v for v in targets.values() if v.endswith("/styles.xml")), None)
        style_num = _numbered_styles(zf, styles_path or posixpath.join(folder, "styles.xml"), w)
        return cls(w, levels, style_num)

    def label(self, p: etree._Element) -> str:
        """The number Word shows before paragraph ``p`` (advancing the list), or ""."""
        w = self.w
        ppr = p.find(w.ppr)
        if ppr is None:
            return ""
        npr = ppr.find(w.numpr)
        num_id: str | None = None
        ilvl = 0
        if self.style_num:
            pstyle = ppr.find(w.pstyle)
            if pstyle is not None:
                num_id, ilvl = self.style_num.get(pstyle.get(w.val, ""), (None, 0))
        if npr is not None:
            num_id = _val(npr.find(w("numId")), w) or num_id
            ilvl = _int_val(npr.find(w("ilvl")), w, ilvl)
        if not num_id or num_id == "0" or num_id not in self.levels:
            return ""
        levels = self.levels[num_id]
        level = levels.get(ilvl)
        if level is None:
            return ""
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]  # a higher level restarts the ones below it
        if level.fmt == "bullet":
            return ""

        def number(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k, _Level())
            return format_number(counts.get(k, lv.start), lv.fmt)

        label = re.sub(r"%([1-9])", number, level.text)
        if label and label[-1].isalnum():
            label += " "  # Word separates "1" from the text with a tab
        return label


_SNIPPET_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, recover=True, remove_comments=True
)


def _numbered_styles(zf: zipfile.ZipFile, path: str, w: _Names) -> dict[str, tuple[str, int]]:
    """Paragraph style id -> (numId, ilvl) for the styles that carry a list number.

    styles.xml is often hundreds of KB (Word's full latent-style table) and parsing it would
    triple the cost of a DOCX, so only the few w:style elements that mention numPr are cut out
    and parsed; an unusual namespace prefix falls back to parsing the whole part.
    """
    try:
        raw = read_member(zf, path)
    except (KeyError, ParseError):
        return {}
    if b"numPr" not in raw:
        return {}
    root: etree._Element | None = None
    if f'xmlns:w="{w.ns}"'.encode() in raw[:4096]:
        snippets: dict[int, bytes] = {}
        pos = raw.find(b"numPr")
        while pos >= 0:
            start = raw.rfind(b"<w:style ", 0, pos)
            end = raw.find(b"</w:style>", pos)
            if start >= 0 and end >= 0:
                snippets.setdefault(start, raw[start : end + len(b"</w:style>")])
            pos = raw.find(b"numPr", max(pos + 5, end))
        wrapped = f'<styles xmlns:w="{w.ns}">'.encode() + b"".join(snippets.values()) + b"</styles>"
        try:
            root = etree.fromstring(wrapped, parser=_SNIPPET_PARSER)
        except etree.XMLSyntaxError:
            root = None
    if root is None:
        root = _xml_part(zf, path)
    if root is None:
        return {}
    out: dict[str, tuple[str, int]] = {}
    for st in root.iter(w("style")):
        npr = st.find(f"{w('pPr')}/{w('numPr')}")
        if npr is not None:
            num_id = _val(npr.find(w("numId")), w)
            if num_id:
                out[st.get(w("styleId"), "")] = (num_id, _int_val(npr.find(w("ilvl")), w, 0))
    return out


def _level(lvl: etree._Element, w: _Names) -> _Level:
    text_el = lvl.find(w("lvlText"))
    return _Level(
        start=_int_val(lvl.find(w("start")), w, 1),
        fmt=_val(lvl.find(w("numFmt")), w, "decimal") or "decimal",
        text=(text_el.get(w("val"), "") if text_el is not None else "%1."),
    )


def _int_attr(el: etree._Element, name: str) -> int:
    try:
        return int(el.get(name, "0"))
    except ValueError:
        return 0


def _xml_part(zf: zipfile.ZipFile, path: str) -> etree._Element | None:
    """An optional XML part, or None when it is absent or damaged (never fatal)."""
    try:
        return etree.fromstring(read_member(zf, path), parser=_PARSER)
    except (KeyError, ParseError, etree.XMLSyntaxError):
        return None
