"""What the pipeline's stages hand each other, as frozen values.

``Found`` is an item's provenance (the seed's site, the listing's title, the crawl run); it
travels from the spider's item to storage and to ``yingji reparse``, which rebuilds it from
what the documents table remembers. ``Stored`` is what storing one report did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

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
