"""What every CMS family hands the spider: list entries, follow-up fetches, and its protocol.

A strategy never makes Scrapy requests itself; it returns plain :class:`Listing` data (the list
entries it saw and the follow-up fetches the family needs: next list pages, Hanweb's dataproxy
POSTs, gkmlpt's JSON API) so that each family's parsing is a pure function tested on text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from parsel import Selector

#: The response kind of an ordinary HTML page (list, column, home); families name their own.
KIND_PAGE = "page"


@dataclass(frozen=True)
class Entry:
    """A link seen in a list: the title decides whether it is a report."""

    url: str
    title: str
    published: str | None = None
    in_nav: bool = False  # in the page's header, navigation or footer (site-wide links)


@dataclass(frozen=True)
class Followup:
    """Another fetch the family needs to see the rest of a list."""

    url: str
    kind: str = KIND_PAGE
    method: str = "GET"
    formdata: tuple[tuple[str, str], ...] = ()  # a POST's form (a GET sends none)
    #: what the family needs back with the answer (page number, endpoint), never sent: the
    #: spider hands ``formdata + state`` to ``parse_followup``
    state: tuple[tuple[str, str], ...] = ()


@dataclass
class Listing:
    entries: list[Entry] = field(default_factory=list)
    followups: list[Followup] = field(default_factory=list)

    def extend(self, other: Listing) -> None:
        self.entries.extend(other.entries)
        self.followups.extend(other.followups)


class Strategy(Protocol):
    """One CMS family. A family module is itself the strategy (module-level names).

    ``FOLLOWUP_KINDS`` maps each non-page response kind the family asks for to the words used
    when such an answer is unreadable; ``parse_followup`` reads those answers and raises
    ``ValueError`` for one that is not what the family expected (a WAF page, an error page).
    """

    NAME: str
    FOLLOWUP_KINDS: dict[str, str]

    def applies(self, url: str, text: str) -> bool: ...

    def extract(self, url: str, text: str, sel: Selector) -> Listing: ...

    def parse_followup(
        self, kind: str, url: str, text: str, formdata: dict[str, str]
    ) -> Listing: ...

    def article_title(self, sel: Selector) -> str | None: ...
