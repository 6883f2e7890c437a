"""Regression checks on a finished crawl run: make silent empty runs loud.

Why: the commonest failure of civic scrapers is a run that "succeeds" with nothing in it — a
site redesigned its column, started serving a captcha, or moved — and nobody notices for
months. The run record (``crawl_runs``, ``run_sites``) says what every site gave; these rules
compare it with what the same site gave before:

* **went silent** — the site had reports in one of its last :data:`HISTORY` earlier results and
  now has none (whatever the reason: none found, blocked, unreachable, failed to parse);
* **failures jumped** — a site's failed count, or the run's total over the sites it shares with
  their previous results, exceeds ``max(3, 2 × previous)``;
* **run incomplete** — the run did not end as ``finished``;
* **all failed** — every site of the run was unreachable, blocked or failed (to parse, to
  store): nothing came through, and no history is needed to see it, so a first run counts.
  A site with none found or robots denied answered; it is not a failure.

A crawl resumed after a kill continues the killed crawl's run, with what the killed process
counted (crawler/runresume.py), so a resumed run is checked like any other.

The rules are plain functions over :class:`storage.queries.SiteResult` rows; :func:`check_run`
reads them from the database through the store. ``yingji crawl`` prints every alert as a line
of its report and exits non-zero when there is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from models.vocabulary import SiteStatus
from storage.queries import RunInfo, SiteResult
from storage.runtable import status_label
from storage.store import Store

#: how many earlier results of a site count as "before" (a site silent for longer is gone)
HISTORY = 5
#: a failure count is a jump above max(FAILURE_FLOOR, FAILURE_FACTOR × previous)
FAILURE_FLOOR = 3
FAILURE_FACTOR = 2
#: the statuses of a site that answered; every other status (unreachable, blocked, failed to
#: parse or to store, or one added later) is a failure of the site
ANSWERED = frozenset({SiteStatus.REPORTS_FOUND, SiteStatus.NONE_FOUND, SiteStatus.ROBOTS_DENIED})


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # went_silent / failures_jumped / run_incomplete / all_failed
    message: str
    site_url: str | None = None

    def line(self) -> str:
        return f"HEALTH {self.kind}: {self.message}"


def failures_jumped(now: int, before: int) -> bool:
    """More than max(3, 2 × before) failures: noise stays quiet, a real jump does not."""
    return now > max(FAILURE_FLOOR, FAILURE_FACTOR * before)


def _had_reports(result: SiteResult) -> bool:
    return result.status == "reports_found" or result.reports_found > 0


def _name(result: SiteResult) -> str:
    return f"{result.site_name} ({result.site_url})" if result.site_name else result.site_url


def check_sites(
    current: Sequence[SiteResult], history: Mapping[str, Sequence[SiteResult]]
) -> list[Alert]:
    """Alerts for one run's site results; ``history[url]`` = earlier results, newest first."""
    alerts: list[Alert] = []
    failed_now = failed_before = 0
    for site in current:
        earlier = list(history.get(site.site_url, ()))[:HISTORY]
        if not _had_reports(site):
            had = next((r for r in earlier if _had_reports(r)), None)
            if had is not None:
                reason = site.status.replace("_", " ") + (f": {site.error}" if site.error else "")
                alerts.append(
                    Alert(
                        "went_silent",
                        f"{_name(site)} gave no report this run ({reason}); "
                        f"it gave {had.reports_found} in run {had.run_id}",
                        site.site_url,
                    )
                )
        if earlier:
            previous = earlier[0]
            failed_now += site.failed
            failed_before += previous.failed
            if failures_jumped(site.failed, previous.failed):
                alerts.append(
                    Alert(
                        "failures_jumped",
                        f"{_name(site)} had {site.failed} failures this run, "
                        f"{previous.failed} in run {previous.run_id}",
                        site.site_url,
                    )
                )
    site_alerted = any(a.kind == "failures_jumped" for a in alerts)
    if not site_alerted and failures_jumped(failed_now, failed_before):
        alerts.append(
            Alert(
                "failures_jumped",
                f"{failed_now} failures this run across the sites crawled before, "
                f"{failed_before} in their previous results",
            )
        )
    return alerts


def check_all_failed(current: Sequence[SiteResult]) -> list[Alert]:
    """One alert when the run recorded sites and every one of them failed."""
    if not current or any(s.status in ANSWERED for s in current):
        return []
    counts: dict[str, int] = {}
    for site in current:
        label = status_label(site.status)
        counts[label] = counts.get(label, 0) + 1
    summary = ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))
    return [
        Alert(
            "all_failed",
            f"every site of run {current[0].run_id} failed ({summary}): nothing was crawled",
        )
    ]


def check_store_failed(current: Sequence[SiteResult]) -> list[Alert]:
    """One alert per site whose reports were found but could not be stored (the database
    failed for longer than the retry window): a rerun with the same job directory stores them."""
    return [
        Alert("store_failed", f"{s.site_name or s.site_url}: {s.error or 'reports not stored'}")
        for s in current
        if s.status == "store_failed"
    ]


def check_run_status(run: RunInfo) -> list[Alert]:
    if run.status == "finished":
        return []
    return [Alert("run_incomplete", f"run {run.id} ended as {run.status!r}, not 'finished'")]


def check_run(store: Store, run_id: int) -> list[Alert]:
    """All alerts for run ``run_id``, reading the run record through the store."""
    run = store.run(run_id)
    if run is None:
        return [Alert("run_incomplete", f"there is no run {run_id} in the database")]
    current = store.run_sites(run_id)
    history = {
        s.site_url: store.site_history(s.site_url, before_run_id=run_id, limit=HISTORY)
        for s in current
    }
    return (
        check_run_status(run)
        + check_all_failed(current)
        + check_store_failed(current)
        + check_sites(current, history)
    )
