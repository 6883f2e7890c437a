"""Parse stored raw documents again, with no network: the function behind ``yingji reparse``.

Raw documents are kept (file store + ``documents`` table), so a better parser never needs a
recrawl. Re-parsing goes through the same steps as a crawl — :func:`parse_stored` for each
document, :func:`ingest.choice.choose` to pick the report among the documents of one page,
:func:`ingest.storing.store_parsed` to store it — so a record that did not change is a noop
and one that did gets exactly one new version.

Documents are grouped as the crawl found them: an article page and the attachment that held
its report share a URL (the article's, which the crawl recorded as a source of the attachment),
so they are re-parsed together and the better parse wins again, instead of each document
becoming a version of its own.

Streamed, so that a store of any size runs at the parser's rate in constant memory: the
documents' metadata is read first (the grouping needs every URL; a few hundred bytes a
document), then groups are parsed in the parse pool a bounded window ahead of the group being
stored — the workers parse the next groups while this thread stores — and a parse result is
dropped as soon as its group is stored.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.choice import choose
from ingest.parsing import DEFAULT_TIMEOUT, ParsePool, parse_stored
from ingest.storing import store_parsed
from ingest.types import Found, ParseAttempt, StoredDocument
from models.vocabulary import Outcome as Action
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


#: documents parsed (or parsing) ahead of the group being stored, per worker: enough that no
#: worker waits while a group is stored, few enough that memory does not grow with the store
AHEAD_PER_WORKER = 4


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
    docs = list(
        store.iter_documents(
            exclude_parser_version=PARSER_VERSION if older_than_parser else None,
            agency=agency,
            year=year,
        )
    )
    counts = ReparseCounts(documents=len(docs))
    groups = group_documents(docs)
    del docs
    if workers <= 1 or counts.documents <= 1:
        parsed = ((g, [parse_stored(*_args(files_root, d)) for d in g]) for g in groups)
        for group, attempts in parsed:
            _store_group(store, group, attempts, counts, progress)
        return counts
    parse_pool = ParsePool(pool, min(workers, counts.documents), timeout)
    try:
        for group, attempts in _parse_ahead(groups, files_root, parse_pool):
            _store_group(store, group, attempts, counts, progress)
    finally:
        parse_pool.close()
    return counts


def _args(root: str, doc: Any) -> tuple[str, str, str | None, str | None]:
    return (root, doc.sha256, doc.original_name, doc.content_type)


def _parse_ahead(
    groups: list[list[Any]], root: str, pool: ParsePool
) -> Iterator[tuple[list[Any], list[ParseAttempt]]]:
    """Each group with its documents' parses, in order, parsed in ``pool`` at most
    ``AHEAD_PER_WORKER`` documents per worker ahead of the group handed out.

    One waiting thread per worker calls :meth:`ParsePool.run`, so at most one job per worker
    is in the pool and each parse's time limit measures the parse, never its queue."""
    limit = pool.workers * AHEAD_PER_WORKER
    pending: deque[tuple[list[Any], list[cf.Future[ParseAttempt]]]] = deque()
    queued = 0
    rest = iter(groups)
    waits = cf.ThreadPoolExecutor(pool.workers, thread_name_prefix="yingji-reparse")

    def fill() -> None:
        nonlocal queued
        while queued < limit and (group := next(rest, None)) is not None:
            calls = [waits.submit(pool.run, parse_stored, *_args(root, d)) for d in group]
            pending.append((group, calls))
            queued += len(group)

    try:
        fill()
        while pending:
            group, calls = pending.popleft()
            attempts = [call.result() for call in calls]
            queued -= len(group)
            fill()  # the workers go on with the next groups while this one is stored
            yield group, attempts
    finally:
        waits.shutdown(wait=True, cancel_futures=True)


def _store_group(
    store: Any,
    group: list[Any],
    attempts: list[ParseAttempt],
    counts: ReparseCounts,
    progress: Callable[[str], None] | None,
) -> None:
    """Choose and store one group's report(s) as the crawl does, and count what it did."""
    pairs = [(_stored(d), att) for d, att in zip(group, attempts, strict=True)]
    first = group[0]
    name = first.original_name or first.sha256
    title = next((d.title for d in group if d.title), None)
    choice = choose(pairs[0][0].url, pairs, title)
    found = Found(first.region, first.site_name, title)
    main, *others = store_parsed(store, choice, [doc for doc, _ in pairs], found)
    if main.action == Action.FAILED:
        if any(att.error is not None for _, att in pairs):
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
