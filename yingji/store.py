"""The store service: the one API through which pipelines, reparse and runs write the database.

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

"Same content" is decided by ``content_hash``: the canonical JSON of the record's numbers
(``active_disclosure``, ``applications``, ``review_litigation``), ``year`` and ``template``,
plus any other key the parser adds, but NOT the spelling of ``agency``/``title`` (identity is
decided by the agency key, see yingji/agencies.py), nor the volatile keys (warnings,
parser_version, sources, region, status) nor the free-text ``sections``. A report without any
number (pre-2019, status ``unstructured``) hashes its text instead, whitespace removed.

Every write is one transaction, retried as a whole by tenacity on transient errors (SQLite
locked, PostgreSQL connection dropped, serialization failure). Idempotence makes a retry safe:
a transaction that did commit before the error is seen on retry as a noop. Concurrency: on
SQLite every write transaction starts with BEGIN IMMEDIATE; on PostgreSQL agency, alias and
report rows are created with INSERT … ON CONFLICT DO NOTHING and the report row is locked
(SELECT … FOR UPDATE) before its versions are read, so two processes storing the same report
end with one report and one version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import (
    Agency,
    AgencyAlias,
    CrawlRun,
    Division,
    Document,
    DocumentUrl,
    Report,
    ReportCell,
    ReportSource,
    ReportVersion,
    RunSite,
)
from yingji import db
from yingji.agencies import AgencyIdentity, agency_identity, division_table

Action = Literal["insert", "noop", "new_version"]
VERSION_STATUSES = frozenset({"parsed", "partial", "needs_ocr", "unstructured"})
DOCUMENT_STATUSES = VERSION_STATUSES | {"failed"}
SITE_STATUSES = frozenset(
    {"reports_found", "none_found", "blocked", "unreachable", "robots_denied", "parse_failed"}
)
TABLE_SECTIONS = ("active_disclosure", "applications", "review_litigation")
# keys that never make two records different (see the module docstring)
VOLATILE_KEYS = frozenset(
    {"warnings", "parser_version", "sources", "region", "status", "agency", "title"}
)
TEXT_KEYS = frozenset({"sections", "unstructured_text"})


class UnstorableRecord(ValueError):
    """A record that cannot be a report version (no agency or year, or a failed parse)."""


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    action: Action
    report_id: int
    version_id: int  # the version the record was stored as (or found equal to)
    version: int
    agency_id: int
    attempts: int = 1  # transactions tried (more than 1 after a transient error)


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A stored raw document, as ``yingji reparse`` needs it (no network)."""

    sha256: str
    path: str | None
    doc_type: str | None
    size: int | None
    original_name: str | None
    content_type: str | None
    parse_status: str | None
    parse_error: str | None
    parser_version: str | None
    urls: list[str] = field(default_factory=list)
    region: str | None = None  # the region of the first site it was found on
    site_name: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class SiteResult:
    run_id: int
    site_name: str | None
    site_url: str
    region: str | None
    status: str
    reports_found: int
    inserted: int
    noop: int
    new_versions: int
    failed: int
    error: str | None


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    started_at: datetime
    finished_at: datetime | None
    shard: str | None
    seeds_count: int | None
    status: str
    note: str | None
    inserted: int
    noop: int
    new_versions: int
    failed: int


# --- pure helpers ------------------------------------------------------------------------


