"""The report aggregate: an (agency, year) report and its versions, cells and sources.

Storing a parsed record for an (agency, year) answers one of three things:

* ``insert``: the first record of that agency and year -> report + version 1.
* ``noop``: the same content as a version already stored -> only the source URL is added and
  ``last_seen`` moves; the current version stays current. Content equal to an OLDER version
  (a portal still serving the document that was since corrected) is a noop on that version and
  does not change which version is current, so two sources never make versions flip-flop.
  Unless the current version was parsed from the very same raw document: then the parser now
  reads those bytes differently (a fix after a regression, found by ``yingji reparse`` or a
  recrawl) and the content is stored again as a new, current version.
* ``new_version``: content that differs from every stored version -> a new version, made
  current; the previous current one stays, marked superseded.

"Same content" is storage/content.py's ``content_hash``. :func:`prepare` checks and derives
everything outside the transaction (agency identity, hash, cells); :func:`store` writes it in
the caller's transaction. Concurrency: on SQLite every write transaction starts with BEGIN
IMMEDIATE; on PostgreSQL agency, alias and report rows are created with INSERT … ON CONFLICT
DO NOTHING and the report row is locked (SELECT … FOR UPDATE) before its versions are read, so
two processes storing the same report end with one report and one version. PostgreSQL does
the same writes in fewer statements (storage/pgwrite.py: a new report is one statement).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from models import ReportCell, ReportSource, ReportVersion
from models.vocabulary import Outcome
from storage import documents, pgwrite, runs, statements
from storage.agencies import division_rows, ensure_agency, ensure_report
from storage.content import cells_of, content_hash
from storage.documents import VERSION_STATUSES
from storage.identity import AgencyIdentity, agency_identity
from storage.statements import cached


class UnstorableRecord(ValueError):
    """A record that cannot be a report version (no agency or year, or a failed parse)."""


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    action: Outcome
    report_id: int
    version_id: int  # the version the record was stored as (or found equal to)
    version: int
    agency_id: int
    attempts: int = 1  # transactions tried (more than 1 after a transient error)


@dataclass(frozen=True, slots=True)
class PreparedReport:
    """A record checked and ready to store: everything derived before the transaction."""

    identity: AgencyIdentity
    agency: str
    year: int
    region: str | None
    stored: dict[str, Any]  # the record as kept in report_versions.record
    digest: str
    cells: list[tuple[str, str, str, float | None]]
    title: str | None
    template: str | None
    raw_sha256: str
    raw_type: str
    status: str
    warnings: list[dict[str, Any]]
    parser_version: str

    def version_columns(self) -> dict[str, Any]:
        """The ``report_versions`` columns copied from the prepared report as they are: one
        list for the general insert here and PostgreSQL's one statement (storage/pgwrite.py)."""
        return {
            "agency_name": self.agency,
            "region": self.region,
            "title": self.title,
            "template": self.template,
            "raw_sha256": self.raw_sha256,
            "raw_type": self.raw_type,
            "status": self.status,
            "warnings": self.warnings,
            "parser_version": self.parser_version,
        }


def prepare(
    record: dict[str, Any],
    *,
    region: str | None,
    raw_sha256: str,
    raw_type: str,
    status: str,
    warnings: list[dict[str, Any]],
    parser_version: str,
    identity: AgencyIdentity | None = None,
) -> PreparedReport:
    """Check ``record`` and derive what storing it needs; raises UnstorableRecord.

    ``identity``: the agency already resolved for this region (the caller resolved it to find
    the report's region), so that an item resolves its agency once.
    """
    if status not in VERSION_STATUSES:
        raise UnstorableRecord(
            f"status {status!r} cannot be stored as a report version "
            f"(one of {sorted(VERSION_STATUSES)}; a failed parse is set_document_status)"
        )
    agency = record.get("agency")
    year = record.get("year")
    if not isinstance(agency, str) or not agency.strip():
        raise UnstorableRecord("the record names no agency")
    if isinstance(year, bool) or not isinstance(year, int):
        raise UnstorableRecord("the record has no reporting year")
    region = region or record.get("region")
    stored = {k: v for k, v in record.items() if k != "warnings"}
    stored["region"] = region
    return PreparedReport(
        identity=identity if identity is not None else agency_identity(agency, region),
        agency=agency,
        year=year,
        region=region,
        stored=stored,
        digest=content_hash(record),
        cells=cells_of(record),
        title=record.get("title"),
        template=record.get("template"),
        raw_sha256=raw_sha256,
        raw_type=raw_type,
        status=status,
        warnings=list(warnings),
        parser_version=parser_version,
    )


def store(
    conn: Connection,
    p: PreparedReport,
    source_url: str,
    when: datetime,
    run_id: int | None,
    *,
    register_document: bool = True,
) -> StoreOutcome:
    """Store ``p`` found at ``source_url`` in the caller's transaction (see the docstring).

    ``register_document=False``: the caller has already registered the raw document and this
    URL in the same transaction (ingest/storing.py does, with their metadata), so no
    ``documents`` statement is repeated here. Every statement is built once per dialect
    (storage/statements.py): on the crawl's hot path, building them cost more than running them;
    PostgreSQL's are plain SQL that chain several writes each (storage/pgwrite.py).
    """
    if register_document:
        documents.ensure(conn, p.raw_sha256, p.raw_type, source_url, p.region, when)
    if conn.dialect.name == "postgresql":
        return _store_postgres(conn, p, source_url, when, run_id)
    agency_id = ensure_agency(conn, p.identity, when)
    report_id = ensure_report(conn, agency_id, p.year)
    versions = conn.execute(cached(conn, "versions", _versions_of), {"report_id": report_id}).all()
    same = _same_content(versions, p)
    if same is not None:
        add_source(conn, same.id, source_url, when)
        conn.execute(cached(conn, "seen", _seen_again), {"b_version": same.id, "b_when": when})
        action = Outcome.NOOP
        version_id, number = same.id, same.version
    else:
        if versions:
            conn.execute(
                cached(conn, "supersede", _supersede), {"b_report": report_id, "b_when": when}
            )
        number = max((v.version for v in versions), default=0) + 1
        version_id = _insert_version(conn, p, report_id, number, when, run_id)
        add_source(conn, version_id, source_url, when)
        action = Outcome.NEW_VERSION if versions else Outcome.INSERT
    runs.count(conn, run_id, action)
    return StoreOutcome(action, report_id, version_id, number, agency_id)


