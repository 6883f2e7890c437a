"""Every warning code the parser emits, in one place (docs/record.md documents each).

Warnings are how the parser stays honest: whatever it repaired, assumed or could not check is
said in the record, so a consumer can tell a clean parse from a rescued one. Codes are stable
strings; messages are for people and may change.
"""

from __future__ import annotations

from yingji_parser.result import ParseWarning

CODES: dict[str, str] = {
    # consistency (勾稽关系) — the numbers are kept as published
    "check_failed": "a consistency rule of the format does not hold; both sides' numbers are given",
    "check_skipped": "a consistency rule could not be checked because a cell is blank or missing",
    # table shape
    "row_missing": "a row of the format is not in the document; its values are null",
    "row_too_long": "a table row has more value cells than the format; the extra ones were dropped",
    "row_too_short": "a table row has fewer value cells than the format; the missing ones are null",
    "row_duplicate": "a row of the format appears twice; the first one was kept",
    "section_missing": "a whole table (section 二, 三 or 四) is not in the document",
    "columns_assumed": "column headers could not be aligned with the values; template order used",
    "other_not_split": "（六）其他处理 is one row in a 2021-format report; values went to `other`",
    "label_fuzzy": "a row label matched the format only approximately (typo or shortened label)",
    "number_unreadable": "a value cell holds text that is not a number; the value is null",
    # metadata
    "title_missing": "no report title was found; agency and year may be missing",
    "title_from_hint": "the title was taken from the page/file metadata, not the document text",
    "agency_incomplete": "the agency name in the title names no place; complete it from the site",
    "agency_missing": "no agency name could be read from the title",
    "year_missing": "the reporting year could not be determined",
    "template_assumed": "the format (2019/2021) was decided by the year, the tables being unclear",
    # documents
    "unstructured": "the report has no tables of a national format; only its text is kept",
    "needs_ocr": "the document is a scan without a text layer",
}


def warn(code: str, message: str, where: str = "") -> ParseWarning:
    """Build a warning, refusing codes that docs/record.md does not document."""
    if code not in CODES:
        raise KeyError(f"undocumented warning code {code!r}")
    return ParseWarning(code=code, message=message, where=where)
