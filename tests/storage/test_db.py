"""Database URLs and engines."""

from __future__ import annotations

import socket
import sqlite3

import pytest
from sqlalchemy import text

from storage import db
from storage.errors import UserError


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u@h/d", "postgresql+psycopg"),
        ("postgres://u:pw@h:5433/d", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg"),
        ("postgresql+psycopg2://u@h/d", "postgresql+psycopg"),  # the only driver installed
        ("sqlite:///x.db", "sqlite+pysqlite"),
        ("sqlite://", "sqlite+pysqlite"),
    ],
)
def test_urls_are_routed_to_the_installed_drivers(given: str, driver: str) -> None:
    assert db.normalise_url(given).drivername == driver


@pytest.mark.parametrize("bad", ["not a url", "mysql://u@h/d", "foo://bar"])
def test_other_urls_are_a_user_error(bad: str) -> None:
    with pytest.raises(UserError, match="sqlite:///PATH or postgresql://"):
        db.normalise_url(bad)


def test_passwords_never_appear_in_messages() -> None:
    engine = db.make_engine("postgres://u:secret@127.0.0.1:1/d")
    assert "secret" not in db.safe_url(engine)


def test_sqlite_engines_use_wal_foreign_keys_and_a_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = db.make_engine(f"sqlite:///{tmp_path / 'x.db'}", sqlite_busy_timeout=2.5)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 2500
    engine.dispose()


def real_error(engine, sql: str) -> BaseException:  # type: ignore[no-untyped-def]
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    except Exception as exc:
        return exc
    raise AssertionError("no error")


def test_transient_errors_are_told_from_permanent_ones(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "x.db"
    engine = db.make_engine(f"sqlite:///{path}", sqlite_busy_timeout=0)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (k INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    locked = real_error(engine.execution_options(**{db.BEGIN_OPTION: "IMMEDIATE"}), "SELECT 1")
    locker.execute("ROLLBACK")
    locker.close()
    assert db.is_transient(locked), locked
    assert not db.is_transient(real_error(engine, "INSERT INTO t VALUES (1)"))  # a constraint
    assert not db.is_transient(real_error(engine, "SELECT * FROM missing"))  # a bug
    assert not db.is_transient(ValueError("not a database error"))
    engine.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    refused = db.make_engine(f"postgresql://u@127.0.0.1:{port}/x")
    assert db.is_transient(real_error(refused, "SELECT 1"))  # a server restarting after a drop
    refused.dispose()
