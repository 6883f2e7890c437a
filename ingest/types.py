"""What the pipeline's stages hand each other, as frozen values.

``Found`` is an item's provenance (the seed's site, the listing's title, the crawl run); it
travels from the spider's item to storage and to ``yingji reparse``, which rebuilds it from
what the documents table remembers. ``StoredDocument`` is one document after the download
step; ``Stored`` is what storing one report did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from models.vocabulary import Outcome


@dataclass(frozen=True, slots=True)
class Found:
    """Where an item's documents were found: the seed's site."""

    region: str | None
    site_name: str | None = None
    title: str | None = None
    run_id: int | None = None


class Stored(NamedTuple):
    """What storing one report did: its outcome and, for ``failed``, the reason."""

    outcome: Outcome
    reason: str | None = None


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
        """The document as the choice and storing steps (and the run's JSON) read it: kind,
        url and name always, every other field only when set."""
        out: dict[str, Any] = {"kind": self.kind, "url": self.url, "name": self.name}
        for key in ("sha256", "path", "size", "content_type", "not_modified", "error"):
            value = getattr(self, key)
            if value is not None and value is not False:
                out[key] = value
        return out
