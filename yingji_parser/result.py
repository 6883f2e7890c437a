"""Typed, JSON-serialisable results of a parse.

``ParseResult.record`` is the record of docs/record.md (the project's contract): a plain dict
with the keys ``agency, region, year, title, template, active_disclosure, applications,
review_litigation, sections, warnings`` (plus ``unstructured_text`` for pre-2019 free-form
reports). Storage and export take it as it is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from yingji_parser.vocabulary import ParseStatus

Status = ParseStatus  # the name callers used before the vocabulary module


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """What the parser repaired or could not check. ``code`` is documented in docs/record.md."""

    code: str
    message: str
    where: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "where": self.where}


@dataclass(slots=True)
class ParseResult:
    record: dict[str, Any]
    status: ParseStatus
    doc_type: str
    parser_version: str
    warnings: list[ParseWarning] = field(default_factory=list)
    error: str | None = None  # reason, when status is "failed"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["warnings"] = [w.to_dict() for w in self.warnings]
        return d
