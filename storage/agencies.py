"""The rows a report hangs from: its agency (with the division chain and this spelling as an
alias) and the report of an agency and year.

Each is looked up before it is inserted: a recrawl's and a re-parse's agencies and reports are
there already, so storing them again costs one SELECT each and no INSERT. Statements are built
once per dialect (storage/statements.py). PostgreSQL's new reports take the one-statement path
of storage/pgwrite.py, which writes these rows itself; these functions are its fallback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from models import Agency, AgencyAlias, Division, Report
from storage import statements
from storage.identity import AgencyIdentity, division_table
from storage.statements import cached


def division_rows(ident: AgencyIdentity) -> list[dict[str, Any]]:
    """The rows of the agency's division and its ancestors (none without a division)."""
    if ident.division is None:
        return []
    table = division_table()
    return [
        {
            "code": d.code,
            "name": d.name,
            "full_name": table.full_name(d),
            "level": d.level,
            "parent_code": p.code if (p := table.parent(d)) else None,
        }
        for d in table.chain(ident.division)
    ]


def ensure_agency(conn: Connection, ident: AgencyIdentity, when: datetime) -> int:
    """The agency's row (and its division chain and this spelling as an alias); its id.

    The row is looked up first: an agency already stored has its division chain (written
    with it), so a report of a known agency — every recrawl's and re-parse's — costs no
    division or agency insert."""
    agency_id: int | None = _agency_id(conn, ident.key)
    if agency_id is None:
        rows = division_rows(ident)
        if rows:  # the chain, ON CONFLICT DO NOTHING, as one executemany of a cached statement
            conn.execute(cached(conn, "divisions", _divisions), rows)
        conn.execute(
            cached(conn, "agency", _agency),
            {
                "key": ident.key,
                "division_code": ident.division.code if ident.division else None,
                "kind": ident.kind,
                "name": ident.name,
                "created_at": when,
            },
        )
        agency_id = _agency_id(conn, ident.key)
        assert agency_id is not None  # inserted, or another writer's, just now
    conn.execute(
        cached(conn, "alias", _alias),
        {
            "agency_id": agency_id,
            "name": ident.alias,
            "predecessor": ident.predecessor,
            "first_seen": when,
        },
    )
    return agency_id


def _agency_id(conn: Connection, key: str) -> int | None:
    stmt = cached(conn, "agency_id", _select_agency_id)
    found: int | None = conn.execute(stmt, {"k": key}).scalar_one_or_none()
    return found


def _select_agency_id(dialect: str) -> Any:
    return select(Agency.id).where(Agency.key == bindparam("k"))


def _divisions(dialect: str) -> Any:
    # an executemany of one row's statement, not a multi-row VALUES: SQLAlchemy caches no
    # compiled multi-row INSERT, and compiling it cost more than running it
    return statements.dialect_insert(dialect, Division).on_conflict_do_nothing()


def _agency(dialect: str) -> Any:
    ins = statements.dialect_insert(dialect, Agency)
    return ins.on_conflict_do_nothing(index_elements=["key"])


def _alias(dialect: str) -> Any:
    ins = statements.dialect_insert(dialect, AgencyAlias)
    return ins.on_conflict_do_nothing(index_elements=["agency_id", "name"])


def ensure_report(conn: Connection, agency_id: int, year: int) -> int:
    """The report's row, locked; its id. Looked up first, inserted only when missing (a
    recrawl's and a re-parse's reports are there already)."""
    # the lock that serialises two stores of the same report (a no-op clause on SQLite,
    # whose BEGIN IMMEDIATE already serialises every writer)
    stmt = cached(conn, "report_id", _report_id)
    report_id: int | None = conn.execute(stmt, {"a": agency_id, "y": year}).scalar_one_or_none()
    if report_id is None:
        conn.execute(
            cached(conn, "report", _report),
            {"agency_id": agency_id, "year": year, "created_at": datetime.now(UTC)},
        )
        report_id = conn.execute(stmt, {"a": agency_id, "y": year}).scalar_one()
    return report_id


def _report(dialect: str) -> Any:
    ins = statements.dialect_insert(dialect, Report)
    return ins.on_conflict_do_nothing(index_elements=["agency_id", "year"])


def _report_id(dialect: str) -> Any:
    return (
        select(Report.id)
        .where(Report.agency_id == bindparam("a"), Report.year == bindparam("y"))
        .with_for_update()
    )
