"""What the spider yields: one item per candidate report page or document.

The spider fills the discovery fields; the pipelines fill the rest in order
(download -> parse -> store), one concern each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Attachment:
    url: str
    name: str | None = None  # link text, a hint for the original file name


@dataclass
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
    attachments: list[Attachment] = field(default_factory=list)
    # --- filled by pipelines ---
    documents: list[dict[str, Any]] = field(
        default_factory=list
    )  # download: sha256, path, url, name, size, content_type
    parsed: dict[str, Any] | None = (
        None  # parse: the chosen ParseResult.to_dict() plus its source document
    )
    outcome: str | None = None  # store: insert / noop / new_version / failed
