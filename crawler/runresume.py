"""A crawl resumed after a kill continues the killed crawl's run: one run per crawl job.

Why: the run record (crawler/runrecord.py) counts what the pipelines stored per site while the
process lives. A crawl killed and started again with the same job directory skips every page
done before the kill (crawler/resume.py), so a run of its own would show the sites finished
before the kill as "none found" — an interruption reported as an empty site — and leave the
killed run ``running`` for ever. So, with a job directory, the run record keeps in the request
journal (crawler/journal.py):

* the run (``R``: its id and when it began), noted when the run opens; a resumed crawl reopens
  that run in the database (same id, ``running`` again, "resumed" added to its note) instead
  of starting one — unless the database has no such unfinished run (another database);
* per item, the outcomes it counted (a note on the item's page, unkeyed: they add up);
* per site, the spider's state of the site (``SiteState``: pages, columns and years walked,
  blocked, refused requests …) when one of its pages is done (a note keyed by the site: the
  latest wins) — whenever the state changed in more than its counters, else at most every
  :data:`SNAPSHOT_SECONDS`.

A note counts only once its page is done, and is written before the page's ``D`` record, so a
page processed again after a kill counts once, by whichever processing finished. On resume the
outcomes are added to the run record's tallies and the site states merged into the spider's
(``spider.sites``), so the per-site table and ``run_sites`` rows count what the killed process
did, and the spider goes on with its caps, blocks and columns as they were. What stays
approximate: a page in flight at the kill is processed again, so its report is a ``noop`` the
second time (``reports found`` counts it once) and its page counts may count twice; a site's
plain counters may miss the last seconds before the kill.

Outcomes of reports the database refused (``store failed``) are not carried over: those items
are kept in the job directory and stored again by the resumed crawl (pipelines/store.py), which
counts them then.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, fields, is_dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler

from crawler.journal import run_of, run_payload
from crawler.resume import Notes, ResumeState

logger = logging.getLogger(__name__)

#: the key of outcome notes (unkeyed: they add up) and the prefix of a site's state notes
OUTCOMES_KEY = ""
SITE_KEY = "site "
#: a site's state is noted at most this often when only its counters changed
SNAPSHOT_SECONDS = 5.0

#: one counted outcome: (outcome, error, store_failed), as SiteTally.add takes them
Entry = tuple[str, str | None, bool]


def item_entries(item: Any, exception: Any = None, failure: Any = None) -> list[Entry]:
    """What the run record counts for an item leaving the pipelines (scraped, dropped with
    ``exception`` or failed with ``failure``): one entry per report it stored or failed."""
    if exception is not None:
        return [("failed", f"dropped: {exception}", False)]
    if failure is not None:
        return [("failed", f"pipeline error: {failure.getErrorMessage()}", False)]
    outcomes = getattr(item, "outcomes", None) or ()
    if not outcomes:  # an item that never reached the store step
        return [("failed", "not stored", False)]
    return [(str(o.action), o.reason, bool(o.store_failed)) for o in outcomes]


def site_of(item: Any) -> str:
    """The run record's key of an item's site."""
    return getattr(item, "site_url", None) or "?"


# --- a site's state as JSON, and back -------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, Counter):
        return dict(value)
    if isinstance(value, set):
        return sorted(value, key=str)
    if isinstance(value, dict):
        return {k: asdict(v) if is_dataclass(v) else v for k, v in value.items()}  # type: ignore[arg-type]
    return value


def site_snapshot(state: Any) -> dict[str, Any]:
    """Every field of a ``SiteState`` (crawler/sitestate.py) as JSON values."""
    return {f.name: _plain(getattr(state, f.name)) for f in fields(state)}


def snapshot_signature(snapshot: Mapping[str, Any]) -> str:
    """The snapshot without its plain counters: what changes a site's status or its note."""
    sig = {}
    for name, value in snapshot.items():
        if isinstance(value, int) and not isinstance(value, bool):
            sig[name] = value > 0 if name == "items_yielded" else None
        elif name in ("templates", "refused"):
            sig[name] = sorted(value)  # which, not how many
        else:
            sig[name] = value
    return json.dumps(sig, sort_keys=True, ensure_ascii=False)


