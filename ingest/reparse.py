"""Parse stored raw documents again, with no network: the function behind ``yingji reparse``.

Raw documents are kept (file store + ``documents`` table), so a better parser never needs a
recrawl. Re-parsing goes through the same steps as a crawl — :func:`parse_stored` for each
document, :func:`ingest.choice.choose` to pick the report among the documents of one page,
the store step of ingest/storing.py to store it — so a record that did not change is a noop
and one that did gets exactly one new version.

Documents are grouped as the crawl found them: an article page and the attachment that held
its report share a URL (the article's, which the crawl recorded as a source of the attachment),
so they are re-parsed together and the better parse wins again, instead of each document
becoming a version of its own.

At the parser's rate, in constant memory: the documents' metadata is read first (the grouping
needs every URL; a few hundred bytes a document), then each group is one job of the parse
pool — its documents parsed, the report chosen and planned (completion, the agency's identity,
the content hash: :func:`ingest.storing.plan_parsed`) in the worker — a bounded window ahead of
the groups being stored, and this process only writes: many groups to one transaction
(:func:`ingest.storing.store_planned`; a group the database refuses fails alone), while the
workers parse the next ones. A group's plan is dropped as soon as it is stored.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ingest.choice import choose
from ingest.parsing import DEFAULT_TIMEOUT, PARSE_WARM, ParsePool, parse_stored
from ingest.storing import PlannedItem, plan_parsed, store_planned
from ingest.types import Found, ParseAttempt, StoredDocument
from models.vocabulary import Outcome as Action
from storage import queries
from yingji_parser import PARSER_VERSION


@dataclass
class ReparseCounts:
    """What a re-parse did: one outcome per report (group of documents)."""

    documents: int = 0
    insert: int = 0
    noop: int = 0
    new_version: int = 0
    failed: int = 0  # a document that cannot be parsed (corrupt, unsupported, missing file …)
    no_report: int = 0  # parsed, but no report in it (an article that only links attachments)
    errors: list[str] = field(default_factory=list)

    def add(self, action: Action) -> None:
        setattr(self, action.value, getattr(self, action.value) + 1)

    def line(self) -> str:
        return (
            f"re-parsed {self.documents} documents: insert {self.insert}, noop {self.noop}, "
            f"new_version {self.new_version}, failed {self.failed}, no report {self.no_report}"
        )


def group_documents(docs: Iterable[Any]) -> list[list[Any]]:
    """Documents that share a URL belong to one report (union-find over their URLs)."""
    docs = list(docs)
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, doc in enumerate(docs):
        for url in doc.urls:
            if url in owner:
                parent[find(i)] = find(owner[url])
            else:
                owner[url] = i
    groups: dict[int, list[Any]] = {}
    for i, doc in enumerate(docs):
        groups.setdefault(find(i), []).append(doc)
    return list(groups.values())


@dataclass(frozen=True, slots=True)
class Group:
    """The documents of one report as the crawl found them, and where: a parse job's input."""

    name: str  # what a progress line or a failure names: the first document
    docs: tuple[StoredDocument, ...]
    found: Found


@dataclass(frozen=True, slots=True)
class Planned:
    """A group parsed and planned: ready to store. ``unreadable``: a document gave no parse at
    all (corrupt, unsupported, missing, past a limit), so a group without a report counts as
    failed rather than as holding no report."""

    item: PlannedItem
    unreadable: bool


class _Urls(NamedTuple):
    sha256: str
    urls: list[str]


#: groups whose documents' metadata is read in one query, as the window reaches them
PAGE_GROUPS = 256


def _read(store: Any, groups: list[tuple[str, ...]]) -> Iterator[Group]:
    """The groups with their documents' metadata, read a page of groups at a time: the whole
    store's metadata is never held (only the sha256 of each document, grouped). Storing a group
    changes the rows of its own documents only, so a page read late reads what the start did."""
    for start in range(0, len(groups), PAGE_GROUPS):
        page = groups[start : start + PAGE_GROUPS]
        wanted = [sha for group in page for sha in group]
        read = store.read(lambda conn, wanted=wanted: queries.documents_of(conn, wanted))
        infos = {d.sha256: d for d in read}
        for shas in page:
            docs = [infos[sha] for sha in shas if sha in infos]
            if docs:
                yield _group(docs)


def _group(docs: list[Any]) -> Group:
    first = docs[0]
    title = next((d.title for d in docs if d.title), None)
    stored = tuple(_stored(d) for d in docs)
    return Group(
        first.original_name or first.sha256, stored, Found(first.region, first.site_name, title)
    )


