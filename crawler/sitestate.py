"""Per-site progress the spider keeps, so a run can tell "none found" from "blocked".

``spider.sites`` maps each seed's start URL (exactly as in the seed file, which is also
``ReportItem.site_url``) to a :class:`SiteState`; the run-record extension joins the pipelines'
outcomes to it and prints one row per site.

A site marked "none found" must say what was tried, so that a reader tells "no report
published" from "not found" (issue 9): the columns entered, the years whose column or list was
walked, the fallbacks asked (sitemap, site search) and what each gave. And a request the crawler
chose not to send is counted by its reason (issue 13): a non-public address (crawler/netguard.py),
off-site, a cap or a blocked site (crawler/middlewares.py). :meth:`SiteState.detail` is that
record as JSON, stored in ``run_sites.detail`` and read back by storage/runtable.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

#: Site statuses, most telling first: a blocked site that also had an error is "blocked".
STATUS_REPORTS_FOUND = "reports found"
STATUS_NONE_FOUND = "none found"
STATUS_BLOCKED = "blocked"
STATUS_UNREACHABLE = "unreachable"
STATUS_ROBOTS_DENIED = "robots denied"

#: Column URLs kept in the run record at most (the count is always whole).
MAX_COLUMN_URLS = 50


@dataclass
class Fallback:
    """One fallback of a site (``sitemap``, ``search``): what it read and what that gave."""

    fetched: int = 0  # answers read: sitemaps (nested ones included), search result pages
    links: int = 0  # candidate report pages they gave
    note: str | None = None  # why it could not be asked ("no form": no search form seen)


@dataclass
class SiteState:
    name: str
    region: str
    url: str
    pages_fetched: int = 0  # responses the spider read
    pages_requested: int = 0  # requests let through to the downloader (the page cap counts these)
    items_yielded: int = 0
    requests_dropped: int = 0  # by the page cap, the template cap or the depth cap
    blocked: bool = False
    unreachable: bool = False
    robots_denied: bool = False
    last_error: str | None = None
    capped: bool = False  # a cap stopped the site early: the result may be incomplete
    templates: Counter[str] = field(default_factory=Counter, repr=False)
    #: other registrable domains of the site: where its start page redirected (a moved portal)
    domains: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)  # years of the reports found
    #: what discovery tried: column pages entered (their first pages), the years whose column
    #: or list was walked, and the fallbacks asked, by name
    columns: set[str] = field(default_factory=set)
    years_walked: set[int] = field(default_factory=set)
    fallbacks: dict[str, Fallback] = field(default_factory=dict)
    #: requests not sent, by reason ("private address", "off-site", "page cap" …)
    refused: Counter[str] = field(default_factory=Counter)

    @property
    def status(self) -> str:
        """One word for the run table; reports found wins over later trouble on the same site."""
        if self.items_yielded:
            return STATUS_REPORTS_FOUND
        if self.blocked:
            return STATUS_BLOCKED
        if self.unreachable and not self.pages_fetched:
            return STATUS_UNREACHABLE  # every start URL failed, none of the site was read
        if self.robots_denied:
            return STATUS_ROBOTS_DENIED
        return STATUS_NONE_FOUND

    def note_error(self, message: str) -> None:
        self.last_error = message[:500]

    def enter_column(self, url: str, year: int | None = None) -> None:
        """A column page (a report column, the bureau's section, a hub) was read."""
        self.columns.add(url)
        if year is not None:
            self.years_walked.add(year)

    def fallback(self, name: str) -> Fallback:
        """The record of fallback ``name``, created when first asked."""
        return self.fallbacks.setdefault(name, Fallback())

    def refuse(self, reason: str, *, dropped: bool = True) -> None:
        """A request of this site was not sent, for ``reason``; ``dropped``: by the site's own
        rules, counted in ``requests_dropped`` too."""
        self.refused[reason] += 1
        self.requests_dropped += int(dropped)

    def detail(self) -> dict[str, Any]:
        """What was tried and refused, as JSON for ``run_sites.detail`` (storage/runtable.py
        reads it: ``columns`` count, ``column_urls`` (the first :data:`MAX_COLUMN_URLS`),
        ``years_walked``, ``years_found``, ``fallbacks`` {name: {fetched, links, note}},
        ``refused`` {reason: count}, ``pages``)."""
        return {
            "pages": self.pages_fetched,
            "columns": len(self.columns),
            "column_urls": sorted(self.columns)[:MAX_COLUMN_URLS],
            "years_walked": sorted(self.years_walked),
            "years_found": sorted(self.years),
            "fallbacks": {name: asdict(f) for name, f in self.fallbacks.items()},  # as asked
            "refused": dict(self.refused.most_common()),
        }

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("templates")
        for name in ("years", "domains", "columns", "years_walked"):
            d[name] = sorted(d[name])
        d["refused"] = dict(self.refused)
        d["status"] = self.status
        return d
