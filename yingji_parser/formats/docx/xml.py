"""WordprocessingML names and small XML helpers shared by the DOCX reader's modules.

Both the transitional and the strict namespace are read; :class:`Names` gives the Clark tag
names of whichever one a document uses.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from yingji_parser.grid import Block

if TYPE_CHECKING:
    from yingji_parser.formats.docx.numbering import Numbering

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
XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
)

# Elements whose children are (block-level or row/cell-level) content to walk through as if the
# wrapper were not there: content controls, custom XML, tracked insertions/moves.
TRANSPARENT = (
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
class Names:
    """Clark-notation tag names for one WordprocessingML namespace (transitional or strict).

    ``alt_chunk`` reads the blocks of an embedded part (w:altChunk) by relationship id;
    ``numbering`` renders Word's automatic paragraph numbers ("一、", "（二）", "1.").
    """

    ns: str
    alt_chunk: Callable[[str], list[Block]] | None = None
    numbering: Numbering | None = None
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
        return clark(self.ns, local)


_LOCAL: dict[str, str] = {}


@functools.lru_cache(maxsize=512)
def clark(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


def local_name(tag: object) -> str:
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


def children(el: etree._Element, want: str) -> Iterator[etree._Element]:
    """Direct children named ``want``, looking through sdt/customXml/ins wrappers."""
    for child in el:
        name = local_name(child.tag)
        if name == want:
            yield child
        elif name in TRANSPARENT:
            yield from children(child, want)


def attr_val(el: etree._Element | None, w: Names, default: str | None = None) -> str | None:
    if el is None:
        return default
    return el.get(w("val"), default)


def int_val(el: etree._Element | None, w: Names, default: int) -> int:
    raw = attr_val(el, w)
    try:
        return max(0, int(raw)) if raw is not None else default
    except ValueError:
        return default


def twips(raw: str | None) -> int:
    try:
        return max(0, int(float(raw or 0)))
    except ValueError:
        return 0
