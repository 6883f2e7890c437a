"""DOC (Word 97), WPS (Kingsoft / Works), RTF and ODT: LibreOffice to DOCX, then .docx.

No Python library reads Word 97 tables with their merges reliably; LibreOffice does, and its
DOCX output goes through the same reader as native DOCX so both give the same grid.

The conversion runs in this process's pool of warm LibreOffice converters
(:mod:`yingji_parser.convert`): each has its own profile, a conversion has a time limit
(``timed_out``) and a memory limit (``too_large``), and a converter that fails is replaced.
What it is given is checked first: containers and XML by :mod:`yingji_parser.limits`, RTF by
:mod:`yingji_parser.formats.legacy_rtf`.
"""

from __future__ import annotations

from yingji_parser.convert import MISSING_MESSAGE, SOFFICE_ENV, find_soffice, shared_pool
from yingji_parser.formats import docx
from yingji_parser.formats.hints import ReadHints
from yingji_parser.formats.legacy_rtf import check_rtf, is_rtf
from yingji_parser.grid import DocType, Document
from yingji_parser.limits import check_before_conversion

__all__ = [
    "DEFAULT_TIMEOUT",
    "MISSING_MESSAGE",
    "SOFFICE_ENV",
    "convert_to_docx",
    "find_soffice",
    "read",
]

#: Seconds one conversion may take before it is stopped.
DEFAULT_TIMEOUT = 60.0
#: LibreOffice's export filter for DOCX.
DOCX_FILTER = "MS Word 2007 XML"


def _suffix(data: bytes, doc_type: DocType) -> str:
    """File extension for the input so LibreOffice picks the right import filter quickly."""
    head = data[:64].lstrip()
    if head.startswith(b"{\\rtf"):
        return ".rtf"
    if head.startswith(b"PK"):
        return ".odt"
    if head.startswith(b"<"):
        return ".xml"
    return ".wps" if doc_type == "wps" else ".doc"


def convert_to_docx(
    data: bytes, doc_type: DocType = "doc", timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """Convert a legacy word-processing document to DOCX bytes with a warm LibreOffice."""
    return shared_pool().convert(data, _suffix(data, doc_type), "docx", DOCX_FILTER, timeout)


DOC = ReadHints("doc")


def read(data: bytes, hints: ReadHints = DOC, timeout: float = DEFAULT_TIMEOUT) -> Document:
    """Read a DOC/WPS (or RTF/ODT sniffed as ``doc``) into the grid via DOCX."""
    check_before_conversion(data)  # ODT bombs, XML entities: refused before LibreOffice
    if is_rtf(data):
        check_rtf(data)  # RTF floods, deep nesting, garbage: likewise
    converted = convert_to_docx(data, hints.doc_type, timeout=timeout)
    doc = docx.read(converted, hints)
    return doc
