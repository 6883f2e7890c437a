"""The words stored in the database and shown to people, defined once.

Why here: the crawler displays a site's status (``reports found``), the database stores it
(``reports_found``), the pipelines and ``yingji reparse`` count outcomes; each used to spell
them on its own. Every layer may import models/, so one definition serves them all.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """What storing one report did (``item.outcome``, the counters of ``crawl_runs``)."""

    INSERT = "insert"
    NOOP = "noop"
    NEW_VERSION = "new_version"
    FAILED = "failed"

    @property
    def counter(self) -> str:
        """The column of ``crawl_runs`` / ``run_sites`` that counts this outcome."""
        return _COUNTERS[self]

    @property
    def stored(self) -> bool:
        return self is not Outcome.FAILED


_COUNTERS = {
    Outcome.INSERT: "inserted",
    Outcome.NOOP: "noop",
    Outcome.NEW_VERSION: "new_versions",
    Outcome.FAILED: "failed",
}
#: the outcomes that mean a report is in the database
STORED_OUTCOMES = (Outcome.INSERT, Outcome.NOOP, Outcome.NEW_VERSION)


class SiteStatus(StrEnum):
    """One site's result in a run: the value is what ``run_sites.status`` stores, the
    :attr:`label` what the run table prints."""

    REPORTS_FOUND = "reports_found"
    NONE_FOUND = "none_found"
    BLOCKED = "blocked"
    UNREACHABLE = "unreachable"
    ROBOTS_DENIED = "robots_denied"
    PARSE_FAILED = "parse_failed"
    STORE_FAILED = "store_failed"  # the database refused reports after its retries

    @property
    def label(self) -> str:
        return (
            "failed to parse" if self is SiteStatus.PARSE_FAILED else self.value.replace("_", " ")
        )

    @classmethod
    def from_label(cls, label: str) -> SiteStatus | None:
        """The status a displayed label names, or None for a label of no known status."""
        return _BY_LABEL.get(label)


_BY_LABEL = {s.label: s for s in SiteStatus}
