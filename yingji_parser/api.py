"""The one entry point: document bytes → :class:`ParseResult` (record + status + warnings).

sniff (type from the bytes) → format reader (→ grid :class:`Document`) → metadata, mapping of
二/三/四, free text, consistency checks. Readers refuse bad input with :class:`ParseError`; any
other exception a reader lets slip on hostile bytes is turned into :class:`CorruptDocument` here,
so callers only ever handle ParseError (they record the failure and keep the bytes).
"""

from __future__ import annotations

from typing import Any

from yingji_parser import sniff
from yingji_parser.checks import check_applications, check_review
from yingji_parser.errors import CorruptDocument, ParseError, UnsupportedFormat
from yingji_parser.formats import ReadHints, reader_for
from yingji_parser.grid import Document
from yingji_parser.mapping import map_document
from yingji_parser.metadata import detect_template, read_metadata
from yingji_parser.result import ParseResult, ParseWarning
from yingji_parser.sections import all_text, free_text
from yingji_parser.version import PARSER_VERSION
from yingji_parser.vocabulary import ParseStatus, TableSection, TextSection
from yingji_parser.warnings import warn

FIRST_FORMAT_YEAR = 2019  # reports on earlier years follow no national format


def read(data: bytes, filename: str | None = None, content_type: str | None = None) -> Document:
    """Bytes → grid Document, or ParseError."""
    doc_type = sniff.sniff(data, filename, content_type)
    hints = ReadHints(doc_type, content_type=content_type, filename=filename)
    try:
        reader = reader_for(doc_type)
    except ImportError as exc:
        raise UnsupportedFormat(f"no reader for {doc_type} documents is installed") from exc
    try:
        doc = reader(data, hints)
        if not doc.has_text_layer and doc_type == "pdf":  # a scan: read its images by OCR
            from yingji_parser.ocr import ocr_pdf

            doc = ocr_pdf(data, doc)
        return doc
    except ParseError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise CorruptDocument(f"{doc_type} document too deeply nested or too large") from exc
    except Exception as exc:  # hostile bytes must not escape as anything but ParseError
        raise CorruptDocument(f"{doc_type} document is damaged: {exc}") from exc


def parse_document(
    data: bytes, filename: str | None = None, content_type: str | None = None
) -> ParseResult:
    return build_result(read(data, filename, content_type))


def _base_record(meta_title: str | None, agency: str | None, year: int | None) -> dict[str, Any]:
    return {
        "agency": agency,
        "region": None,  # known only from the site the report was found on (the crawler's)
        "year": year,
        "title": meta_title,
        "template": None,
        **dict.fromkeys(map(str, TableSection)),
        "sections": dict.fromkeys(map(str, TextSection)),
        "warnings": [],
        "parser_version": PARSER_VERSION,
    }


def build_result(doc: Document) -> ParseResult:
    """The record of a read document (pure: no I/O), with its status and warnings."""
    warnings: list[ParseWarning] = [ParseWarning(code, msg) for code, msg in doc.notes]
    meta = read_metadata(doc)
    warnings += meta.warnings
    record = _base_record(meta.title, meta.agency, meta.year)
    status: ParseStatus
    if not doc.has_text_layer:
        warnings.append(warn("needs_ocr", "image-only document: no text layer to read"))
        status = ParseStatus.NEEDS_OCR
    else:
        record["sections"] = free_text(doc)
        template, by_labels = detect_template(doc, meta.year)
        mapped = map_document(doc, template)
        old = meta.year is not None and meta.year < FIRST_FORMAT_YEAR
        pictured = any(code.endswith("tables_as_images") for code, _ in doc.notes)
        if not old and pictured and not any(mapped.found.values()):
            # text around tables that are pictures: the numbers need OCR, not a text parse
            warnings.append(warn("needs_ocr", "the tables are images: no numbers to read"))
            record["unstructured_text"] = all_text(doc)
            status = ParseStatus.NEEDS_OCR
        elif old or not any(mapped.found.values()):
            why = f"a report on {meta.year}" if old else "no table of a national format"
            warnings.append(warn("unstructured", f"{why}: text kept in unstructured_text"))
            record["unstructured_text"] = all_text(doc)
            status = ParseStatus.UNSTRUCTURED
        else:
            if not by_labels:
                warnings.append(
                    warn("template_assumed", f"format {template} assumed from the year", "template")
                )
            record["template"] = template
            record[TableSection.ACTIVE_DISCLOSURE.value] = mapped.active_disclosure
            record[TableSection.APPLICATIONS.value] = mapped.applications
            record[TableSection.REVIEW_LITIGATION.value] = mapped.review_litigation
            warnings += mapped.warnings
            if mapped.found["三"]:
                warnings += check_applications(mapped.applications, template)
            if mapped.found["四"]:
                warnings += check_review(mapped.review_litigation)
            status = ParseStatus.PARSED if mapped.complete else ParseStatus.PARTIAL
    record["warnings"] = [w.to_dict() for w in warnings]
    return ParseResult(
        record=record,
        status=status,
        doc_type=doc.doc_type,
        parser_version=PARSER_VERSION,
        warnings=warnings,
    )
