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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


def reparse(
    store: Any,
    files_root: str,
    *,
    older_than_parser: bool = False,
    agency: str | None = None,
    year: int | None = None,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> ReparseCounts:
    """Run the current parser over stored documents and store the results; no network.

    ``older_than_parser``: only documents last parsed by another parser version (or never).
    ``agency``/``year``: only documents a version of that agency/year was parsed from.
    """
    docs = list(
        store.iter_documents(
            exclude_parser_version=PARSER_VERSION if older_than_parser else None,
            agency=agency,
            year=year,
        )
    )
    counts = ReparseCounts(documents=len(docs))
    attempts = _parse_all(docs, files_root, workers)
    for group in group_documents(docs):
        pairs = [(_stored(d), attempts[d.sha256]) for d in group]
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
    return counts


def _parse_all(docs: list[Any], root: str, workers: int) -> dict[str, ParseAttempt]:
    """Every document's parse: in this process for one worker, else in the crawl's pool policy
    (worker processes, a time limit per parse, a dead or hung worker replaced)."""
    args = [(root, d.sha256, d.original_name, d.content_type) for d in docs]
    if workers <= 1 or len(docs) <= 1:
        return {a[1]: parse_stored(*a) for a in args}
    pool = ParsePool("process", min(workers, len(docs)), DEFAULT_TIMEOUT)
    try:
        return {a[1]: r for a, r in zip(args, pool.map(parse_stored, args), strict=True)}
    finally:
        pool.close()