def _stored(doc: Any) -> StoredDocument:
    return StoredDocument(
        kind="document",
        url=doc.urls[0] if doc.urls else f"sha256:{doc.sha256}",
        name=doc.original_name,
        sha256=doc.sha256,
        path=doc.path,
        size=doc.size,
        content_type=doc.content_type,
    )


def plan_group(root: str, group: Group) -> Planned:
    """Parse a group's documents, choose its report and plan its store: one parse job (of a
    group of one document; see :meth:`_Ahead._plan`). Module-level and given plain values, so
    a process pool can run it."""
    attempts = [parse_stored(*_args(root, doc)) for doc in group.docs]
    return plan_parses(group, attempts)


def plan_parses(group: Group, attempts: list[ParseAttempt]) -> Planned:
    """Choose a group's report from its documents' parses and plan its store (CPU only): the
    end of :func:`plan_group`, and the job that follows the parse jobs of a larger group."""
    pairs = list(zip(group.docs, attempts, strict=True))
    choice = choose(group.docs[0].url, pairs, group.found.title)
    unreadable = any(att.error is not None for att in attempts)
    return Planned(plan_parsed(choice, group.docs, group.found), unreadable)


#: what a re-parse worker loads as it starts (ingest.parsing.ParsePool): the parser, and the
#: store's planning code with the division table its agencies are resolved against
REPARSE_WARM = (*PARSE_WARM, "ingest.reparse", "storage.identity:division_table")
#: documents parsed (or parsing, or waiting for their transaction) ahead of the groups stored,
#: per worker: enough that no worker waits while a batch gathers and commits, few enough that
#: memory does not grow with the store
AHEAD_PER_WORKER = 8
#: groups stored in one transaction at most, and the longest a parsed group waits for its
#: commit: a commit costs more than a group's statements, and a group waits little
BATCH_GROUPS = 8
BATCH_SECONDS = 0.5


def reparse(
    store: Any,
    files_root: str,
    *,
    older_than_parser: bool = False,
    agency: str | None = None,
    year: int | None = None,
    workers: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    pool: str = "process",
    progress: Callable[[str], None] | None = None,
) -> ReparseCounts:
    """Run the current parser over stored documents and store the results; no network.

    ``older_than_parser``: only documents last parsed by another parser version (or never).
    ``agency``/``year``: only documents a version of that agency/year was parsed from.
    ``workers``: parse in that many workers of a ``pool`` ("process" or "thread") with
    ``timeout`` seconds per parse, as the crawl does; 1 parses in this process.
    """
    exclude = PARSER_VERSION if older_than_parser else None
    selected = store.read(
        lambda conn: queries.document_urls(
            conn, exclude_parser_version=exclude, agency=agency, year=year
        )
    )
    counts = ReparseCounts(documents=len(selected))
    found = [_Urls(sha, urls) for sha, urls in selected]
    del selected
    groups = _read(store, [tuple(d.sha256 for d in g) for g in group_documents(found)])
    del found
    if workers <= 1 or counts.documents <= 1:
        ahead: _Source = _Inline(groups, files_root)
    else:
        parse_pool = ParsePool(pool, min(workers, counts.documents), timeout, warm=REPARSE_WARM)
        ahead = _Ahead(groups, files_root, parse_pool)
    try:
        _store_all(store, ahead, counts, progress)
    finally:
        ahead.close()
    return counts


def _args(root: str, doc: StoredDocument) -> tuple[str, str, str | None, str | None]:
    return (root, doc.sha256, doc.name, doc.content_type)  # type: ignore[return-value]


class _Source:
    """The planned groups, in order; ``next`` returns None when none is ready in ``wait``
    seconds (``None``: wait for it) and raises StopIteration after the last."""

    def next(self, wait: float | None) -> tuple[Group, Planned] | None:
        raise NotImplementedError

    def stored(self, group: Group) -> None:
        """``group`` is committed: its place in the window is free."""

    def close(self) -> None:
        """Stop the workers."""


class _Inline(_Source):
    """Every group parsed and planned in this process, when it is asked for (one worker)."""

    def __init__(self, groups: Iterator[Group], root: str) -> None:
        self.rest = groups
        self.root = root

    def next(self, wait: float | None) -> tuple[Group, Planned] | None:
        group = next(self.rest)
        return group, plan_group(self.root, group)


