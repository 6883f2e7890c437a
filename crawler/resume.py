"""Resume after a kill: a crash-safe request journal in the job directory (``-s JOBDIR=…``).

Why Scrapy's own job state is not enough after ``SIGKILL``:

* ``RFPDupeFilter`` writes a request's fingerprint to ``requests.seen`` when the request is
  *scheduled*. A request that was in flight at the kill is gone from the queue but marked seen,
  so a resumed crawl never fetches it again: its report is lost.
* The disk queue (``requests.queue``) writes its index (``info.json``, ``active.json``) only on
  a clean close, so after a kill the queue is empty or stale.

So with a job directory this module keeps one append-only journal, ``requests.journal``:

* ``S <fingerprint> <request>`` when a request is scheduled (the request itself, serialised the
  way Scrapy serialises requests for its disk queue: callbacks must be spider methods);
* ``D <fingerprint>`` when it is *done*: its response went through the callback and every item
  the callback produced left the item pipelines (stored, dropped or failed);
* ``F`` when the crawl finished (close reason ``finished``): the next crawl with this job
  directory then starts afresh, so a scheduled job can keep one job directory for ever;
* ``R``, the run the crawl records, and ``N``, notes of what a done request did, for the run
  record: a resumed crawl continues the killed crawl's run, counting what it did
  (crawler/runresume.py). The format is crawler/journal.py.

On start, fingerprints marked done are the dupe filter's "seen" set, and every request scheduled
but not done is issued again before the spider's own start requests. A request is marked done
only after the requests it produced were journaled, so every request is either done or issued
again: nothing is lost. Storing a report is idempotent (insert / noop / new version), so a page
processed again after a kill stores nothing twice. Each record is one ``write(2)`` on an
``O_APPEND`` descriptor, which a killed process cannot leave half-done; a torn last line (power
loss) is ignored.

Three components share one :class:`ResumeState` per crawler; the add-on
:class:`crawler.addons.ResumeJournal` (in the project's ``ADDONS``) installs them.

Without a job directory they behave like Scrapy's defaults (in-memory dupe filter).
"""

from __future__ import annotations

import logging
import pickle
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Response
from scrapy.utils.job import job_dir
from scrapy.utils.request import request_from_dict

from crawler.journal import (  # re-exported: the journal's format and readers
    JOURNAL_NAME,
    JournalState,
    RequestJournal,
    done_record,
    journal_unfinished,
    parse_journal,
    scheduled_record,
)

__all__ = [
    "JOURNAL_NAME",
    "JournalScheduler",
    "JournalState",
    "RequestJournal",
    "ResumableDupeFilter",
    "ResumeMiddleware",
    "ResumeState",
    "done_record",
    "journal_unfinished",
    "parse_journal",
    "scheduled_record",
]

logger = logging.getLogger(__name__)

#: what a note source gives: ``(key, payload)`` notes (crawler/journal.py says what keys mean)
Notes = Iterable[tuple[str, bytes]]


def serialise_request(request: Request, spider: Spider) -> bytes | None:
    """The request as Scrapy's disk queues keep it, or ``None`` if it cannot be kept."""
    try:
        return pickle.dumps(request.to_dict(spider=spider), protocol=4)
    except (ValueError, TypeError, AttributeError, pickle.PicklingError):
        return None


# --- shared state of one crawl ----------------------------------------------------------------


