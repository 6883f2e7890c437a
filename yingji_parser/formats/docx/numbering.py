"""Automatic paragraph numbers: numbering.xml, numbered styles and the list counters.

Headings ("一、总体情况") and row labels ("1.属于国家秘密") are often Word list numbers, kept in
numbering.xml rather than in the text. The mapper finds rows and sections by these labels, so
the numbers are rendered the way Word shows them.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from yingji_parser.errors import ParseError
from yingji_parser.formats.docx.numbers import format_number
from yingji_parser.formats.docx.package import part_targets, xml_part
from yingji_parser.formats.docx.xml import Names, attr_val, int_val
from yingji_parser.limits import read_member


@dataclass(slots=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass(slots=True)
class Numbering:
    """numbering.xml and the numbered paragraph styles of styles.xml, plus list counters."""

    w: Names
    levels: dict[str, dict[int, _Level]]  # numId -> ilvl -> level (overrides applied)
    style_num: dict[str, tuple[str, int]]  # paragraph style id -> (numId, ilvl)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, zf: zipfile.ZipFile, main: str, ns: str) -> Numbering | None:
        w = Names(ns)
        targets = part_targets(zf, main)
        folder = posixpath.dirname(main)
        num_path = next((v for v in targets.values() if v.endswith("numbering.xml")), None)
        numbering = xml_part(zf, num_path or posixpath.join(folder, "numbering.xml"))
        if numbering is None:
            return None
        abstract: dict[str, dict[int, _Level]] = {}
        for an in numbering.iterfind(w("abstractNum")):
            abstract[an.get(w("abstractNumId"), "")] = {
                _int_attr(lvl, w("ilvl")): _level(lvl, w) for lvl in an.iterfind(w("lvl"))
            }
        levels: dict[str, dict[int, _Level]] = {}
        for num in numbering.iterfind(w("num")):
            aid = attr_val(num.find(w("abstractNumId")), w, "") or ""
            lv = {k: _Level(v.start, v.fmt, v.text) for k, v in abstract.get(aid, {}).items()}
            for ov in num.iterfind(w("lvlOverride")):
                ilvl = _int_attr(ov, w("ilvl"))
                lvl = ov.find(w("lvl"))
                if lvl is not None:
                    lv[ilvl] = _level(lvl, w)
                start = ov.find(w("startOverride"))
                if start is not None:
                    lv.setdefault(ilvl, _Level()).start = int_val(start, w, 1)
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
            num_id = attr_val(npr.find(w("numId")), w) or num_id
            ilvl = int_val(npr.find(w("ilvl")), w, ilvl)
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


def _numbered_styles(zf: zipfile.ZipFile, path: str, w: Names) -> dict[str, tuple[str, int]]:
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
        root = xml_part(zf, path)
    if root is None:
        return {}
    out: dict[str, tuple[str, int]] = {}
    for st in root.iter(w("style")):
        npr = st.find(f"{w('pPr')}/{w('numPr')}")
        if npr is not None:
            num_id = attr_val(npr.find(w("numId")), w)
            if num_id:
                out[st.get(w("styleId"), "")] = (num_id, int_val(npr.find(w("ilvl")), w, 0))
    return out


def _level(lvl: etree._Element, w: Names) -> _Level:
    text_el = lvl.find(w("lvlText"))
    return _Level(
        start=int_val(lvl.find(w("start")), w, 1),
        fmt=attr_val(lvl.find(w("numFmt")), w, "decimal") or "decimal",
        text=(text_el.get(w("val"), "") if text_el is not None else "%1."),
    )


def _int_attr(el: etree._Element, name: str) -> int:
    try:
        return int(el.get(name, "0"))
    except ValueError:
        return 0
