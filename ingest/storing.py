"""Storing one item's parse: its documents, their statuses and its report(s), in one transaction.

What it does for one item, in one write transaction (retried whole on transient errors):

- every downloaded document is registered (metadata, where it was found, its latest parse
  status and reason) — so a broken file keeps its reason and ``yingji reparse`` finds it;
- the chosen record is completed (ingest/completion.py) and stored with its agency's region
  and every source URL, and so is each further report the page carried (``Choice.others``);
- a failure is recorded on the document to blame, counted once in the run.

Everything that can be derived without the database (completion, the agency's identity —
resolved once per report —, the content hash, whether the record is storable at all) is
derived before the transaction opens, so the transaction only writes.

``yingji reparse`` splits the two halves: :func:`plan_parsed` is that derivation as a plain
value (its parse workers run it, next to the parse), :func:`store_planned` the writes of many
items in one transaction, an item the database refuses failing alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from ingest.completion import (
    COMPLETED_CODE,
    complete_record,
    document_status,
    fill_from_title,
    report_place,
)
from ingest.types import Candidate, Choice, Found, Outcome, StoredDocument
from models.vocabulary import Outcome as Action
from storage import db, documents, reports
from storage.content import now
from storage.reports import PreparedReport, UnstorableRecord
from storage.store import Store


@dataclass(frozen=True, slots=True)
class _Plan:
    """One report to store (``prepared`` and its sources) or a failure to record."""

    prepared: PreparedReport | None
    primary: str | None
    others: tuple[str, ...]
    blame: str | None  # sha256 of the document a failure is recorded on
    reason: str | None
    parser_version: str | None


def store_parsed(
    store: Store, choice: Choice, docs: Sequence[StoredDocument], found: Found
) -> tuple[Outcome, ...]:
    """Store one item's choice; returns one Outcome per report, the chosen one first and then
    each further report the page carried (``choice.others``), in order. Nothing handed in is
    changed. Raises what the database raises once its retries are spent (the caller decides
    what a failed store means: see pipelines/store.py)."""
    if choice.result is None or not choice.record:
        main = _failure(choice, docs, choice.error or "no report found")
        extra: list[_Plan] = []
    else:
        main = _plan(choice, docs, found)
        extra = [_plan(other, docs, found) for other in choice.others]
    when = now(None)

    def txn(conn: Connection) -> tuple[Outcome, ...]:
        known = _register(conn, choice, docs, found, when)
        return tuple(_execute(conn, plan, found, when, known) for plan in (main, *extra))

    results, _ = store.write(txn)
    return results


def _register(
    conn: Connection,
    choice: Choice,
    docs: Sequence[StoredDocument],
    found: Found,
    when: datetime,
) -> frozenset[tuple[str, str]]:
    """Every downloaded document, where it was found, and its latest parse: one statement for
    the document's row (metadata and parse together) and one for its URL. Returns the
    (sha256, url) pairs registered, so that storing the report does not register them again."""
    candidates = {c.sha256: c for c in choice.candidates if c.sha256}
    known: set[tuple[str, str]] = set()
    for doc in docs:
        if doc.sha256 is None:
            continue
        cand = candidates.get(doc.sha256)
        parse = documents.LatestParse(*document_status(cand), cand.parser_version) if cand else None
        documents.add(
            conn,
            doc.sha256,
            when=when,
            doc_type=cand.doc_type if cand else None,
            size=doc.size,
            path=doc.path,
            original_name=doc.name,
            content_type=doc.content_type,
            url=doc.url,
            region=found.region,
            site_name=found.site_name,
            title=found.title,
            parse=parse,
        )
        known.add((doc.sha256, doc.url))
    return frozenset(known)


def _plan(choice: Choice, docs: Sequence[StoredDocument], found: Found) -> _Plan:
    """Complete one chosen record and prepare it with all its sources."""
    assert choice.record is not None
    warnings = choice.warnings
    record, hint = fill_from_title(choice.record, found.title)
    if hint is not None:
        was = choice.record
        resolved = {f"{k}_missing" for k in ("title", "agency", "year") if not was.get(k)}
        resolved -= {f"{k}_missing" for k in ("title", "agency", "year") if not record.get(k)}
        warnings = [w for w in warnings if w.get("code") not in resolved] + [hint]
    record, warning = complete_record(record, found.region)
    if warning is not None:
        warnings = [w for w in warnings if w.get("code") != COMPLETED_CODE] + [warning]
    source = choice.source
    primary = source.url if source is not None else (choice.sources or (None,))[0]
    region, identity = report_place(record.get("agency"), found.region)
    try:
        prepared = reports.prepare(
            record,
            region=region,
            raw_sha256=source.sha256 if source is not None else None,  # type: ignore[arg-type]
            raw_type=choice.doc_type or "unknown",
            status=choice.status,
            warnings=warnings,
            parser_version=choice.version or "",
            identity=identity if region else None,  # resolved once, unless region is the record's
        )
    except UnstorableRecord as exc:
        return _failure(choice, docs, f"not storable: {exc}")
    others = tuple(url for url in choice.sources if url != primary)
    return _Plan(prepared, primary, others, None, None, choice.version)


def _failure(choice: Choice, docs: Sequence[StoredDocument], reason: str) -> _Plan:
    """The failure, on the document to blame: the source, or, when that one never
    downloaded, the item's page, which carries the reason instead."""
    source = choice.source
    if source is not None and source.sha256:
        blame: str | None = source.sha256
    else:
        blame = next((d.sha256 for d in docs if d.sha256), None)
    return _Plan(None, None, (), blame, reason, choice.version)


