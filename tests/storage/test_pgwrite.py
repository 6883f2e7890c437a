"""The PostgreSQL hot path: one statement per step, and the general path whenever a row it
needs was created by another writer that had not committed when the statement began.

Each race is made real and deterministic: a second connection writes its rows and holds its
transaction open, the store under test runs in a thread until the server shows it waiting on
that transaction's lock, then the second connection commits. The outcome must be what storing
one after the other gives: one agency, one report, no version twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, select, text

from models import Agency, AgencyAlias, Report, ReportCell, ReportSource, ReportVersion
from storage import Store, agencies, reports
from storage.content import now
from storage.reports import StoreOutcome
from tests.storage.helpers import ONCE, changed, kw, load_record, row_counts

pytestmark = pytest.mark.postgres


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    with Store(postgres_url) as s:
        yield s


def prepared(record: dict[str, Any], **overrides: Any) -> reports.PreparedReport:
    args = kw(**overrides)
    args.pop("source_url")
    return reports.prepare(record, **args)


def wait_until_blocked(store: Store, timeout: float = 20.0) -> None:
    """Until a backend of this database waits for a lock (the store under test)."""
    deadline = time.monotonic() + timeout
    with store.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the store never waited for the other writer's lock")


def race(store: Store, other: Callable[[Connection], Any], **store_kw: Any) -> StoreOutcome:
    """``other`` writes in an open transaction; the store runs meanwhile and must wait for it;
    ``other`` commits; the store's outcome is returned."""
    record = store_kw.pop("record")
    result: dict[str, Any] = {}
    with store.engine.connect() as conn, conn.begin():
        other(conn)

        def run() -> None:
            try:
                result["outcome"] = store.store_report(record, **kw(**store_kw))
            except BaseException as exc:  # re-raised in the test's thread
                result["error"] = exc

        thread = threading.Thread(target=run)
        thread.start()
        wait_until_blocked(store)
    thread.join(timeout=30)
    assert not thread.is_alive(), "the store hung after the other writer committed"
    if "error" in result:
        raise result["error"]
    outcome: StoreOutcome = result["outcome"]
    return outcome


def test_a_new_report_is_one_statement_and_stored_whole(store: Store) -> None:
    statements: list[str] = []
    with store.engine.connect() as conn:

        @event.listens_for(conn, "before_cursor_execute")
        def seen(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        transaction = conn.begin()
        store.add_document("a" * 64, url="http://a/1")  # the caller registers the document
        p = prepared(load_record())
        out = reports.store(conn, p, "http://a/1", now(None), None, register_document=False)
        assert len(statements) == 1  # agency, report, version, cells, source: one statement
        transaction.rollback()
    assert out.action == "insert" and out.version == 1
    assert row_counts(store)["report_versions"] == 0  # rolled back: nothing half-written
    out = store.store_report(load_record(), **kw())
    assert out.action == "insert"
    assert row_counts(store) == ONCE


def test_an_agency_another_writer_has_not_committed_yet_is_found_after_all(
    store: Store,
) -> None:
    record = load_record()
    p = prepared(dict(record, year=record["year"] - 1))

    def other(conn: Connection) -> None:  # the same agency, another year's report
        agencies.ensure_agency(conn, p.identity, now(None))

    out = race(store, other, record=record)
    assert out.action == "insert"
    assert row_counts(store)["agencies"] == 1 and row_counts(store)["reports"] == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(Report.agency_id)).scalar_one() == out.agency_id


@pytest.mark.parametrize("theirs", ["same", "changed"])
def test_a_report_another_writer_has_not_committed_yet_gets_no_second_version_1(
    store: Store, theirs: str
) -> None:
    mine = load_record()
    other_record = mine if theirs == "same" else changed(mine)
    # the agency is there already (last year's report): only the report row is in the race
    store.store_report(dict(mine, year=mine["year"] - 1), **kw(source_url="http://a/last"))

    def other(conn: Connection) -> None:
        p = prepared(other_record, raw_sha256="b" * 64)
        reports.store(conn, p, "http://other/1", now(None), None)

    out = race(store, other, record=mine, source_url="http://mine/1")
    if theirs == "same":
        assert (out.action, out.version) == ("noop", 1)
    else:
        assert (out.action, out.version) == ("new_version", 2)
    c = row_counts(store)
    assert c["agencies"] == 1 and c["reports"] == 2
    assert c["report_versions"] == (2 if theirs == "same" else 3)
    with store.engine.connect() as conn:
        current = conn.execute(
            select(ReportVersion.id).where(
                ReportVersion.is_current, ReportVersion.report_id == out.report_id
            )
        ).all()
        assert [r.id for r in current] == [out.version_id]


def test_a_version_another_writer_adds_while_holding_the_report_is_seen_before_deciding(
    store: Store,
) -> None:
    """The report is there; the other writer holds it while adding version 2; storing the
    same content as that version 2 waits for the lock and then finds it: a noop, not v3."""
    store.store_report(load_record(), **kw())
    newer = changed(load_record())

    def other(conn: Connection) -> None:
        p = prepared(newer, raw_sha256="b" * 64)
        assert reports.store(conn, p, "http://other/2", now(None), None).version == 2

    out = race(store, other, record=newer, source_url="http://mine/2", raw_sha256="c" * 64)
    assert (out.action, out.version) == ("noop", 2)
    assert row_counts(store)["report_versions"] == 2


def test_what_it_writes_reads_back_as_on_sqlite(store: Store, tmp_path: Path) -> None:
    """The hot path's own SQL against SQLAlchemy's on SQLite: the same rows, cell by cell."""
    record = load_record()
    record["applications"]["new"]["research"] = None
    warning = {"code": "row_missing", "message": "三（六）1 缺", "where": "applications"}
    args = kw(status="partial", warnings=[warning], region="河南省洛阳市")

    def stored(s: Store) -> tuple[Any, ...]:
        s.add_document("a" * 64, doc_type="html", size=10, url="http://lcx/a", title="标题")
        out = s.store_report(record, **args)
        again = s.store_report(record, **dict(args, source_url="http://ly/copy"))
        with s.engine.connect() as conn:
            version = conn.execute(select(ReportVersion)).one()
            cells = sorted(
                (c.section, c.row_key, c.column_key, c.value)
                for c in conn.execute(select(ReportCell))
            )
            names = conn.execute(
                select(Agency.key, Agency.name, AgencyAlias.name).join(
                    AgencyAlias, AgencyAlias.agency_id == Agency.id
                )
            ).all()
            sources = sorted(r.url for r in conn.execute(select(ReportSource)))
        docs = [
            (d.sha256, d.doc_type, d.size, d.urls, d.region, d.title) for d in s.iter_documents()
        ]
        fields = ("record", "content_hash", "agency_name", "region", "title", "status", "warnings")
        return (
            (out.action, again.action),
            tuple(getattr(version, f) for f in fields),
            cells,
            names,
            sources,
            docs,
        )

    with Store(f"sqlite:///{tmp_path / 'yingji.db'}") as lite:
        assert stored(store) == stored(lite)
    with store.engine.connect() as conn:  # readable UTF-8 in the JSON, as SQLAlchemy writes it
        text_of = conn.execute(
            text("SELECT record::text, warnings::text FROM report_versions")
        ).one()
    assert "栾川县" in text_of[0] and "\\u" not in text_of[0] and "三（六）1 缺" in text_of[1]
