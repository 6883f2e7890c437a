"""The store's hot path on PostgreSQL: each step of an item in one statement, not five.

Why: storing a new report took 12 statements and 15 round trips (ping, BEGIN, the statements,
COMMIT), and their client-side execution (SQLAlchemy's and psycopg's, per statement) was most
of the ~5 ms of client CPU per report; the server spent about as much again parsing and
answering them. PostgreSQL can chain the writes of one step inside one statement
(data-modifying CTEs, each feeding the next through ``RETURNING``), so here:

- a document and where it was found: one statement (:func:`add_document`);
- a report seen for the first time, with its agency, divisions, alias, version 1, cells,
  source and the run's counter: one statement (:func:`store_new`);
- a further version, a noop: one statement each after the versions are read.

What stays as it was, because it is what makes concurrent writers safe (see
storage/reports.py): every row is created with ``INSERT … ON CONFLICT``, the report row is
locked before its versions are read, and the versions are read by a statement that starts
after the lock is held (a statement's snapshot is taken when it starts: one that waited for the
lock inside itself would not see the versions the other writer just committed). So
:func:`store_new` writes a version only into a report row it created itself; an existing
report comes back locked for the caller's next statement. A row another writer created but had
not yet committed when the statement started is invisible to it (the ``ON CONFLICT`` waits,
then does nothing): the statement then writes nothing but idempotent rows and says so, and the
caller takes the general path, which reads with fresh snapshots.

The statements are plain SQL run with ``exec_driver_sql`` (psycopg's ``%(name)s`` parameters):
no SQLAlchemy compilation or type processing per call, while errors and dropped connections
still go through SQLAlchemy (invalidation, the retry policy of storage/db.py). psycopg prepares
each of them on the server after a few executions. JSON values are serialised here exactly as
SQLAlchemy's JSON type does with the engine's serializer (storage/db.py ``JSON_SERIALIZER``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection

from models.vocabulary import Outcome
from storage.db import JSON_SERIALIZER

if TYPE_CHECKING:
    from storage.reports import PreparedReport

# -- documents --------------------------------------------------------------------------------

_DOC_COLUMNS = "sha256, doc_type, size, path, original_name, content_type, first_seen, last_seen"
_DOC_VALUES = (
    "%(sha256)s, %(doc_type)s, CAST(%(size)s AS bigint), %(path)s, %(original_name)s, "
    "%(content_type)s, %(when)s, %(when)s"
)
# metadata known before is kept unless this sighting knows it; last_seen only moves forward
_DOC_KEEP = (
    "doc_type = coalesce(EXCLUDED.doc_type, documents.doc_type), "
    "size = coalesce(EXCLUDED.size, documents.size), "
    "path = coalesce(EXCLUDED.path, documents.path), "
    "original_name = coalesce(EXCLUDED.original_name, documents.original_name), "
    "content_type = coalesce(EXCLUDED.content_type, documents.content_type), "
    "last_seen = greatest(EXCLUDED.last_seen, documents.last_seen)"
)
# the latest parse replaces the one recorded before
_DOC_PARSE = (
    ", parse_status = EXCLUDED.parse_status, parse_error = EXCLUDED.parse_error, "
    "parser_version = EXCLUDED.parser_version, parsed_at = EXCLUDED.parsed_at"
)
_URL = (
    "INSERT INTO document_urls (sha256, url, region, site_name, title, first_seen, last_seen) "
    "VALUES (%(sha256)s, %(url)s, %(region)s, %(site_name)s, %(title)s, %(when)s, %(when)s) "
    "ON CONFLICT (sha256, url) DO UPDATE SET last_seen = EXCLUDED.last_seen, "
    "region = coalesce(document_urls.region, EXCLUDED.region), "
    "site_name = coalesce(document_urls.site_name, EXCLUDED.site_name), "
    "title = coalesce(document_urls.title, EXCLUDED.title)"
)


def _document_sql(with_parse: bool) -> str:
    columns, values, update = _DOC_COLUMNS, _DOC_VALUES, _DOC_KEEP
    if with_parse:
        columns += ", parse_status, parse_error, parser_version, parsed_at"
        values += ", %(parse_status)s, %(parse_error)s, %(parser_version)s, %(when)s"
        update += _DOC_PARSE
    return (
        f"WITH doc AS (INSERT INTO documents ({columns}) VALUES ({values}) "
        f"ON CONFLICT (sha256) DO UPDATE SET {update}) {_URL}"
    )


#: with and without the latest parse (a document registered before it was parsed)
_DOCUMENT = {True: _document_sql(True), False: _document_sql(False)}


def add_document(
    conn: Connection,
    sha256: str,
    *,
    when: datetime,
    meta: dict[str, Any],
    url: str,
    region: str | None,
    site_name: str | None,
    title: str | None,
    parse: tuple[str, str | None, str | None] | None,
) -> None:
    """storage.documents.add of a document found at ``url``, in one statement: the row (its
    metadata, its latest ``parse`` as (status, error, parser version)) and its URL."""
    params = {
        "sha256": sha256,
        "when": when,
        "url": url,
        "region": region,
        "site_name": site_name,
        "title": title,
        "doc_type": meta.get("doc_type"),
        "size": meta.get("size"),
        "path": meta.get("path"),
        "original_name": meta.get("original_name"),
        "content_type": meta.get("content_type"),
    }
    if parse is not None:
        params["parse_status"], params["parse_error"], params["parser_version"] = parse
    conn.exec_driver_sql(_DOCUMENT[parse is not None], params)


# -- reports ----------------------------------------------------------------------------------

_VERSION_COLUMNS = (
    "report_id, version, is_current, record, content_hash, agency_name, region, title, "
    "template, raw_sha256, raw_type, status, warnings, parser_version, first_seen, last_seen, "
    "run_id"
)
_VERSION_VALUES = (
    "%(number)s, true, CAST(%(record)s AS json), %(digest)s, %(agency_name)s, %(region)s, "
    "%(title)s, %(template)s, %(raw_sha256)s, %(raw_type)s, %(status)s, "
    "CAST(%(warnings)s AS json), %(parser_version)s, %(when)s, %(when)s, CAST(%(run_id)s AS int)"
)
# the version's cells: (section, row, column, value) as one JSON array, the value as text so
# that float8 reads back exactly what Python held (inf and nan too); far cheaper to send than
# four arrays, which psycopg dumps element by element in Python
_CELLS = (
    "cells AS (INSERT INTO report_cells (version_id, section, row_key, column_key, value) "
    "SELECT v.id, c->>0, c->>1, c->>2, CAST(c->>3 AS float8) "
    "FROM version v, json_array_elements(CAST(%(cells)s AS json)) c)"
)
_SOURCE = (
    "source AS (INSERT INTO report_sources (version_id, url, first_seen, last_seen) "
    "SELECT v.id, %(url)s, %(when)s, %(when)s FROM version v "
    "ON CONFLICT (version_id, url) DO UPDATE SET last_seen = EXCLUDED.last_seen)"
)


def _counted(action: Outcome, guard: str) -> str:
    column = action.counter  # one of the fixed counter columns of crawl_runs
    return (
        f"counted AS (UPDATE crawl_runs SET {column} = {column} + 1 "
        f"WHERE id = CAST(%(run_id)s AS int){guard})"
    )


_NEW = (
    "WITH divs AS (INSERT INTO divisions (code, name, full_name, level, parent_code) "
    "SELECT d->>0, d->>1, d->>2, d->>3, d->>4 "
    "FROM json_array_elements(CAST(%(divisions)s AS json)) d ON CONFLICT DO NOTHING), "
    "new_agency AS (INSERT INTO agencies (key, division_code, kind, name, created_at) "
    "VALUES (%(key)s, %(division_code)s, %(kind)s, %(agency)s, %(when)s) "
    "ON CONFLICT (key) DO NOTHING RETURNING id), "
    # exactly one row: the agency this statement created, or the one its snapshot sees
    "agency AS (SELECT id FROM new_agency UNION ALL SELECT id FROM agencies WHERE key = %(key)s), "
    "alias AS (INSERT INTO agency_aliases (agency_id, name, predecessor, first_seen) "
    "SELECT id, %(alias)s, %(predecessor)s, %(when)s FROM agency "
    "ON CONFLICT (agency_id, name) DO NOTHING), "
    "new_report AS (INSERT INTO reports (agency_id, year, created_at) "
    "SELECT id, %(year)s, %(created_at)s FROM agency "
    "ON CONFLICT (agency_id, year) DO NOTHING RETURNING id), "
    # by the unique index (agency_id, year): never a scan of the year's reports
    "old_report AS (SELECT id FROM reports WHERE agency_id = (SELECT id FROM agency) "
    "AND year = %(year)s FOR UPDATE), "
    f"version AS (INSERT INTO report_versions ({_VERSION_COLUMNS}) "
    f"SELECT id, {_VERSION_VALUES} FROM new_report RETURNING id), "
    f"{_CELLS}, {_SOURCE}, {_counted(Outcome.INSERT, ' AND EXISTS (SELECT 1 FROM version)')} "
    "SELECT (SELECT id FROM agency), (SELECT id FROM new_report), (SELECT id FROM old_report), "
    "(SELECT id FROM version)"
)

#: a version of a report locked by this transaction, whose current version (if any) is
#: already superseded: the version, its cells, its source, the run's counter
_VERSION = {
    action: (
        f"WITH version AS (INSERT INTO report_versions ({_VERSION_COLUMNS}) "
        f"VALUES (%(report_id)s, {_VERSION_VALUES}) RETURNING id), "
        f"{_CELLS}, {_SOURCE}, {_counted(action, '')} SELECT id FROM version"
    )
    for action in (Outcome.INSERT, Outcome.NEW_VERSION)
}

#: the same content again: the source, the version's last sighting, the run's counter
_NOOP = (
    "WITH source AS (INSERT INTO report_sources (version_id, url, first_seen, last_seen) "
    "VALUES (%(version_id)s, %(url)s, %(when)s, %(when)s) "
    "ON CONFLICT (version_id, url) DO UPDATE SET last_seen = EXCLUDED.last_seen), "
    "seen AS (UPDATE report_versions SET last_seen = %(when)s "
    "WHERE id = %(version_id)s AND last_seen < %(when)s), "
    f"{_counted(Outcome.NOOP, '')} SELECT 1"
)

_VERSIONS = (
    "SELECT id, version, content_hash, is_current, raw_sha256 FROM report_versions "
    "WHERE report_id = %(report_id)s ORDER BY is_current DESC, version DESC"
)

_SUPERSEDE = (
    "UPDATE report_versions SET is_current = false, superseded_at = %(when)s "
    "WHERE report_id = %(report_id)s AND is_current"
)


class Existing(NamedTuple):
    """What :func:`store_new` found instead of creating the report."""

    agency_id: int | None  # None: the agency is another writer's, not yet visible here
    report_id: int | None  # the report, locked by this transaction; None: not visible here


class VersionRow(NamedTuple):
    id: int
    version: int
    content_hash: str
    is_current: bool
    raw_sha256: str


def report_params(
    p: PreparedReport, divisions: Sequence[dict[str, Any]], when: datetime
) -> dict[str, Any]:
    """The parameters of a prepared report for every statement of this module."""
    ident = p.identity
    return {
        "divisions": JSON_SERIALIZER(
            [
                (d["code"], d["name"], d["full_name"], d["level"], d["parent_code"])
                for d in divisions
            ]
        ),
        "key": ident.key,
        "division_code": ident.division.code if ident.division else None,
        "kind": ident.kind,
        "agency": ident.name,
        "alias": ident.alias,
        "predecessor": ident.predecessor,
        "year": p.year,
        "created_at": datetime.now(UTC),
        "when": when,
        "record": JSON_SERIALIZER(p.stored),
        "digest": p.digest,
        **p.version_columns(),
        "warnings": JSON_SERIALIZER(p.warnings),  # a driver parameter: JSON text
        "cells": json.dumps(
            [(s, r, c, None if v is None else repr(v)) for s, r, c, v in p.cells],
            ensure_ascii=False,
        ),
    }


class Created(NamedTuple):
    """A report :func:`store_new` created, with its version 1."""

    agency_id: int
    report_id: int
    version_id: int


def store_new(
    conn: Connection, params: dict[str, Any], url: str, run_id: int | None
) -> Created | Existing:
    """The report as version 1 if this statement creates its row (counted as an insert).
    Otherwise :class:`Existing`: nothing written but idempotent rows (divisions, agency,
    alias), and the report locked if this statement could see it."""
    values = {**params, "url": url, "run_id": run_id, "number": 1}
    agency_id, new_report, old_report, version_id = conn.exec_driver_sql(_NEW, values).one()
    if version_id is not None:
        return Created(agency_id, new_report, version_id)
    return Existing(agency_id, old_report)


def versions(conn: Connection, report_id: int) -> list[VersionRow]:
    """A locked report's versions, current first, read by a statement of its own."""
    rows = conn.exec_driver_sql(_VERSIONS, {"report_id": report_id}).all()
    return [VersionRow(*r) for r in rows]


def supersede(conn: Connection, report_id: int, when: datetime) -> None:
    conn.exec_driver_sql(_SUPERSEDE, {"report_id": report_id, "when": when})


def insert_version(
    conn: Connection,
    params: dict[str, Any],
    report_id: int,
    number: int,
    url: str,
    run_id: int | None,
    action: Outcome,
) -> int:
    """Version ``number`` of a locked report with its cells and source; counts ``action``."""
    values = {**params, "report_id": report_id, "number": number, "url": url, "run_id": run_id}
    return int(conn.exec_driver_sql(_VERSION[action], values).scalar_one())


def noop(conn: Connection, version_id: int, url: str, when: datetime, run_id: int | None) -> None:
    """The same content found again at ``url``: its source, its last sighting, the count."""
    values = {"version_id": version_id, "url": url, "when": when, "run_id": run_id}
    conn.exec_driver_sql(_NOOP, values)