class ResumeState:
    """The journal of one crawl plus the bookkeeping of what is done."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        jobdir = job_dir(crawler.settings)
        self.journal = RequestJournal(Path(jobdir) / JOURNAL_NAME) if jobdir else None
        loaded = self.journal.open() if self.journal else JournalState()
        self.done: set[str] = loaded.done
        self._to_reissue: dict[str, bytes] = loaded.pending
        self._open: Counter[str] = Counter()  # fingerprint -> open callback outputs + items
        self._requests: dict[str, Request] = {}  # fingerprint -> its request, while open
        #: the run an interrupted crawl recorded, and the notes of its done requests
        self.run: bytes | None = loaded.run
        self.notes: list[tuple[str, bytes]] = loaded.notes
        self._page_notes: list[Callable[[Request], Notes]] = []
        self._item_notes: list[Callable[..., Notes]] = []
        if self.journal and (loaded.done or loaded.pending):
            logger.info(
                "Resuming from %s: %d requests done, %d to issue again",
                self.journal.path,
                len(loaded.done),
                len(loaded.pending),
            )
        for sig in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_left_pipelines, signal=sig)
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeState:
        return cls(crawler)

    @classmethod
    def of(cls, crawler: Crawler) -> ResumeState:
        """The crawl's one state: an extension, so the scheduler, the dupe filter and the spider
        middleware find it with ``crawler.get_extension``."""
        state = crawler.get_extension(cls)
        if state is None:
            raise RuntimeError(
                "crawler.resume.ResumeState is not enabled: add the crawler.addons.ResumeJournal"
                " add-on to ADDONS"
            )
        return state

    def fingerprint(self, request: Request) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    # notes: what a done request did, for the run record (crawler/runresume.py)
    def add_note_sources(
        self,
        page: Callable[[Request], Notes] | None = None,
        item: Callable[..., Notes] | None = None,
    ) -> None:
        """Ask ``page(request)`` for notes just before a request is marked done, and
        ``item(**signal_kwargs)`` as each of its items leaves the pipelines. Written in the same
        handler, before the ``D`` record, so a kill never leaves a done request without its
        notes; the notes of a request processed again after a kill count once."""
        if page is not None:
            self._page_notes.append(page)
        if item is not None:
            self._item_notes.append(item)

    def record_run(self, payload: bytes) -> None:
        """Note the run this crawl records, for a resume after a kill."""
        self.run = payload
        if self.journal is not None:
            self.journal.run(payload)

    # scheduling
    def record_scheduled(self, fp: str, request: Request) -> None:
        if self.journal is None:
            return
        spider = self.crawler.spider
        payload = serialise_request(request, spider) if spider is not None else None
        if payload is None:
            logger.error(
                "Cannot journal %s (callbacks must be spider methods, arguments picklable): "
                "a crawl killed before it is done would not fetch it again",
                request,
            )
            self._inc("resume/unserializable")
            return
        self.journal.scheduled(fp, payload)

    def take_requests_to_reissue(self, spider: Spider) -> Iterator[Request]:
        pending, self._to_reissue = self._to_reissue, {}
        for payload in pending.values():
            try:
                request = request_from_dict(pickle.loads(payload), spider=spider)
            except Exception:  # a request of an older spider version: say so, go on
                logger.exception("Cannot restore a journaled request; skipping it")
                self._inc("resume/unrestorable")
                continue
            self._inc("resume/reissued")
            yield request

    # completion
    def output_started(self, response: Response) -> str:
        fp = self.fingerprint(response.request) if response.request else ""
        self._open[fp] += 1
        if fp and self._page_notes:
            self._requests[fp] = response.request  # type: ignore[assignment]
        return fp

    def item_started(self, fp: str) -> None:
        self._open[fp] += 1

    def output_finished(self, fp: str) -> None:
        self._release(fp)

    def _item_left_pipelines(self, response: Any = None, **kwargs: Any) -> None:
        if self.journal is None:
            return
        if isinstance(response, Response) and response.request is not None:
            fp = self.fingerprint(response.request)
            if self._open[fp] > 0:
                self._note(fp, (n for source in self._item_notes for n in source(**kwargs)))
                self._release(fp)
        elif response is None:  # an item of no page (kept by an earlier run): counts at once
            self._note("", (n for source in self._item_notes for n in source(**kwargs)))

    def _release(self, fp: str) -> None:
        self._open[fp] -= 1
        if self._open[fp] <= 0:
            del self._open[fp]
            request = self._requests.pop(fp, None)
            if fp and self.journal is not None:
                if request is not None:
                    self._note(fp, (n for source in self._page_notes for n in source(request)))
                self.journal.done(fp)

    def _note(self, fp: str, notes: Notes) -> None:
        assert self.journal is not None
        try:
            for key, payload in notes:
                self.journal.note(fp, key, payload)
        except Exception:  # a note lost is a count lost on resume; the request is still done
            logger.exception("request journal: a note could not be written")
            self._inc("resume/notes_lost")

    def _spider_closed(self, reason: str = "", **_: Any) -> None:
        if self.journal is None:
            return
        if reason == "finished":
            self.journal.finish()
        self.journal.close()

    def _inc(self, key: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(key)


# --- the three Scrapy components --------------------------------------------------------------
class ResumableDupeFilter(RFPDupeFilter):
    """Fingerprint dupe filter whose "seen" set on disk is what is *done*, not what was queued."""

    def __init__(self, state: ResumeState, debug: bool = False) -> None:
        super().__init__(None, debug, fingerprinter=state.crawler.request_fingerprinter)
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumableDupeFilter:
        return cls(ResumeState.of(crawler), crawler.settings.getbool("DUPEFILTER_DEBUG"))

    def open(self) -> None:
        self._fingerprints = {bytes.fromhex(fp) for fp in self.state.done}

    def request_seen(self, request: Request) -> bool:
        fp = self.fingerprinter.fingerprint(request)
        if fp in self._fingerprints:
            return True
        self._fingerprints.add(fp)
        self.state.record_scheduled(fp.hex(), request)
        return False


class JournalScheduler(Scheduler):
    """Scrapy's scheduler, with its requests in memory even when a job directory is set.

    The journal is the crash-safe record; Scrapy's disk queue would, after a kill, replay a
    stale index next to the journal's requests.
    """

    def _dqdir(self, jobdir: str | None) -> str | None:
        return None

    def sites_waiting(self) -> int:
        """Download slots (sites) with requests waiting here: what the spider's lazy start
        bounds (``YINGJI_SITES_IN_PROGRESS``). Scrapy's default priority queue
        (``DownloaderAwarePriorityQueue``) keeps one queue per slot and drops it once empty;
        another queue class counts as one slot while it holds anything."""
        queue = getattr(self, "mqs", None)  # made by open()
        if queue is None:
            return 0
        slots = getattr(queue, "pqueues", None)
        return len(slots) if isinstance(slots, dict) else int(bool(len(queue)))


class ResumeMiddleware:
    """Issues unfinished requests first on resume, and tells the journal when a page is done."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.state = ResumeState.of(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResumeMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        assert self.crawler.spider is not None
        for request in self.state.take_requests_to_reissue(self.crawler.spider):
            yield request
        async for obj in start:
            yield obj

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        if self.state.journal is None:
            yield from result
            return
        fp = self.state.output_started(response)
        completed = False
        try:
            for obj in result:
                self._count(fp, obj)
                yield obj
            completed = True
        except Exception:  # the callback failed: that page is as done as it will ever be
            completed = True
            raise
        finally:  # not on GeneratorExit: output cut short by a shutdown is not done
            if completed:
                self.state.output_finished(fp)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        if self.state.journal is None:
            async for obj in result:
                yield obj
            return
        fp = self.state.output_started(response)
        completed = False
        try:
            async for obj in result:
                self._count(fp, obj)
                yield obj
            completed = True
        except Exception:
            completed = True
            raise
        finally:
            if completed:
                self.state.output_finished(fp)

    def _count(self, fp: str, obj: Any) -> None:
        """An item is not done before it leaves the pipelines (the scraper ignores ``None``)."""
        if obj is not None and not isinstance(obj, Request):
            self.state.item_started(fp)
