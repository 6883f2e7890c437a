"""Transient database errors are retried around the whole transaction, never duplicating.

Real failures only: an SQLite write lock held by another connection, a PostgreSQL backend
terminated by pg_terminate_backend from another connection in the middle of a store.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from tenacity import Retrying, wait_none

from storage import Store, db
from tests.storage.helpers import ONCE, kw, load_record, row_counts


def hold_sqlite_write_lock(path: str, seconds: float) -> threading.Thread:
    """Another connection takes the write lock now and releases it after ``seconds``."""
    locker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")
    locker.execute("CREATE TABLE IF NOT EXISTS lock_probe (x INTEGER)")

    def release() -> None:
        time.sleep(seconds)
        locker.execute("COMMIT")
        locker.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def test_sqlite_locked_by_another_writer_is_retried_and_stored_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "yingji.db"
    with Store(f"sqlite:///{path}", sqlite_busy_timeout=0.05) as store:
        thread = hold_sqlite_write_lock(str(path), 0.6)
        outcome = store.store_report(load_record(), **kw())
        thread.join()
        assert outcome.action == "insert"
        assert outcome.attempts > 1  # the busy timeout alone could not have waited 0.6 s
        assert row_counts(store) == ONCE


def test_sqlite_lock_held_beyond_the_retry_budget_fails_cleanly_and_writes_nothing(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "yingji.db"
    with Store(f"sqlite:///{path}", sqlite_busy_timeout=0.05, max_delay=0.3) as store:
        thread = hold_sqlite_write_lock(str(path), 1.0)
        with pytest.raises(OperationalError, match="locked"):
            store.store_report(load_record(), **kw())
        thread.join()
        assert row_counts(store)["report_versions"] == 0
        assert store.store_report(load_record(), **kw()).action == "insert"  # the lock is gone


@pytest.mark.postgres
def test_postgres_backend_terminated_mid_store_is_retried_and_stored_once(
    postgres_url: str,
) -> None:
    db_url = postgres_url
    admin = create_engine(
        make_url(db_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    killed: list[int] = []
    with Store(db_url) as store:

        @event.listens_for(store.engine, "before_cursor_execute")
        def kill_once(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
            # the transaction has already written the document's rows; the statement that writes
            # the version (on PostgreSQL with its report, agency and cells) never completes
            if not killed and "INSERT INTO REPORT_VERSIONS" in statement.upper():
                pid = conn.connection.dbapi_connection.info.backend_pid
                with admin.connect() as other:
                    assert other.execute(
                        text("SELECT pg_terminate_backend(:p)"), {"p": pid}
                    ).scalar()
                killed.append(pid)

        outcome = store.store_report(load_record(), **kw())
        assert killed, "the backend was never terminated"
        assert outcome.action == "insert" and outcome.attempts == 2
        assert row_counts(store) == ONCE
        # the store goes on working on a fresh connection
        assert store.store_report(load_record(), **kw()).action == "noop"
    admin.dispose()


def test_the_run_record_waits_for_a_writer_holding_the_lock_beyond_the_busy_timeout(
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    """start_run, record_site and finish_run are retried like a store, as long as max_delay."""
    path = tmp_path / "yingji.db"
    with Store(f"sqlite:///{path}", sqlite_busy_timeout=0.05, max_delay=30) as store:
        thread = hold_sqlite_write_lock(str(path), 1.0)
        run = store.start_run(seeds_count=1)
        thread.join()
        thread = hold_sqlite_write_lock(str(path), 1.0)
        store.record_site(run, site_url="http://127.0.0.2/", status="none_found")
        thread.join()
        thread = hold_sqlite_write_lock(str(path), 1.0)
        info = store.finish_run(run)
        thread.join()
        assert info.status == "finished" and info.finished_at is not None
        assert [s.status for s in store.run_sites(run)] == ["none_found"]


def test_the_retry_policy_is_bounded_by_time_not_by_a_count_of_attempts() -> None:
    """A minute of "locked" is many short attempts: none of them may be the last but the
    clock's."""
    calls: list[float] = []

    def locked() -> None:
        calls.append(time.monotonic())
        if len(calls) < 40:
            raise OperationalError(
                "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
            )

    policy = Retrying(
        retry=db.retrying(max_delay=30).retry,
        stop=db.retrying(max_delay=30).stop,
        wait=wait_none(),
    )
    db.run_with_retry(locked, policy=policy)
    assert len(calls) == 40


def terminate_pooled_backend(store: Store, admin_url: str) -> None:
    """Kill the server side of the connection the pool holds (as a server restart does)."""
    with store.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        conn.rollback()
    admin = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    admin.dispose()
    time.sleep(0.1)  # the backend is gone before the next checkout


@pytest.mark.postgres
@pytest.mark.parametrize("idle", [True, False])
def test_a_pooled_connection_the_server_dropped_is_replaced(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, idle: bool
) -> None:
    """Idle for longer than PING_AFTER_IDLE, it is pinged on checkout and replaced before the
    store begins; reused at once, the store's first statement finds it gone and the retry of
    the whole transaction stores the report on a new connection."""
    monkeypatch.setattr(db, "PING_AFTER_IDLE", 0.0 if idle else 3600.0)
    with Store(postgres_url) as store:
        assert store.store_report(load_record(), **kw()).action == "insert"
        terminate_pooled_backend(store, postgres_url)
        outcome = store.store_report(load_record(), **kw(source_url="http://b/2"))
        assert outcome.action == "noop"
        assert outcome.attempts == (1 if idle else 2)
        assert row_counts(store) == {**ONCE, "report_sources": 2}