def _execute(
    conn: Connection,
    plan: _Plan,
    found: Found,
    when: datetime,
    known: frozenset[tuple[str, str]],
) -> Outcome:
    run_id = found.run_id
    if plan.prepared is None:
        if plan.blame:
            documents.set_status(
                conn,
                plan.blame,
                "failed",
                plan.reason,
                plan.parser_version,
                when=when,
                run_id=run_id,
            )
        return Outcome(Action.FAILED, plan.reason)
    p = plan.prepared
    registered = any(sha == p.raw_sha256 for sha, _ in known)
    for url in (plan.primary, *plan.others) if registered else ():
        # every source is a place the report's document was found; the pairs _register just
        # wrote already hold the site's region (when it has none, the report's may fill it)
        if (p.raw_sha256, url) not in known or (found.region is None and p.region is not None):
            documents.add_url(conn, p.raw_sha256, url, p.region, when)  # type: ignore[arg-type]
    outcome = reports.store(
        conn,
        p,
        plan.primary,  # type: ignore[arg-type]
        when,
        run_id,
        register_document=not registered,
    )
    for url in plan.others:  # the same content again: a source of the version just stored
        if registered:
            reports.add_source(conn, outcome.version_id, url, when)
        else:
            reports.store(conn, p, url, when, None)
    return Outcome(outcome.action, version_id=outcome.version_id)


@dataclass(frozen=True, slots=True)
class PlannedItem:
    """One item as :func:`store_parsed` has it just before its transaction: what each document
    gave (``candidates``, for the documents' statuses), the documents, where they were found and
    one plan per report (the chosen one first). Plain values, so a parse worker can derive it
    and hand it over: smaller than the parses it comes from (no parse results, no choice)."""

    candidates: tuple[Candidate, ...]
    docs: tuple[StoredDocument, ...]
    found: Found
    plans: tuple[_Plan, ...]


def plan_parsed(choice: Choice, docs: Sequence[StoredDocument], found: Found) -> PlannedItem:
    """Everything :func:`store_parsed` derives for ``choice`` before it writes (completion, the
    agency's identity, the content hash and cells), with no database: CPU only."""
    plans: tuple[_Plan, ...]
    if choice.result is None or not choice.record:
        plans = (_failure(choice, docs, choice.error or "no report found"),)
    else:
        plans = (_plan(choice, docs, found), *(_plan(o, docs, found) for o in choice.others))
    return PlannedItem(choice.candidates, tuple(docs), found, plans)


class _Refused(Exception):
    """An item of an optimistic batch the database refused: the batch is rolled back and
    stored again with each item in a SAVEPOINT (see :func:`store_planned`)."""


def store_planned(store: Store, items: Sequence[PlannedItem]) -> list[tuple[Outcome, ...]]:
    """Store many planned items in one write transaction: the same writes, in the same order,
    as :func:`store_parsed` of each, for one commit instead of one each (a commit, its BEGIN
    and the retry's set-up cost more than an item's statements).

    An item the database refuses (a constraint, a value it cannot hold) fails alone: its
    outcome is ``failed`` with ``store_failed`` and the reason, while the others are kept. So
    that the usual batch, where nothing is refused, pays no SAVEPOINT and RELEASE per item, the
    batch first runs without them; only when an item is refused is it rolled back and run
    again with each item in a SAVEPOINT of its own. A transient error (a lock, a dropped
    connection) is not an item's fault: the whole transaction is retried, as store_parsed's is.
    """
    try:
        return _store_items(store, items, isolate=False)
    except _Refused:
        return _store_items(store, items, isolate=True)


def _store_items(
    store: Store, items: Sequence[PlannedItem], *, isolate: bool
) -> list[tuple[Outcome, ...]]:
    when = now(None)

    def one(conn: Connection, item: PlannedItem) -> tuple[Outcome, ...]:
        # _register reads only the candidates of the choice
        choice = Choice(None, None, (), item.candidates)
        known = _register(conn, choice, item.docs, item.found, when)
        return tuple(_execute(conn, p, item.found, when, known) for p in item.plans)

    def txn(conn: Connection) -> list[tuple[Outcome, ...]]:
        out: list[tuple[Outcome, ...]] = []
        for item in items:
            try:
                if not isolate:
                    out.append(one(conn, item))
                    continue
                with conn.begin_nested():
                    out.append(one(conn, item))
            except SQLAlchemyError as exc:
                if db.is_transient(exc):
                    raise
                if not isolate:
                    raise _Refused from exc
                first = (str(exc).splitlines() or [""])[0]
                reason = f"store failed: {type(exc).__name__}: {first}"
                out.append((Outcome(Action.FAILED, reason, store_failed=True),))
        return out

    results, _ = store.write(txn)
    return results
