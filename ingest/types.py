"""What the pipeline's stages hand each other, as frozen values.

``Found`` is an item's provenance (the seed's site, the listing's title, the crawl run); it
travels from the spider's item to storage and to ``yingji reparse``, which rebuilds it from
what the documents table remembers. ``StoredDocument`` is one document after the download
step; ``ParseAttempt`` what parsing it gave; ``Choice`` which report the documents of one item
hold (ingest/choice.py); ``Outcome`` what storing one report did (ingest/storing.py).

Why frozen values: each stage reads what the one before handed over and returns something new,
so no stage can change what another already read (the store step used to write each further
report's outcome into the parse's dicts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.vocabulary import Outcome as Action


@dataclass(frozen=True, slots=True)
class Found:
    """Where an item's documents were found: the seed's site."""

    region: str | None
    site_name: str | None = None
    title: str | None = None
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One document of an item after the download step: in the files store, or why not."""

    kind: str  # article / document / attachment
    url: str
    name: str | None  # the original file name (Content-Disposition, link text or URL)
    sha256: str | None = None
    path: str | None = None  # relative to the files store
    size: int | None = None
    content_type: str | None = None
    not_modified: bool = False  # revalidated (HTTP 304): the stored copy is current
    error: str | None = None  # why it is not in the files store

    def as_dict(self) -> dict[str, Any]:
        """The document as the run's JSON shows it: kind, url and name always, every other
        field only when set."""
        out: dict[str, Any] = {"kind": self.kind, "url": self.url, "name": self.name}
        for key in ("sha256", "path", "size", "content_type", "not_modified", "error"):
            value = getattr(self, key)
            if value is not None and value is not False:
                out[key] = value
        return out


@dataclass(frozen=True, slots=True)
class ParseAttempt:
    """One document's parse: the parser's ``ParseResult.to_dict()``, or why there is none.

    ``result`` stays the parser's own plain data (it crosses a process boundary and is what
    the parser documents); ``error``/``code`` say why a document gave no result (``corrupt``,
    ``timed_out``, ``too_large``, ``download`` …)."""

    result: dict[str, Any] | None = None
    error: str | None = None
    code: str | None = None

    @classmethod
    def failed(cls, error: str, code: str) -> ParseAttempt:
        return cls(None, error, code)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What one document of an item gave, as the run record and the documents table see it."""

    url: str
    kind: str
    sha256: str | None
    doc_type: str | None
    parser_version: str | None
    report: bool  # a bureau's report (ingest.choice.is_report)
    status: str  # the parser's status, ``failed`` without a result
    cells: int
    warnings: int
    error: str | None


@dataclass(frozen=True, slots=True)
class Choice:
    """The report an item's documents hold (or why none), chosen by ingest.choice.choose.

    ``result`` is the chosen ``ParseResult.to_dict()`` (None when no document holds a report,
    ``error`` then says why); ``source`` the document it came from (for a failure: the one to
    blame); ``sources`` the item's page and every document that gave the same report;
    ``candidates`` what each document gave; ``others`` further reports (other years) the page
    carried, each a Choice of its own with no candidates.
    """

    result: dict[str, Any] | None
    source: StoredDocument | None
    sources: tuple[str, ...]
    candidates: tuple[Candidate, ...] = ()
    others: tuple[Choice, ...] = ()
    error: str | None = None
    parser_version: str | None = None  # of a failure: the parser that tried

    @property
    def status(self) -> str:
        return str(self.result["status"]) if self.result is not None else "failed"

    @property
    def record(self) -> dict[str, Any] | None:
        return self.result.get("record") if self.result is not None else None

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return list((self.result or {}).get("warnings") or [])

    @property
    def doc_type(self) -> str | None:
        return (self.result or {}).get("doc_type")

    @property
    def version(self) -> str | None:
        """The parser version behind this choice (of its result, else of the failure)."""
        return (self.result or {}).get("parser_version") or self.parser_version


@dataclass(frozen=True, slots=True)
class Outcome:
    """What storing one report did: ``action`` insert / noop / new_version / failed, with the
    ``reason`` of a failure; ``version_id`` the stored version (what an export shows), and
    ``store_failed`` when the database, not the document, was the reason."""

    action: Action
    reason: str | None = None
    version_id: int | None = None
    store_failed: bool = False

    @property
    def stored(self) -> bool:
        return self.action is not Action.FAILED


NOT_PARSED = Choice(None, None, (), error="not parsed")
