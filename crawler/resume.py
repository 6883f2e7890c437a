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
  directory then starts afresh, so a scheduled job can keep one job directory for ever.

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

import base64
import logging
import os
import pickle
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Response
from scrapy.utils.job import job_dir
from scrapy.utils.request import request_from_dict

logger = logging.getLogger(__name__)

JOURNAL_NAME = "requests.journal"


# --- the journal: plain functions over bytes and one append-only file -----------------------
@dataclass
class JournalState:
    """What a journal says: fingerprints done, requests scheduled but not done, finished?"""

    done: set[str] = field(default_factory=set)
    pending: dict[str, bytes] = field(default_factory=dict)  # fingerprint -> serialised request
    finished: bool = False


def parse_journal(data: bytes) -> JournalState:
    """Read journal bytes; a torn last line or a garbled line is skipped, never fatal."""
    state = JournalState()
    lines = data.split(b"\n")
    for line in lines[:-1]:  # the last element is b"" or a line the writer never finished
        parts = line.split(b"\t")
        try:
            if parts[0] == b"S" and len(parts) == 3:
                fp = parts[1].decode("ascii")
                if fp not in state.done:
                    state.pending[fp] = base64.b64decode(parts[2], validate=True)
            elif parts[0] == b"D" and len(parts) == 2:
                fp = parts[1].decode("ascii")
                state.done.add(fp)
                state.pending.pop(fp, None)
            elif parts[0] == b"F":
                state.finished = True
            elif line:
                logger.warning("request journal: skipping an unreadable line")
        except (UnicodeDecodeError, ValueError):
            logger.warning("request journal: skipping an unreadable line")
    return state


def scheduled_record(fp: str, payload: bytes) -> bytes:
    return b"S\t" + fp.encode("ascii") + b"\t" + base64.b64encode(payload) + b"\n"


def done_record(fp: str) -> bytes:
    return b"D\t" + fp.encode("ascii") + b"\n"


FINISHED_RECORD = b"F\n"


class RequestJournal:
    """The journal file of one job directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def open(self) -> JournalState:
        """Load the journal and rewrite it compactly (drops done payloads and any torn line).

        A journal of a finished crawl is discarded: this is a new crawl.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            state = parse_journal(self.path.read_bytes())
        except FileNotFoundError:
            state = JournalState()
        if state.finished:
            state = JournalState()
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("wb") as fh:
            fh.writelines(done_record(fp) for fp in sorted(state.done))
            fh.writelines(scheduled_record(fp, p) for fp, p in state.pending.items())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        return state

    def _write(self, record: bytes) -> None:
        if self._fd is not None:
            os.write(self._fd, record)

    def scheduled(self, fp: str, payload: bytes) -> None:
        self._write(scheduled_record(fp, payload))

    def done(self, fp: str) -> None:
        self._write(done_record(fp))

    def finish(self) -> None:
        self._write(FINISHED_RECORD)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


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
        return fp

    def item_started(self, fp: str) -> None:
        self._open[fp] += 1

    def output_finished(self, fp: str) -> None:
        self._release(fp)

    def _item_left_pipelines(self, response: Any = None, **_: Any) -> None:
        if isinstance(response, Response) and response.request is not None:
            fp = self.fingerprint(response.request)
            if self._open[fp] > 0:
                self._release(fp)

    def _release(self, fp: str) -> None:
        self._open[fp] -= 1
        if self._open[fp] <= 0:
            del self._open[fp]
            if fp and self.journal is not None:
                self.journal.done(fp)

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


def journal_unfinished(jobdir: str | os.PathLike[str]) -> bool:
    """Whether the job directory holds a crawl that began and did not finish (cheap: the tail)."""
    path = Path(jobdir) / JOURNAL_NAME
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return False
            fh.seek(max(0, size - 256))
            tail = fh.read()
    except FileNotFoundError:
        return False
    complete = tail.split(b"\n")[:-1]  # the last element is b"" or a torn line
    return not complete or complete[-1] != FINISHED_RECORD.rstrip(b"\n")
