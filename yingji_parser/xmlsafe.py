"""XML a reader or converter may be given: no entities, no external references, bounded shape.

The DOCX reader parses with lxml and never expands entities, but XLSX goes through openpyxl and
ODT, flat ODT (FODT) and Word 2003 XML go through LibreOffice, whose parsers we do not
configure. So before either sees a document, :func:`scan_xml` streams its XML once through
defusedxml's SAX parser (expat): a DTD that declares entities (billion laughs) or refers to
anything outside the document (XXE) is refused, and so are more elements or deeper nesting than
any report has, and, for worksheets, more cells than a report table (declared by
``<dimension ref=…>`` or counted while streaming). A refusal stops the scan at once, so its
cost is bounded by the limit it hit, not by the document.

Real office documents never declare entities: OOXML forbids DTDs and neither Word nor
LibreOffice writes them.
"""

from __future__ import annotations

import io
import re
import xml.sax
import xml.sax.handler
from dataclasses import dataclass
from typing import IO

from yingji_parser.errors import CorruptDocument, TooLarge

#: Elements in one XML part. A 30-page report with its tables is ~50,000; a bomb of empty
#: elements would cost LibreOffice gigabytes long before it ran out.
MAX_XML_ELEMENTS = 1_000_000
#: Nesting depth (libxml2's own default limit, which the DOCX reader keeps on).
MAX_XML_DEPTH = 256
#: Cells in one worksheet: a report's tables have a few hundred; 2 million took 59 s and 1 GB.
MAX_SHEET_CELLS = 200_000

_CELL_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})")


@dataclass(frozen=True, slots=True)
class XmlShape:
    """What a scan saw: elements, deepest nesting and (for worksheets) cells."""

    elements: int
    depth: int
    cells: int


class _Stop(Exception):
    """Raised inside the SAX handler to end a scan with a ParseError."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def cells_of_range(ref: str) -> int:
    """Cells a worksheet's ``<dimension ref="A1:XFD1048576">`` declares (0 when unreadable)."""
    ends = ref.upper().replace("$", "").split(":")
    points = [_CELL_REF.fullmatch(e) for e in ends]
    if not points or any(p is None for p in points):
        return 0

    def column(letters: str) -> int:
        n = 0
        for ch in letters:
            n = n * 26 + ord(ch) - 64
        return n

    cols = [column(p.group(1)) for p in points if p]
    rows = [int(p.group(2)) for p in points if p]
    return (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1)


class _Shape(xml.sax.handler.ContentHandler):
    def __init__(self, what: str, max_elements: int, max_depth: int, max_cells: int | None):
        super().__init__()
        self.what, self.max_elements, self.max_depth = what, max_elements, max_depth
        self.max_cells = max_cells
        self.elements = self.depth = self.deepest = self.cells = 0

    def startElement(self, name: str, attrs: xml.sax.xmlreader.AttributesImpl) -> None:
        self.elements += 1
        self.depth += 1
        self.deepest = max(self.deepest, self.depth)
        if self.elements > self.max_elements:
            raise _Stop(
                TooLarge(f"{self.what} has over {self.max_elements:,} XML elements; refused")
            )
        if self.depth > self.max_depth:
            raise _Stop(
                TooLarge(f"{self.what} nests XML over {self.max_depth} levels deep; refused")
            )
        if self.max_cells is None:
            return
        local = name.rsplit(":", 1)[-1]
        if local == "c":
            self.cells += 1
            if self.cells > self.max_cells:
                raise _Stop(self._too_many(f"over {self.max_cells:,}"))
        elif local == "dimension":
            declared = cells_of_range(attrs.get("ref", ""))
            if declared > self.max_cells:
                raise _Stop(self._too_many(f"{declared:,} (by its <dimension>)"))

    def _too_many(self, count: str) -> TooLarge:
        return TooLarge(
            f"{self.what} spans {count} cells, over the limit of {self.max_cells:,}; "
            "refused before loading"
        )

    def endElement(self, name: str) -> None:
        self.depth -= 1


