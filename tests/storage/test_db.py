"""Database URLs and engines."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from yingji import db
from yingji.errors import UserError


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
