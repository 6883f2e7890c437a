"""What the spider yields: one item per candidate report page or document.

The spider fills the discovery fields; the pipelines fill the rest in order
(download -> parse -> store), one concern each. The item is frozen: each stage returns
``dataclasses.replace(item, ...)`` with its own field set, so no stage changes what an
earlier one handed over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ingest.types import Choice, Outcome, StoredDocument


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str
    name: str | None = None  # link text, a hint for the original file name


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """One further page of an article split over several (``…_2.html``, 下一页), as received:
    the item's body is the pages joined, and each page is kept as a raw document of its own
    so that whoever audits a report sees every page it was made of."""

    url: str
    body: bytes
    encoding: str | None = None


@dataclass(frozen=True)
class ReportItem:
    # --- discovery (spider) ---
    site_name: str  # the seed's owner, e.g. 孟津区人民政府
    region: str  # the seed's region, e.g. 河南省洛阳市孟津区
    site_url: str  # the seed's start URL
    url: str  # the article page, or the document itself when a list links a file directly
    title: str  # title as listed / as the article gives it
    published: str | None = None  # publication date as shown (not the reporting year)
    body: bytes | None = None  # the article's HTML as received (None when url is a document)
    body_encoding: str | None = None
    attachments: Sequence[Attachment] = ()
    pages: Sequence[ArticlePage] = ()  # an article's pages 2…N (``body`` holds them joined)
    # every page of the article revalidated unchanged (a 304 answered from the HTTP cache):
    # its documents are taken as unchanged too (pipelines/download.py)
    revalidated: bool = False
    # --- filled by pipelines ---
    documents: Sequence[StoredDocument] = ()  # download: in the files store, or why not
    # parse: which report the documents hold (ingest.choice.choose)
    parsed: Choice | None = None
    # store: one Outcome per report (the chosen one first), and the export record of each
    # report stored (storage.export: what ``yingji export`` and the crawl's feeds write)
    outcomes: Sequence[Outcome] = ()
    records: Sequence[dict[str, Any]] = ()

    @property
    def outcome(self) -> str | None:
        """What storing the chosen report did: insert / noop / new_version / failed."""
        return str(self.outcomes[0].action) if self.outcomes else None

    @property
    def store_failed(self) -> bool:
        """Whether the database, not a document, kept a report of this item out of storage:
        the item is to be stored again (a resumed crawl), not counted as a parse failure."""
        return any(o.store_failed for o in self.outcomes)
