"""Per-site progress the spider keeps, so a run can tell "none found" from "blocked".

``spider.sites`` maps each seed's start URL (exactly as in the seed file, which is also
``ReportItem.site_url``) to a :class:`SiteState`; the run-record extension joins the pipelines'
outcomes to it and prints one row per site.
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
    years: set[int] = field(default_factory=set)

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

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("templates")
        d["years"] = sorted(self.years)
        d["domains"] = sorted(self.domains)
        d["status"] = self.status
        return d
