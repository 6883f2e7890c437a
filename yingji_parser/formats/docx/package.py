"""The DOCX package: its parts (main document, relationships, core properties) out of the ZIP."""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

from yingji_parser.errors import ParseError
from yingji_parser.formats.docx.xml import DC, OFFICE_DOC_RELS, REL, XML_PARSER
from yingji_parser.limits import read_member


def part_targets(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> package path, from the part's .rels (targets are relative to it)."""
    folder, name = posixpath.split(part)
    try:
        rels = etree.fromstring(
            read_member(zf, posixpath.join(folder, "_rels", name + ".rels"), 4 * 1024 * 1024),
            parser=XML_PARSER,
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


def main_part(zf: zipfile.ZipFile) -> str:
    """The main document part named by the package relationships (usually word/document.xml)."""
    try:
        rels = etree.fromstring(read_member(zf, "_rels/.rels", 1024 * 1024), parser=XML_PARSER)
    except (KeyError, etree.XMLSyntaxError):
        return "word/document.xml"
    for rel in rels.iter(f"{{{REL}}}Relationship"):
        if rel.get("Type") in OFFICE_DOC_RELS and rel.get("Target"):
            return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    return "word/document.xml"


def core_title(zf: zipfile.ZipFile) -> str | None:
    """dc:title of docProps/core.xml: authors sometimes fill it with the report title."""
    try:
        core = etree.fromstring(
            read_member(zf, "docProps/core.xml", 1024 * 1024), parser=XML_PARSER
        )
    except (KeyError, etree.XMLSyntaxError):
        return None
    except Exception:  # a damaged optional part never fails the document
        return None
    el = core.find(f"{{{DC}}}title")
    text = (el.text or "").strip() if el is not None else ""
    return text or None


def xml_part(zf: zipfile.ZipFile, path: str) -> etree._Element | None:
    """An optional XML part, or None when it is absent or damaged (never fatal)."""
    try:
        return etree.fromstring(read_member(zf, path), parser=XML_PARSER)
    except (KeyError, ParseError, etree.XMLSyntaxError):
        return None
