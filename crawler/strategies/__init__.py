"""CMS families: each module reads one layout of lists; the dispatcher runs those that apply.

A strategy never makes Scrapy requests itself; it returns plain :class:`Listing` data (the list
entries it saw and the follow-up fetches the family needs: next list pages, Hanweb's dataproxy
POSTs, gkmlpt's JSON API) so that each family's parsing is a pure function tested on text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsel import Selector

#: Response kinds a follow-up fetch produces; the spider picks the parser by kind.
KIND_PAGE = "page"  # an HTML page (list, column, home)
KIND_HANWEB_PROXY = "hanweb-proxy"  # Hanweb dataproxy.jsp XML
KIND_GKMLPT_API = "gkmlpt-api"  # gkmlpt JSON API


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
    formdata: tuple[tuple[str, str], ...] = ()


@dataclass
class Listing:
    entries: list[Entry] = field(default_factory=list)
    followups: list[Followup] = field(default_factory=list)

    def extend(self, other: Listing) -> None:
        self.entries.extend(other.entries)
        self.followups.extend(other.followups)


def extract_listing(url: str, text: str, family: str | None = None) -> Listing:
    """Everything list-like on an HTML page, by every family that recognises the page.

    ``family`` (a seed override) restricts the families tried besides the generic reading,
    which always runs because family pages still carry ordinary links.
    """
    from crawler.strategies import generic, gkmlpt, hanweb, trs

    sel = Selector(text=text or "<html></html>")
    listing = generic.extract(url, sel)
    for name, module in (("trs", trs), ("hanweb", hanweb), ("gkmlpt", gkmlpt)):
        if family in (None, name) and module.applies(url, text):
            listing.extend(module.extract(url, text, sel))
    return listing