def _same_content(versions: Sequence[Any], p: PreparedReport) -> Any | None:
    """The stored version ``p`` is a noop on (current first), or None: a new version."""
    same = next((v for v in versions if v.content_hash == p.digest), None)
    current = next((v for v in versions if v.is_current), None)
    if (
        same is not None
        and current is not None
        and same.id != current.id
        and current.raw_sha256 == p.raw_sha256
    ):
        # The document behind the current version now reads like an older version: the
        # parser changed its mind about the same bytes (a fix after a regression), so the
        # older content becomes current again as a new version; nothing is rewritten.
        return None
    return same


def _store_postgres(
    conn: Connection, p: PreparedReport, url: str, when: datetime, run_id: int | None
) -> StoreOutcome:
    """:func:`store` on PostgreSQL: one statement for a new report, three for one already
    there (its row locked, its versions read, the noop or the new version); see
    storage/pgwrite.py."""
    params = pgwrite.report_params(p, division_rows(p.identity), when)
    found = pgwrite.store_new(conn, params, url, run_id)
    if isinstance(found, pgwrite.Created):
        return StoreOutcome(Outcome.INSERT, found.report_id, found.version_id, 1, found.agency_id)
    # a row another writer had not committed when that statement began: the general way
    agency_id = found.agency_id
    if agency_id is None:
        agency_id = ensure_agency(conn, p.identity, when)
    report_id = found.report_id
    if report_id is None:
        report_id = ensure_report(conn, agency_id, p.year)
    versions = pgwrite.versions(conn, report_id)
    same = _same_content(versions, p)
    if same is not None:
        pgwrite.noop(conn, same.id, url, when, run_id)
        return StoreOutcome(Outcome.NOOP, report_id, same.id, same.version, agency_id)
    if versions:
        pgwrite.supersede(conn, report_id, when)
    number = max(v.version for v in versions) + 1 if versions else 1
    action = Outcome.NEW_VERSION if versions else Outcome.INSERT
    version_id = pgwrite.insert_version(conn, params, report_id, number, url, run_id, action)
    return StoreOutcome(action, report_id, version_id, number, agency_id)


def _versions_of(dialect: str) -> Any:
    return (
        select(
            ReportVersion.id,
            ReportVersion.version,
            ReportVersion.content_hash,
            ReportVersion.is_current,
            ReportVersion.raw_sha256,
        )
        .where(ReportVersion.report_id == bindparam("report_id"))
        .order_by(ReportVersion.is_current.desc(), ReportVersion.version.desc())
    )


def _seen_again(dialect: str) -> Any:
    when = bindparam("b_when", type_=ReportVersion.last_seen.type)
    return (
        update(ReportVersion)
        .where(ReportVersion.id == bindparam("b_version"), ReportVersion.last_seen < when)
        .values(last_seen=when)
    )


def _supersede(dialect: str) -> Any:
    return (
        update(ReportVersion)
        .where(ReportVersion.report_id == bindparam("b_report"), ReportVersion.is_current)
        .values(
            is_current=False,
            superseded_at=bindparam("b_when", type_=ReportVersion.superseded_at.type),
        )
    )


def _insert_version(
    conn: Connection,
    p: PreparedReport,
    report_id: int,
    number: int,
    when: datetime,
    run_id: int | None,
) -> int:
    values = {
        "report_id": report_id,
        "version": number,
        "is_current": True,
        "record": p.stored,
        "content_hash": p.digest,
        **p.version_columns(),
        "first_seen": when,
        "last_seen": when,
        "run_id": run_id,
    }
    stmt = cached(
        conn,
        "version",
        lambda d: statements.dialect_insert(d, ReportVersion).returning(ReportVersion.id),
    )
    version_id: int = conn.execute(stmt, values).scalar_one()
    if p.cells:
        _insert_cells(conn, version_id, p.cells)
    return version_id


def _insert_cells(
    conn: Connection, version_id: int, cells: list[tuple[str, str, str, float | None]]
) -> None:
    """Every cell of a version: SQLite's executemany is one C loop over one prepared statement
    (PostgreSQL writes them with the version, storage/pgwrite.py)."""
    conn.execute(
        cached(conn, "cells", lambda d: statements.dialect_insert(d, ReportCell)),
        [
            {"version_id": version_id, "section": s, "row_key": r, "column_key": c, "value": v}
            for s, r, c, v in cells
        ],
    )


def add_source(conn: Connection, version_id: int, url: str, when: datetime) -> None:
    conn.execute(
        cached(conn, "source", _source),
        {"version_id": version_id, "url": url, "first_seen": when, "last_seen": when},
    )


def _source(dialect: str) -> Any:
    ins = statements.dialect_insert(dialect, ReportSource)
    return ins.on_conflict_do_update(
        index_elements=["version_id", "url"], set_={"last_seen": ins.excluded.last_seen}
    )
