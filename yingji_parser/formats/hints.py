"""What a reader is told besides the bytes: one frozen value, the same for every format."""

from __future__ import annotations

from dataclasses import dataclass

from yingji_parser.grid import DocType


@dataclass(frozen=True, slots=True)
class ReadHints:
    """The sniffed type and what the transport said about the document.

    ``doc_type`` is decided from the bytes (:mod:`yingji_parser.sniff`) and tells a reader that
    serves several types (DOC/WPS, XLS/XLSX) which one it has. ``content_type`` (the HTTP header)
    and ``filename`` are hints only: the HTML reader takes a charset from the former.
    """

    doc_type: DocType
    content_type: str | None = None
    filename: str | None = None
