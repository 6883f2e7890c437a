"""The parser's words, spelled once: parse status and the sections of the record.

A status or section key is compared and stored as text by the pipeline, the database and the
export; they are :class:`~enum.StrEnum` s, so ``ParseStatus.PARSED == "parsed"`` and JSON shows
the plain word, while code that names one gets it checked.
"""

from __future__ import annotations

from enum import StrEnum


class ParseStatus(StrEnum):
    """How far a document was read (docs/record.md, "status")."""

    PARSED = "parsed"  # every table of the format found
    PARTIAL = "partial"  # some tables or rows of the format missing
    UNSTRUCTURED = "unstructured"  # no table of a national format (or a report before 2019)
    NEEDS_OCR = "needs_ocr"  # a scan: no text layer to read
    FAILED = "failed"  # refused (set by callers that record a ParseError)


class TableSection(StrEnum):
    """The record's keys for the three tables of the national format (二, 三, 四)."""

    ACTIVE_DISCLOSURE = "active_disclosure"
    APPLICATIONS = "applications"
    REVIEW_LITIGATION = "review_litigation"

    @property
    def numeral(self) -> str:
        """The section's number in the report ("二", "三", "四"), as the mapper knows it."""
        return _NUMERALS[self]

    @property
    def heading(self) -> str:
        """The section's official heading."""
        return _HEADINGS[self]

    @classmethod
    def of_numeral(cls, numeral: str) -> TableSection:
        return next(section for section in cls if section.numeral == numeral)


_NUMERALS = {
    TableSection.ACTIVE_DISCLOSURE: "二",
    TableSection.APPLICATIONS: "三",
    TableSection.REVIEW_LITIGATION: "四",
}
_HEADINGS = {
    TableSection.ACTIVE_DISCLOSURE: "主动公开政府信息情况",
    TableSection.APPLICATIONS: "收到和处理政府信息公开申请情况",
    TableSection.REVIEW_LITIGATION: "行政复议、行政诉讼情况",
}


class TextSection(StrEnum):
    """The record's keys (under ``sections``) for the free-text sections 一, 五 and 六."""

    OVERVIEW = "overview"
    PROBLEMS = "problems"
    OTHER = "other"

    @property
    def numeral(self) -> str:
        return _TEXT_NUMERALS[self]


_TEXT_NUMERALS = {TextSection.OVERVIEW: "一", TextSection.PROBLEMS: "五", TextSection.OTHER: "六"}

#: section numeral -> free-text key, for the section-heading scan
TEXT_SECTIONS: dict[str, TextSection] = {s.numeral: s for s in TextSection}
