"""CMS families behind one registry: listing, seed validation and follow-ups all read it.

The generic reading (:mod:`crawler.strategies.generic`) runs on every page; each family module
in :data:`STRATEGIES` adds what ordinary links cannot show (script page counts, embedded XML,
JSON APIs) and answers the follow-up fetches it asked for. Adding a family is one module that
satisfies :class:`~crawler.strategies.base.Strategy`, listed here once.
"""

from __future__ import annotations

from parsel import Selector

from crawler.strategies import generic, gkmlpt, hanweb, scriptlist, trs, ucap
from crawler.strategies.base import KIND_PAGE, Entry, Followup, Listing, Strategy
from crawler.strategies.gkmlpt import KIND_GKMLPT_API
from crawler.strategies.hanweb import KIND_HANWEB_PROXY

#: The registry, in the order families read a page (and seeds name them in errors).
STRATEGIES: tuple[Strategy, ...] = (trs, hanweb, gkmlpt, ucap, scriptlist)

#: What a seed's ``family`` column may say: a registered family, or the generic reading only.
FAMILIES: tuple[str, ...] = (*(s.NAME for s in STRATEGIES), "generic")

_BY_KIND: dict[str, Strategy] = {kind: s for s in STRATEGIES for kind in s.FOLLOWUP_KINDS}

__all__ = [
    "FAMILIES",
    "KIND_GKMLPT_API",
    "KIND_HANWEB_PROXY",
    "KIND_PAGE",
    "STRATEGIES",
    "Entry",
    "Followup",
    "Listing",
    "Strategy",
    "article_title",
    "extract_listing",
    "parse_followup",
    "unreadable_label",
]


def extract_listing(url: str, text: str, family: str | None = None) -> Listing:
    """Everything list-like on an HTML page, by every family that recognises the page.

    ``family`` (a seed override) restricts the families tried besides the generic reading,
    which always runs because family pages still carry ordinary links.
    """
    sel = Selector(text=text or "<html></html>")
    listing = generic.extract(url, sel)
    for strategy in STRATEGIES:
        if family in (None, strategy.NAME) and strategy.applies(url, text):
            listing.extend(strategy.extract(url, text, sel))
    return listing


def parse_followup(kind: str, url: str, text: str, formdata: dict[str, str]) -> Listing:
    """A follow-up answer of a non-page ``kind``, read by the family that asked for it.

    Raises ValueError for an answer the family cannot read, KeyError for an unknown kind.
    """
    return _BY_KIND[kind].parse_followup(kind, url, text, formdata)


def unreadable_label(kind: str) -> str:
    """How a log line names an unreadable answer of ``kind`` ("gkmlpt API answer")."""
    return _BY_KIND[kind].FOLLOWUP_KINDS[kind]


def article_title(sel: Selector) -> str | None:
    """An article's own title: a family's markup first, then the generic places."""
    for strategy in STRATEGIES:
        title = strategy.article_title(sel)
        if title:
            return title
    return generic.article_title(sel)
