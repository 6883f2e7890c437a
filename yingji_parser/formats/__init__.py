"""Format readers: each turns document bytes into a :class:`yingji_parser.grid.Document`.

Every reader has one signature, ``read(data: bytes, hints: ReadHints) -> Document``, and
raises :class:`yingji_parser.errors.ParseError` subclasses for input it refuses. They list their
cells as :class:`yingji_parser.grid.Span` s and let :func:`yingji_parser.grid.expand` build the
grid, so merged cells mean the same in every format. :data:`READERS` is the registry by doc
type; modules are imported lazily so that a missing optional piece (LibreOffice for DOC/WPS)
only affects its own format.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from yingji_parser.formats.hints import ReadHints
from yingji_parser.grid import DocType, Document

__all__ = ["READERS", "ReadHints", "Reader", "reader_for"]


class Reader(Protocol):
    def __call__(self, data: bytes, hints: ReadHints, /) -> Document: ...


# doc type -> module under yingji_parser.formats whose read() reads it
READERS: dict[DocType, str] = {
    "html": "html",
    "text": "text",
    "docx": "docx",
    "doc": "legacy",
    "wps": "legacy",
    "xlsx": "spreadsheet",
    "xls": "spreadsheet",
    "pdf": "pdf",
    "image": "image",
}


def reader_for(doc_type: DocType) -> Reader:
    """The reader of ``doc_type`` (ImportError when its optional dependencies are missing)."""
    module = importlib.import_module(f"yingji_parser.formats.{READERS[doc_type]}")
    reader: Reader = module.read
    return reader
