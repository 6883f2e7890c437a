"""Image reader: a JPEG or PNG page of a report, read by OCR (:mod:`yingji_parser.ocr`)."""

from __future__ import annotations

from yingji_parser.formats.hints import ReadHints
from yingji_parser.grid import Document


def read(data: bytes, hints: ReadHints) -> Document:
    from yingji_parser.ocr import ocr_images

    return ocr_images([data])
