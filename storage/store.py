"""The Store: the database opened once, and the operations callers use on its aggregates.

``Store`` owns the engine and the two ways in: :meth:`Store.write` runs a function in one write
transaction, retried whole by tenacity on transient errors (SQLite locked, PostgreSQL connection
dropped, serialization failure); :meth:`Store.read` runs one in a read-only session. Idempotence
makes a retry safe: a transaction that did commit before the error is seen on retry as a noop.

The methods below are the stable API of the callers (the crawl's run record, the store
pipeline, the commands); each is one transaction over one aggregate module — reports,
documents, runs — or one read model (queries). Storing a whole crawled item in one transaction
is ingest/storing.py, which composes the same aggregate functions inside one :meth:`write`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from storage import db, documents, queries, reports, runs
from storage.content import now
from storage.documents import DocumentInfo
from storage.queries import RunInfo, SiteResult
from storage.reports import StoreOutcome

T = TypeVar("T")


class Store:
    """yingji's database, behind the operations the pipelines need.

    ``Store(url)`` opens (and, with ``upgrade=True``, migrates) the database at ``url`` or the
    configured one (storage.config.database_url). A database from a newer yingji, a bad URL or
    an unreachable server raise storage.errors.UserError. Use as a context manager or close().

    ``create=False`` is for the commands that only read (export, runs, reparse): a missing
    SQLite file or a database without yingji's schema is then a UserError, never a new empty
    database. ``max_delay`` bounds how long a write (a report, the run record) is retried on
    transient errors — a locked SQLite, a PostgreSQL restart.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        upgrade: bool = True,
        create: bool = True,
        sqlite_busy_timeout: float = 10.0,
        max_attempts: int | None = None,
        max_delay: float = 60.0,
    ) -> None:
        self.engine: Engine = db.make_engine(
            url, sqlite_busy_timeout=sqlite_busy_timeout, create=create
        )
        self._max_attempts = max_attempts
        self._max_delay = max_delay
        try:
            db.ensure_schema(self.engine, upgrade=upgrade, create=create)
        except BaseException:
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the two ways in --

    def write(self, fn: Callable[[Connection], T]) -> tuple[T, int]:
        """``fn(conn)`` in one write transaction, retried whole on transient errors; returns
        its result and the number of transactions tried."""

        def attempt() -> T:
            with db.write_transaction(self.engine) as conn:
                return fn(conn)

        policy = db.retrying(max_attempts=self._max_attempts, max_delay=self._max_delay)
        return db.run_with_retry(attempt, policy=policy)

    def read(self, fn: Callable[[Session], T]) -> T:
        """``fn(session)`` in a read-only ORM session, retried on transient errors."""

        def attempt() -> T:
            with Session(self.engine) as session:
                try:
                    return fn(session)
                finally:
                    session.rollback()

        policy = db.retrying(max_attempts=self._max_attempts, max_delay=self._max_delay)
        return db.run_with_retry(attempt, policy=policy)[0]

    def check_writable(self, files_root: Path | str | None = None) -> None:
        """UserError unless a real write to the database (and ``files_root``) succeeds:
        read-only file, directory or file system, full disk, read-only role (storage/writable)."""
        from storage import writable

        writable.check(self, Path(files_root) if files_root is not None else None)

    # -- reports --

    def store_report(
        self,
        record: dict[str, Any],
        *,
        region: str | None,
        source_url: str,
        raw_sha256: str,
        raw_type: str,
        status: str,
        warnings: list[dict[str, Any]],
        parser_version: str,
        seen_at: datetime | None = None,
        run_id: int | None = None,
    ) -> StoreOutcome:
        """Store one parsed record found at ``source_url``; see storage/reports.py.

        ``record`` is the parser's record (agency and year required; the agency already
        completed from the site if it was cut short, see ingest/completion.py); ``region`` the
        site's region (kept with the version, used to resolve the agency's division);
        ``raw_sha256``/``raw_type`` the document it was parsed from (a documents row is created
        if add_document was not called); ``status`` one of parsed / partial / needs_ocr /
        unstructured (a failed parse is a document status: set_document_status). With
        ``run_id`` the run's insert/noop/new_version counters move in the same transaction.
        Raises UnstorableRecord for a record without agency or year.
        """
        prepared = reports.prepare(
            record,
            region=region,
            raw_sha256=raw_sha256,
            raw_type=raw_type,
            status=status,
            warnings=warnings,
            parser_version=parser_version,
        )
        when = now(seen_at)
        outcome, attempts = self.write(
            lambda conn: reports.store(conn, prepared, source_url, when, run_id)
        )
        return dataclasses.replace(outcome, attempts=attempts)

    # -- raw documents --

    def add_document(self, sha256: str, *, seen_at: datetime | None = None, **meta: Any) -> None:
        """Record a downloaded raw document and where it was found (storage.documents.add:
        doc_type, size, path, original_name, content_type, url, region, site_name, title)."""
        when = now(seen_at)
        self.write(lambda conn: documents.add(conn, sha256, when=when, **meta))

    def set_document_status(
        self,
        sha256: str,
        status: str,
        error: str | None = None,
        parser_version: str | None = None,
        *,
        run_id: int | None = None,
        parsed_at: datetime | None = None,
    ) -> None:
        """Record the latest parse of a document (storage.documents.set_status)."""
        documents.check_status(status)
        when = now(parsed_at)
        self.write(
            lambda conn: documents.set_status(
                conn, sha256, status, error, parser_version, when=when, run_id=run_id
            )
        )

    def iter_documents(
        self,
        *,
        exclude_parser_version: str | None = None,
        statuses: frozenset[str] | set[str] | None = None,
        agency: str | None = None,
        year: int | None = None,
    ) -> Iterator[DocumentInfo]:
        """Every stored raw document, oldest first, for ``yingji reparse``.

        ``exclude_parser_version``: skip documents last parsed by that version (the current one),
        i.e. keep those never parsed or parsed by another version. ``statuses``: only those
        latest parse statuses. ``agency``/``year``: only documents a version of that agency
        (canonical name or any alias, normalised) and/or year was parsed from. The list is read
        in one go, so the caller may write while iterating.
        """
        yield from self.read(
            lambda conn: queries.documents(
                conn,
                exclude_parser_version=exclude_parser_version,
                statuses=statuses,
                agency=agency,
                year=year,
            )
        )

    # -- runs --

    def start_run(
        self,
        *,
        shard: str | None = None,
        seeds_count: int | None = None,
        note: str | None = None,
        started_at: datetime | None = None,
    ) -> int:
        """Open a crawl run (status ``running``) and return its id."""
        when = now(started_at)
        return self.write(
            lambda conn: runs.start(
                conn, when=when, shard=shard, seeds_count=seeds_count, note=note
            )
        )[0]

    def record_site(
        self,
        run_id: int,
        *,
        site_url: str,
        status: str,
        site_name: str | None = None,
        region: str | None = None,
        reports_found: int = 0,
        inserted: int = 0,
        noop: int = 0,
        new_versions: int = 0,
        failed: int = 0,
        error: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record one site's result in a run; recording it again in the same run replaces it
        (a resumed crawl finishes a site once). ``status``: a models.vocabulary.SiteStatus;
        ``detail``: what was tried and refused there (crawler/sitestate.py)."""
        if status not in runs.SITE_STATUSES:
            raise ValueError(f"unknown site status {status!r}: one of {sorted(runs.SITE_STATUSES)}")
        values = {
            "site_name": site_name,
            "region": region,
            "reports_found": reports_found,
            "inserted": inserted,
            "noop": noop,
            "new_versions": new_versions,
            "failed": failed,
            "error": error,
            "detail": detail,
        }
        self.write(lambda conn: runs.record_site(conn, run_id, site_url, status, **values))

    def finish_run(
        self, run_id: int, *, status: str = "finished", finished_at: datetime | None = None
    ) -> RunInfo:
        """Close a run with its final status (finished / failed / interrupted …)."""
        when = now(finished_at)
        self.write(lambda conn: runs.finish(conn, run_id, status=status, when=when))
        info = self.run(run_id)
        if info is None:
            raise ValueError(f"no crawl run {run_id}")
        return info

    def run(self, run_id: int) -> RunInfo | None:
        """One run, or None if there is no run with that id."""
        return self.read(lambda conn: queries.run(conn, run_id))

    def recent_runs(self, limit: int = 10) -> list[RunInfo]:
        """The latest runs, newest first."""
        return self.read(lambda conn: queries.recent_runs(conn, limit))

    def run_sites(self, run_id: int) -> list[SiteResult]:
        return self.read(lambda conn: queries.run_sites(conn, run_id))

    def site_history(
        self, site_url: str, *, before_run_id: int | None = None, limit: int = 5
    ) -> list[SiteResult]:
        """A site's results in earlier runs, newest first: what tells an empty run from a quiet
        site (a site that had reports before and has none now is worth a line)."""
        return self.read(
            lambda conn: queries.site_history(
                conn, site_url, before_run_id=before_run_id, limit=limit
            )
        )