def _norm_value(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", v))
    if isinstance(v, dict):
        return {str(k): _norm_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_norm_value(x) for x in v]
    return v


def _has_numbers(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    if isinstance(v, dict):
        return any(_has_numbers(x) for x in v.values())
    if isinstance(v, list):
        return any(_has_numbers(x) for x in v)
    return False


def content_of(record: dict[str, Any]) -> dict[str, Any]:
    """The part of a record that decides whether two records are the same report content."""
    content = {
        k: _norm_value(v)
        for k, v in record.items()
        if k not in VOLATILE_KEYS and k not in TEXT_KEYS
    }
    if not any(_has_numbers(record.get(s)) for s in TABLE_SECTIONS):
        for k in sorted(TEXT_KEYS):
            if record.get(k):
                content[k] = _norm_value(record[k])
    return content


def content_hash(record: dict[str, Any]) -> str:
    canonical = json.dumps(
        content_of(record), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cells_of(record: dict[str, Any]) -> list[tuple[str, str, str, float | None]]:
    """Every cell of tables 二/三/四 as (section, row_key, column_key, value).

    A dict of numbers is a row (``applications.new.total`` -> ``new``/``total``); a number
    directly under the section is a one-cell row with column ``value`` (``licensing``); deeper
    nesting joins the inner keys with dots. Non-numbers (and blanks) are NULL.
    """
    out: list[tuple[str, str, str, float | None]] = []
    for section in TABLE_SECTIONS:
        data = record.get(section)
        if not isinstance(data, dict):
            continue
        for row_key, row in data.items():
            if isinstance(row, dict):
                for col_key, value in _flatten(row):
                    out.append((section, str(row_key), col_key, _number(value)))
            else:
                out.append((section, str(row_key), "value", _number(row)))
    return out


def _flatten(d: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _flatten(v, key + ".")
        else:
            yield key, v


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def _now(seen_at: datetime | None) -> datetime:
    if seen_at is None:
        return datetime.now(UTC)
    return seen_at if seen_at.tzinfo else seen_at.replace(tzinfo=UTC)


# --- the service -------------------------------------------------------------------------


class Store:
    """yingji's database, behind the operations the pipelines need.

    ``Store(url)`` opens (and, with ``upgrade=True``, migrates) the database at ``url`` or the
    configured one (yingji.config.database_url). A database from a newer yingji, a bad URL or an
    unreachable server raise yingji.errors.UserError. Use as a context manager or call close().
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        upgrade: bool = True,
        sqlite_busy_timeout: float = 10.0,
        max_attempts: int = 10,
        max_delay: float = 60.0,
    ) -> None:
        self.engine: Engine = db.make_engine(url, sqlite_busy_timeout=sqlite_busy_timeout)
        self._max_attempts = max_attempts
        self._max_delay = max_delay
        try:
            db.ensure_schema(self.engine, upgrade=upgrade)
        except BaseException:
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --

    def _write(self, fn: Any) -> tuple[Any, int]:
        """Run ``fn(conn)`` in one write transaction, retried whole on transient errors."""

        def attempt() -> Any:
            with db.write_transaction(self.engine) as conn:
                return fn(conn)

        policy = db.retrying(max_attempts=self._max_attempts, max_delay=self._max_delay)
        return db.run_with_retry(attempt, policy=policy)

    def _read(self, fn: Any) -> Any:
        """Run ``fn(session)`` in a read-only ORM session, retried on transient errors."""

        def attempt() -> Any:
            with Session(self.engine) as session:
                try:
                    return fn(session)
                finally:
                    session.rollback()

        policy = db.retrying(max_attempts=self._max_attempts, max_delay=self._max_delay)
        return db.run_with_retry(attempt, policy=policy)[0]

    @staticmethod
    def _insert(conn: Connection, model: Any) -> Any:
        """The dialect's INSERT (for ON CONFLICT), on the Core table: ORM-enabled inserts cost
        several times more to build and storing is on the crawl's hot path."""
        table = model.__table__
        return (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(table)

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
        """Store one parsed record found at ``source_url``; see the module docstring.

        ``record`` is the parser's record (agency and year required; the agency already
        completed from the site if it was cut short, see yingji.agencies.complete_agency);
        ``region`` the site's region (kept with the version, used to resolve the agency's
        division); ``raw_sha256``/``raw_type`` the document it was parsed from (a documents row
        is created if add_document was not called); ``status`` one of parsed / partial /
        needs_ocr / unstructured (a failed parse is a document status: set_document_status).
        With ``run_id`` the run's insert/noop/new_version counters move in the same transaction.
        Raises UnstorableRecord for a record without agency or year.
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
        identity = agency_identity(agency, region)
        stored = {k: v for k, v in record.items() if k != "warnings"}
        stored["region"] = region
        digest = content_hash(record)
        cells = cells_of(record)
        when = _now(seen_at)

        def txn(conn: Connection) -> StoreOutcome:
            agency_id = self._ensure_agency(conn, identity, when)
            report_id = self._ensure_report(conn, agency_id, year)
            self._ensure_document(conn, raw_sha256, raw_type, source_url, region, when)
            versions = conn.execute(
                select(
                    ReportVersion.id,
                    ReportVersion.version,
                    ReportVersion.content_hash,
                    ReportVersion.is_current,
                    ReportVersion.raw_sha256,
                )
                .where(ReportVersion.report_id == report_id)
                .order_by(ReportVersion.is_current.desc(), ReportVersion.version.desc())
            ).all()
            same = next((v for v in versions if v.content_hash == digest), None)
            current = next((v for v in versions if v.is_current), None)
            if (
                same is not None
                and current is not None
                and same.id != current.id
                and current.raw_sha256 == raw_sha256
            ):
                # The document behind the current version now reads like an older version: the
                # parser changed its mind about the same bytes (a fix after a regression), so the
                # older content becomes current again as a new version; nothing is rewritten.
                same = None
            if same is not None:
                self._add_source(conn, same.id, source_url, when)
                conn.execute(
                    update(ReportVersion)
                    .where(ReportVersion.id == same.id, ReportVersion.last_seen < when)
                    .values(last_seen=when)
                )
                action: Action = "noop"
                version_id, number = same.id, same.version
            else:
                if versions:
                    conn.execute(
                        update(ReportVersion)
                        .where(ReportVersion.report_id == report_id, ReportVersion.is_current)
                        .values(is_current=False, superseded_at=when)
                    )
                number = max((v.version for v in versions), default=0) + 1
                version_id = conn.execute(
                    self._insert(conn, ReportVersion)
                    .values(
                        report_id=report_id,
                        version=number,
                        is_current=True,
                        record=stored,
                        content_hash=digest,
                        agency_name=agency,
                        region=region,
                        title=record.get("title"),
                        template=record.get("template"),
                        raw_sha256=raw_sha256,
                        raw_type=raw_type,
                        status=status,
                        warnings=list(warnings),
                        parser_version=parser_version,
                        first_seen=when,
                        last_seen=when,
                        run_id=run_id,
                    )
                    .returning(ReportVersion.id)
                ).scalar_one()
                if cells:
                    conn.execute(
                        self._insert(conn, ReportCell),
                        [
                            {
                                "version_id": version_id,
                                "section": s,
                                "row_key": r,
                                "column_key": c,
                                "value": v,
                            }
                            for s, r, c, v in cells
                        ],
                    )
                self._add_source(conn, version_id, source_url, when)
                action = "new_version" if versions else "insert"
            if run_id is not None:
                column = {"insert": "inserted", "noop": "noop", "new_version": "new_versions"}[
                    action
                ]
                conn.execute(
                    update(CrawlRun)
                    .where(CrawlRun.id == run_id)
                    .values({column: getattr(CrawlRun, column) + 1})
                )
            return StoreOutcome(action, report_id, version_id, number, agency_id)

        outcome, attempts = self._write(txn)
        return dataclasses.replace(outcome, attempts=attempts)

    def _ensure_agency(self, conn: Connection, ident: AgencyIdentity, when: datetime) -> int:
        if ident.division is not None:
            table = division_table()
            chain = table.chain(ident.division)
            rows = [
                {
                    "code": d.code,
                    "name": d.name,
                    "full_name": table.full_name(d),
                    "level": d.level,
                    "parent_code": p.code if (p := table.parent(d)) else None,
                }
                for d in chain
            ]
            conn.execute(self._insert(conn, Division).values(rows).on_conflict_do_nothing())
        conn.execute(
            self._insert(conn, Agency)
            .values(
                key=ident.key,
                division_code=ident.division.code if ident.division else None,
                kind=ident.kind,
                name=ident.name,
                created_at=when,
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        agency_id: int = conn.execute(select(Agency.id).where(Agency.key == ident.key)).scalar_one()
        conn.execute(
            self._insert(conn, AgencyAlias)
            .values(
                agency_id=agency_id,
                name=ident.alias,
                predecessor=ident.predecessor,
                first_seen=when,
            )
            .on_conflict_do_nothing(index_elements=["agency_id", "name"])
        )
        return agency_id

    def _ensure_report(self, conn: Connection, agency_id: int, year: int) -> int:
        conn.execute(
            self._insert(conn, Report)
            .values(agency_id=agency_id, year=year, created_at=datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=["agency_id", "year"])
        )
        # the lock that serialises two stores of the same report (a no-op clause on SQLite,
        # whose BEGIN IMMEDIATE already serialises every writer)
        report_id: int = conn.execute(
            select(Report.id)
            .where(Report.agency_id == agency_id, Report.year == year)
            .with_for_update()
        ).scalar_one()
        return report_id

    def _ensure_document(
        self,
        conn: Connection,
        sha256: str,
        doc_type: str | None,
        url: str | None,
        region: str | None,
        when: datetime,
        **meta: Any,
    ) -> None:
        ins = self._insert(conn, Document).values(
            sha256=sha256, doc_type=doc_type, first_seen=when, last_seen=when, **meta
        )
        fill: dict[str, Any] = {
            name: func.coalesce(getattr(ins.excluded, name), getattr(Document, name))
            for name in ("doc_type", *meta)
        }
        fill["last_seen"] = (
            func.max(ins.excluded.last_seen, Document.last_seen)
            if conn.dialect.name == "sqlite"
            else func.greatest(ins.excluded.last_seen, Document.last_seen)
        )
        conn.execute(ins.on_conflict_do_update(index_elements=["sha256"], set_=fill))
        if url:
            self._add_document_url(conn, sha256, url, region, when)

    def _add_document_url(
        self,
        conn: Connection,
        sha256: str,
        url: str,
        region: str | None,
        when: datetime,
        site_name: str | None = None,
        title: str | None = None,
    ) -> None:
        ins = self._insert(conn, DocumentUrl).values(
            sha256=sha256,
            url=url,
            region=region,
            site_name=site_name,
            title=title,
            first_seen=when,
            last_seen=when,
        )
        conn.execute(
            ins.on_conflict_do_update(
                index_elements=["sha256", "url"],
                set_={
                    "last_seen": when,
                    "region": func.coalesce(DocumentUrl.region, ins.excluded.region),
                    "site_name": func.coalesce(DocumentUrl.site_name, ins.excluded.site_name),
                    "title": func.coalesce(DocumentUrl.title, ins.excluded.title),
                },
            )
        )

    def _add_source(self, conn: Connection, version_id: int, url: str, when: datetime) -> None:
        ins = self._insert(conn, ReportSource).values(
            version_id=version_id, url=url, first_seen=when, last_seen=when
        )
        conn.execute(
            ins.on_conflict_do_update(
                index_elements=["version_id", "url"], set_={"last_seen": when}
            )
        )

    # -- raw documents --

    def add_document(
        self,
        sha256: str,
        *,
        doc_type: str | None = None,
        size: int | None = None,
        path: str | None = None,
        original_name: str | None = None,
        content_type: str | None = None,
        url: str | None = None,
        region: str | None = None,
        site_name: str | None = None,
        title: str | None = None,
        seen_at: datetime | None = None,
    ) -> None:
        """Record a downloaded raw document (metadata only) and where it was found.

        Idempotent: seen again, it gains the URL and a later ``last_seen``; metadata already
        known is kept. ``path`` is relative to the files store; ``original_name`` is metadata,
        never a path.
        """
        when = _now(seen_at)
        meta = {
            "size": size,
            "path": path,
            "original_name": original_name,
            "content_type": content_type,
        }

        def txn(conn: Connection) -> None:
            self._ensure_document(conn, sha256, doc_type, None, region, when, **meta)
            if url:
                self._add_document_url(conn, sha256, url, region, when, site_name, title)

        self._write(txn)

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
        """Record the latest parse of a document: its status, the reason if it failed, and the
        parser version (what ``yingji reparse`` selects on). A ``failed`` status with ``run_id``
        counts one failure in that run."""
        if status not in DOCUMENT_STATUSES:
            raise ValueError(
                f"unknown document status {status!r}: one of {sorted(DOCUMENT_STATUSES)}"
            )
        when = _now(parsed_at)

        def txn(conn: Connection) -> None:
            self._ensure_document(conn, sha256, None, None, None, when)
            conn.execute(
                update(Document)
                .where(Document.sha256 == sha256)
                .values(
                    parse_status=status,
                    parse_error=error,
                    parser_version=parser_version,
                    parsed_at=when,
                )
            )
            if status == "failed" and run_id is not None:
                conn.execute(
                    update(CrawlRun).where(CrawlRun.id == run_id).values(failed=CrawlRun.failed + 1)
                )

        self._write(txn)

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

        def query(conn: Session) -> list[DocumentInfo]:
            stmt = select(Document).order_by(Document.first_seen, Document.sha256)
            if exclude_parser_version is not None:
                stmt = stmt.where(
                    (Document.parser_version.is_(None))
                    | (Document.parser_version != exclude_parser_version)
                )
            if statuses:
                stmt = stmt.where(Document.parse_status.in_(sorted(statuses)))
            if agency is not None or year is not None:
                sub = select(ReportVersion.raw_sha256).join(
                    Report, Report.id == ReportVersion.report_id
                )
                if year is not None:
                    sub = sub.where(Report.year == year)
                if agency is not None:
                    from yingji.agencies import normalise_name

                    name = normalise_name(agency)
                    aliased = select(AgencyAlias.agency_id).where(AgencyAlias.name == name)
                    named = select(Agency.id).where(Agency.name == name)
                    sub = sub.where(Report.agency_id.in_(aliased.union(named)))
                stmt = stmt.where(Document.sha256.in_(sub))
            docs = conn.execute(stmt).scalars().all()
            urls: dict[str, list[DocumentUrl]] = {}
            for u in conn.scalars(
                select(DocumentUrl).order_by(DocumentUrl.first_seen, DocumentUrl.id)
            ):
                urls.setdefault(u.sha256, []).append(u)
            out = []
            for d in docs:
                found = urls.get(d.sha256, [])
                first = next((u for u in found if u.region), found[0] if found else None)
                out.append(
                    DocumentInfo(
                        sha256=d.sha256,
                        path=d.path,
                        doc_type=d.doc_type,
                        size=d.size,
                        original_name=d.original_name,
                        content_type=d.content_type,
                        parse_status=d.parse_status,
                        parse_error=d.parse_error,
                        parser_version=d.parser_version,
                        urls=[u.url for u in found],
                        region=first.region if first else None,
                        site_name=first.site_name if first else None,
                        title=next((u.title for u in found if u.title), None),
                    )
                )
            return out

        yield from self._read(query)

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
        when = _now(started_at)

        def txn(conn: Connection) -> int:
            return int(
                conn.execute(
                    self._insert(conn, CrawlRun)
                    .values(
                        started_at=when,
                        shard=shard,
                        seeds_count=seeds_count,
                        note=note,
                        status="running",
                        inserted=0,
                        noop=0,
                        new_versions=0,
                        failed=0,
                    )
                    .returning(CrawlRun.id)
                ).scalar_one()
            )

        return int(self._write(txn)[0])

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
    ) -> None:
        """Record one site's result in a run; recording it again in the same run replaces it
        (a resumed crawl finishes a site once). ``status`` is one of reports_found / none_found
        / blocked / unreachable / robots_denied / parse_failed."""
        if status not in SITE_STATUSES:
            raise ValueError(f"unknown site status {status!r}: one of {sorted(SITE_STATUSES)}")
        values = {
            "site_name": site_name,
            "region": region,
            "status": status,
            "reports_found": reports_found,
            "inserted": inserted,
            "noop": noop,
            "new_versions": new_versions,
            "failed": failed,
            "error": error,
            "recorded_at": datetime.now(UTC),
        }

        def txn(conn: Connection) -> None:
            ins = self._insert(conn, RunSite).values(run_id=run_id, site_url=site_url, **values)
            conn.execute(
                ins.on_conflict_do_update(index_elements=["run_id", "site_url"], set_=values)
            )

        self._write(txn)

    def finish_run(
        self, run_id: int, *, status: str = "finished", finished_at: datetime | None = None
    ) -> RunInfo:
        """Close a run with its final status (finished / failed / interrupted …)."""
        when = _now(finished_at)

        def txn(conn: Connection) -> None:
            conn.execute(
                update(CrawlRun)
                .where(CrawlRun.id == run_id)
                .values(status=status, finished_at=when)
            )

        self._write(txn)
        info = self.run(run_id)
        if info is None:
            raise ValueError(f"no crawl run {run_id}")
        return info

    def run(self, run_id: int) -> RunInfo | None:
        """One run, or None if there is no run with that id."""

        def query(conn: Session) -> RunInfo | None:
            r = conn.execute(select(CrawlRun).where(CrawlRun.id == run_id)).scalar_one_or_none()
            return _run_info(r) if r is not None else None

        return self._read(query)

    def recent_runs(self, limit: int = 10) -> list[RunInfo]:
        """The latest runs, newest first."""

        def query(conn: Session) -> list[RunInfo]:
            rows = conn.execute(
                select(CrawlRun)
                .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
                .limit(limit)
            ).scalars()
            return [_run_info(r) for r in rows]

        return self._read(query)

    def run_sites(self, run_id: int) -> list[SiteResult]:
        def query(conn: Session) -> list[SiteResult]:
            rows = conn.execute(
                select(RunSite).where(RunSite.run_id == run_id).order_by(RunSite.id)
            ).scalars()
            return [_site_result(s) for s in rows]

        return self._read(query)

    def site_history(
        self, site_url: str, *, before_run_id: int | None = None, limit: int = 5
    ) -> list[SiteResult]:
        """A site's results in earlier runs, newest first: what tells an empty run from a quiet
        site (a site that had reports before and has none now is worth a line)."""

        def query(conn: Session) -> list[SiteResult]:
            stmt = select(RunSite).where(RunSite.site_url == site_url)
            if before_run_id is not None:
                stmt = stmt.where(RunSite.run_id < before_run_id)
            rows = conn.execute(stmt.order_by(RunSite.run_id.desc()).limit(limit)).scalars()
            return [_site_result(s) for s in rows]

        return self._read(query)


def _run_info(r: CrawlRun) -> RunInfo:
    return RunInfo(
        id=r.id,
        started_at=r.started_at,
        finished_at=r.finished_at,
        shard=r.shard,
        seeds_count=r.seeds_count,
        status=r.status,
        note=r.note,
        inserted=r.inserted,
        noop=r.noop,
        new_versions=r.new_versions,
        failed=r.failed,
    )


def _site_result(s: RunSite) -> SiteResult:
    return SiteResult(
        run_id=s.run_id,
        site_name=s.site_name,
        site_url=s.site_url,
        region=s.region,
        status=s.status,
        reports_found=s.reports_found,
        inserted=s.inserted,
        noop=s.noop,
        new_versions=s.new_versions,
        failed=s.failed,
        error=s.error,
    )
