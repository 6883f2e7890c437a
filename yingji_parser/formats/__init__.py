"""Format readers: each module turns document bytes into a :class:`yingji_parser.grid.Document`.

A reader is ``read(data: bytes) -> Document``; it raises :class:`yingji_parser.errors.ParseError`
subclasses for input it refuses. Modules are imported lazily so that a missing optional piece
(LibreOffice for DOC/WPS) only affects its own format.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from yingji_parser.grid import DocType, Document

# doc type -> module under yingji_parser.formats that provides read()
READERS: dict[str, str] = {
    "html": "html",
    "text": "text",
    "docx": "docx",
    "doc": "legacy",
    "wps": "legacy",
    "xlsx": "spreadsheet",
    "xls": "spreadsheet",
    "pdf": "pdf",
}


def reader_for(doc_type: DocType) -> Callable[[bytes], Document]:
    module = importlib.import_module(f"yingji_parser.formats.{READERS[doc_type]}")
    if doc_type in ("doc", "wps", "xls", "xlsx"):
        return lambda data: module.read(data, doc_type)
    return module.read