class _Ahead(_Source):
    """Groups planned in ``pool``, at most ``AHEAD_PER_WORKER`` documents per worker ahead of
    the groups committed (parsing, parsed, or in the batch not yet committed).

    One waiting thread per worker calls :meth:`ParsePool.run`, so at most one job per worker
    is in the pool and each job's time limit measures its parses, never its queue."""

    def __init__(self, groups: Iterator[Group], root: str, pool: ParsePool) -> None:
        self.pool = pool
        self.root = root
        self.limit = pool.workers * AHEAD_PER_WORKER
        self.rest = groups
        self.pending: deque[tuple[Group, cf.Future[Planned]]] = deque()
        self.held = 0  # documents submitted and not yet committed
        self.waits = cf.ThreadPoolExecutor(pool.workers, thread_name_prefix="yingji-reparse")
        self._fill()

    def _fill(self) -> None:
        while self.held < self.limit and (group := next(self.rest, None)) is not None:
            self.pending.append((group, self.waits.submit(self._plan, group)))
            self.held += len(group.docs)

    def _plan(self, group: Group) -> Planned:
        """One group's jobs (in a waiting thread). A group of one document is one job, its
        parse and plan. A group of several is parsed one document a job, as a crawl parses
        them, so that a parse past its time or memory limit is that document's failure and
        the others still count, and then chosen and planned in one more job (here, should
        that job fail: the plan is pure CPU, the answer is the same)."""
        if len(group.docs) == 1:
            out = self.pool.run(plan_group, self.root, group)
            return out if isinstance(out, Planned) else plan_parses(group, [out])
        attempts = [self.pool.run(parse_stored, *_args(self.root, doc)) for doc in group.docs]
        planned = self.pool.run(plan_parses, group, attempts)
        return planned if isinstance(planned, Planned) else plan_parses(group, attempts)

    def next(self, wait: float | None) -> tuple[Group, Planned] | None:
        if not self.pending:
            raise StopIteration
        group, call = self.pending[0]
        try:
            planned = call.result(timeout=wait)
        except cf.TimeoutError:
            return None
        self.pending.popleft()
        return group, planned

    def stored(self, group: Group) -> None:
        self.held -= len(group.docs)
        self._fill()

    def close(self) -> None:
        self.waits.shutdown(wait=True, cancel_futures=True)
        self.pool.close()


def _store_all(
    store: Any,
    source: _Source,
    counts: ReparseCounts,
    progress: Callable[[str], None] | None,
) -> None:
    """Store every planned group, ``BATCH_GROUPS`` to a transaction, committing early when the
    next group is not ready within ``BATCH_SECONDS`` of the batch's first."""
    batch: list[tuple[Group, Planned]] = []
    began = 0.0
    while True:
        wait = max(0.0, began + BATCH_SECONDS - time.monotonic()) if batch else None
        try:
            got = source.next(wait)
        except StopIteration:
            break
        if got is not None:
            if not batch:
                began = time.monotonic()
            batch.append(got)
        full = len(batch) >= BATCH_GROUPS or time.monotonic() - began >= BATCH_SECONDS
        if batch and (got is None or full):
            _commit(store, batch, source, counts, progress)
            batch = []
    if batch:
        _commit(store, batch, source, counts, progress)


def _commit(
    store: Any,
    batch: list[tuple[Group, Planned]],
    source: _Source,
    counts: ReparseCounts,
    progress: Callable[[str], None] | None,
) -> None:
    """One transaction for the batch, then each group's outcomes counted as a crawl's are."""
    results = store_planned(store, [planned.item for _, planned in batch])
    for (group, planned), outcomes in zip(batch, results, strict=True):
        _count(group, planned, outcomes, counts, progress)
        source.stored(group)


def _count(
    group: Group,
    planned: Planned,
    outcomes: tuple[Any, ...],
    counts: ReparseCounts,
    progress: Callable[[str], None] | None,
) -> None:
    name = group.name
    main, *others = outcomes
    if main.action == Action.FAILED:
        if planned.unreadable or main.store_failed:
            counts.failed += 1
            counts.errors.append(f"{name}: {main.reason}")
        else:
            counts.no_report += 1
    else:
        counts.add(main.action)
    for other in others:  # more reports the same page carried
        if other.stored:
            counts.add(other.action)
        else:
            counts.failed += 1
            counts.errors.append(f"{name}: {other.reason}")
    if progress is not None:
        progress(f"{main.action:12} {name}")
