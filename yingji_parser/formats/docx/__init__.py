"""DOCX reader: WordprocessingML straight from the ZIP with lxml, into the shared grid.

Why not python-docx: it is several times slower and its table model does not expand vertical
merges or legacy ``w:hMerge``, while the mapper needs every grid position filled. Reading the XML
directly also lets us follow text wherever Word nests it (hyperlinks, tracked insertions, smart
tags, content controls, simple fields) and drop what Word would not show (deleted text, the
VML fallback copy of a text box), so cell texts are complete and never doubled.

Also used for DOC/WPS after LibreOffice has converted them (:mod:`yingji_parser.formats.legacy`).
One job per module: :mod:`.package` (the ZIP's parts), :mod:`.body` (paragraphs, the text Word
shows), :mod:`.tables` (merges to the grid), :mod:`.numbering` and :mod:`.numbers` (list
labels), :mod:`.xml` (names and helpers).
"""

from __future__ import annotations

import zipfile

from lxml import etree

from yingji_parser.errors import CorruptDocument, ParseError
from yingji_parser.formats.docx.body import body_blocks, drop_invisible
from yingji_parser.formats.docx.numbering import Numbering
from yingji_parser.formats.docx.numbers import format_number
from yingji_parser.formats.docx.package import core_title, main_part, part_targets
from yingji_parser.formats.docx.xml import W_MAIN, W_STRICT, XML_PARSER, Names
from yingji_parser.formats.hints import ReadHints
from yingji_parser.grid import Block, Document, Paragraph
from yingji_parser.limits import check_markup, read_member, safe_zip
from yingji_parser.xmlsafe import refuse_entities

__all__ = ["format_number", "read"]

DOCX = ReadHints("docx")


def read(data: bytes, hints: ReadHints = DOCX) -> Document:
    """Read DOCX bytes into a :class:`Document` (blocks in body order, merges expanded).

    ``hints.doc_type`` is the type the document came as: "doc"/"wps" once LibreOffice has
    converted it.
    """
    return _read(data, hints, depth=0)


def _read(data: bytes, hints: ReadHints, depth: int) -> Document:
    zf = safe_zip(data)
    main = main_part(zf)
    try:
        what = f"the Word document part {main!r}"
        xml = refuse_entities(check_markup(read_member(zf, main), what), what)
    except KeyError as exc:
        raise CorruptDocument(f"the Word file has no main document part ({main})") from exc
    try:
        root = etree.fromstring(xml, parser=XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptDocument(f"the Word document XML is damaged ({exc})") from exc
    ns = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else W_MAIN
    chunk_hints: list[str] = []  # title hints of imported (altChunk) parts
    w = Names(
        ns if ns in (W_MAIN, W_STRICT) else W_MAIN,
        alt_chunk=lambda rid: _alt_chunk_blocks(zf, main, rid, depth, chunk_hints),
        numbering=Numbering.load(zf, main, ns if ns in (W_MAIN, W_STRICT) else W_MAIN),
    )
    body = root.find(w("body"))
    if body is None:
        raise CorruptDocument("the Word document has no body")
    drop_invisible(root, w)
    doc = Document(doc_type=hints.doc_type)
    try:
        doc.blocks = list(body_blocks(body, w))
    except RecursionError as exc:  # libxml2 caps depth at 256; this is a second guard
        raise CorruptDocument("the Word document is nested too deeply to read") from exc
    title = core_title(zf)
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
    path = part_targets(zf, main).get(rid)
    if not path:
        return []
    try:
        data = read_member(zf, path)
    except (KeyError, ParseError):
        return []
    try:
        if data.startswith(b"PK"):
            chunk = _read(data, DOCX, depth=depth + 1)
        else:
            from yingji_parser import sniff
            from yingji_parser.formats import html

            unwrapped = sniff.mht_html(data)
            body, charset = unwrapped if unwrapped else (data, None)
            content_type = f"text/html; charset={charset}" if charset else None
            chunk = html.read(body, ReadHints("html", content_type=content_type))
        hints.extend(chunk.title_hints)
        return chunk.blocks
    except (ParseError, ImportError, ValueError, etree.LxmlError):
        return []