def scan_xml(
    source: bytes | IO[bytes],
    what: str,
    *,
    max_elements: int = MAX_XML_ELEMENTS,
    max_depth: int = MAX_XML_DEPTH,
    max_cells: int | None = None,
    counted: int = 0,
) -> XmlShape:
    """Stream ``source`` once; refuse entities, external references and oversized shapes.

    ``what`` names the part in messages ("the worksheet xl/worksheets/sheet1.xml"); with
    ``max_cells`` the part is taken for a worksheet and its cells are counted. ``counted``:
    elements seen in earlier parts of the same document, so that ``max_elements`` caps the whole.
    Raises :class:`CorruptDocument` (entities, external references, malformed XML) or
    :class:`TooLarge` (elements, depth, cells).
    """
    # here, not at the top: defusedxml.sax imports xml.sax.saxutils and with it urllib.request,
    # http.client, email and ssl, which a PDF never needs (`yingji parse` start-up)
    import defusedxml.sax
    from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden

    handler = _Shape(what, max_elements, max_depth, max_cells)
    handler.elements = counted
    parser = defusedxml.sax.make_parser()  # forbids entity declarations and external references
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setFeature(xml.sax.handler.feature_external_pes, False)
    parser.setContentHandler(handler)
    try:
        parser.parse(io.BytesIO(source) if isinstance(source, bytes) else source)
    except _Stop as stop:
        raise stop.error from None
    except (EntitiesForbidden, DTDForbidden) as exc:
        raise CorruptDocument(
            f"{what} declares XML entities ({exc.name or 'a DTD'}): a billion-laughs or "
            "external-entity attack, refused before reading"
        ) from None
    except DefusedXmlException as exc:  # ExternalReferenceForbidden, NotSupportedError
        raise CorruptDocument(
            f"{what} refers to an external resource ({type(exc).__name__}); refused"
        ) from None
    except (xml.sax.SAXException, ValueError) as exc:  # ValueError: "multi-byte encodings …"
        transcoded = _as_utf8(source) if "encoding" in str(exc) else None
        if transcoded is not None:
            return scan_xml(
                transcoded,
                what,
                max_elements=max_elements,
                max_depth=max_depth,
                max_cells=max_cells,
                counted=counted,
            )
        raise CorruptDocument(f"{what} is not well-formed XML ({exc})") from None
    return XmlShape(handler.elements - counted, handler.deepest, handler.cells)


_DECLARED = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._-]+)(["'])""")


def _as_utf8(source: bytes | IO[bytes]) -> bytes | None:
    """``source`` re-encoded as UTF-8 when it declares an encoding expat lacks (GB2312, GBK).

    Expat knows UTF-8/16 and Latin-1 only; Chinese tools sometimes declare GB2312 in flat XML.
    None when the bytes are not in memory, or the encoding is unknown to Python as well.
    """
    if not isinstance(source, bytes):
        return None
    found = _DECLARED.match(source)
    if found is None:
        return None
    try:
        text = source[found.end() :].decode(found.group(2).decode("ascii"))
    except (LookupError, UnicodeDecodeError):
        return None
    return found.group(1) + b"utf-8" + found.group(3) + text.encode("utf-8")


#: Where a prolog ends: the root element's start tag (a ``<`` followed by a name character).
_ROOT_START = re.compile(rb"<[A-Za-z_:\x80-\xff]")


def refuse_entities(xml: bytes, what: str) -> bytes:
    """Refuse XML whose DOCTYPE declares entities or names an external DTD; return ``xml``.

    For parsers that already ignore entities (the DOCX reader's lxml): they are never expanded
    there, but a document that declares them is an attack, not a report, and is refused with
    the same reason as in XLSX or ODT. Only the prolog is looked at (a DTD can only stand
    before the root element), so the cost is the prolog's, whatever the document's size.
    """
    head = xml
    if xml.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: look at it as UTF-8
        head = xml[: 1 << 20].decode("utf-16", errors="ignore").encode("utf-8")
    root = _ROOT_START.search(head)
    prolog = head[: root.start()] if root else head
    doctype = prolog.find(b"<!DOCTYPE")
    if doctype < 0:
        return xml
    dtd = prolog[doctype:]
    if b"<!ENTITY" in dtd:
        raise CorruptDocument(
            f"{what} declares XML entities: a billion-laughs or external-entity attack, "
            "refused before reading"
        )
    if re.match(rb"<!DOCTYPE\s+[^\s>\[]+\s+(SYSTEM|PUBLIC)\b", dtd):
        raise CorruptDocument(f"{what} refers to an external DTD; refused before reading")
    return xml