def merge_fields(live: Any, saved: Mapping[str, Any]) -> None:
    """Add a snapshot to a live dataclass: counters add, sets join, flags or, a missing text is
    taken, a dict of dataclasses (a site's fallbacks) merges entry by entry."""
    for f in fields(live):
        if f.name not in saved:
            continue
        value, old = getattr(live, f.name), saved[f.name]
        if isinstance(value, bool):
            setattr(live, f.name, value or bool(old))
        elif isinstance(value, int):
            setattr(live, f.name, value + int(old or 0))
        elif isinstance(value, Counter):
            value.update(old or {})
        elif isinstance(value, set):
            value.update(old or ())
        elif isinstance(value, dict):
            for key, entry in (old or {}).items():
                target = value.get(key)
                if target is None and callable(getattr(live, "fallback", None)):
                    target = live.fallback(key)  # SiteState.fallbacks: created when first asked
                if target is not None and is_dataclass(target) and isinstance(entry, dict):
                    merge_fields(target, entry)
        elif value is None:
            setattr(live, f.name, old)


# --- the continuation of one crawl's run ----------------------------------------------------
class RunContinuation:
    """The run record's side of the journal: notes what it counts, restores it on resume."""

    def __init__(self, state: ResumeState, sites: Mapping[str, Any]) -> None:
        self.state = state
        self.sites = sites
        #: per site, the last state noted: when, its signature, the hash of its JSON
        self._noted: dict[str, tuple[float, str, int]] = {}
        state.add_note_sources(page=self.page_notes, item=self.item_notes)

    @classmethod
    def attach(cls, crawler: Crawler, sites: Mapping[str, Any]) -> RunContinuation | None:
        """The continuation of a crawl with a job directory; None without one."""
        state = crawler.get_extension(ResumeState)
        if state is None or state.journal is None:
            return None
        return cls(state, sites)

    # the run
    def run_to_continue(self) -> tuple[int, datetime] | None:
        """The id and start of the run the interrupted crawl recorded, if any."""
        return run_of(self.state.run)

    def reopen(self, store: Any, tally_of: Callable[[str], Any]) -> int | None:
        """Reopen the interrupted crawl's run in ``store`` (a storage.Store) and restore what
        its process counted; its id, or None when there is none to continue."""
        from storage import runs

        resumed = self.run_to_continue()
        if resumed is None:
            return None
        run_id, started_at = resumed
        when = datetime.now(UTC)
        if not store.write(lambda conn: runs.reopen(conn, run_id, started_at, when))[0]:
            logger.warning(
                "run %s of the interrupted crawl is no unfinished run of this database: "
                "this crawl records a new one",
                run_id,
            )
            return None
        logger.info("continuing run %s of the interrupted crawl", run_id)
        self.restore(tally_of)
        return run_id

    def record_run(self, run_id: int, started_at: datetime) -> None:
        self.state.record_run(run_payload(run_id, started_at))

    # what the killed process did
    def restore(self, tally_of: Callable[[str], Any]) -> int:
        """Add the noted outcomes to the run record's tallies (``tally_of(site)``: a site's
        SiteTally) and merge the noted site states into the spider's; the notes used."""
        used = 0
        for key, payload in self.state.notes:
            try:
                used += self._restore_one(key, json.loads(payload), tally_of)
            except (ValueError, KeyError, TypeError, AttributeError):  # a note of another yingji
                logger.warning("request journal: skipping an unreadable note")
        self.state.notes = []  # restored once; not kept for the rest of the crawl
        if used:
            logger.info("continuing the run: %d notes of the interrupted crawl restored", used)
        return used

    def _restore_one(self, key: str, data: Any, tally_of: Callable[[str], Any]) -> bool:
        if key == OUTCOMES_KEY:
            tally = tally_of(data["site"])
            for outcome, error, store_failed in data["entries"]:
                if not store_failed:  # kept and stored again by this crawl
                    tally.add(outcome, error, store_failed)
            return True
        site = self.sites.get(key[len(SITE_KEY) :]) if key.startswith(SITE_KEY) else None
        if site is None:
            return False  # a site no longer among the seeds
        merge_fields(site, data)
        return True

    # notes, asked by the resume state before a page is marked done
    def item_notes(
        self, item: Any = None, exception: Any = None, failure: Any = None, **_: Any
    ) -> Notes:
        entries = item_entries(item, exception, failure)
        payload = {"site": site_of(item), "entries": entries}
        yield OUTCOMES_KEY, json.dumps(payload, ensure_ascii=False).encode()

    def page_notes(self, request: Request) -> Iterator[tuple[str, bytes]]:
        url = request.meta.get("seed_url")
        site = self.sites.get(url) if url else None
        if site is None:
            return
        snapshot = site_snapshot(site)
        full = json.dumps(snapshot, ensure_ascii=False)
        signature = snapshot_signature(snapshot)
        now = time.monotonic()
        last = self._noted.get(url)
        if last is not None and (
            hash(full) == last[2] or (signature == last[1] and now - last[0] < SNAPSHOT_SECONDS)
        ):
            return
        self._noted[url] = (now, signature, hash(full))
        yield SITE_KEY + url, full.encode()
