"""Document type from the bytes, never from the extension (placeholder, to be completed)."""

from __future__ import annotations

from yingji_parser.errors import UnsupportedFormat
from yingji_parser.grid import DocType


def sniff(data: bytes, filename: str | None = None, content_type: str | None = None) -> DocType:
    head = data[:2048].lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    low = head.lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in data[:65536].lower() or b"<p" in low:
        return "html"
    if b"\x00" not in data[:4096]:
        return "text"
    raise UnsupportedFormat("not a document type yingji can read")
