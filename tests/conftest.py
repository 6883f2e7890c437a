"""Shared fixtures: ``db_url`` runs a test on SQLite and, when configured, on PostgreSQL.

``db_url`` is parametrised: ``sqlite`` always (a file in the test's tmp_path) and ``postgresql``
when ``YINGJI_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it). Each PostgreSQL test gets a
database of its own, created empty and dropped afterwards, so tests never see each other's
rows and can run in any order. The URL is a plain string, as a user would pass ``--database``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ENV = "YINGJI_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _pg_admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.database or "postgres",
        autocommit=True,
    )


def create_postgres_database(admin_url: str) -> str:
    """Create an empty database next to ``admin_url``'s and return its URL."""
    from sqlalchemy.engine import make_url

    name = f"yingji_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin(admin_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(admin_url: str, url: str) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with _pg_admin(admin_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh, empty database (no schema yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'yingji.db'}"
        return
    yield from _fresh_postgres()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for PostgreSQL-only tests (skipped without the server)."""
    yield from _fresh_postgres()


def _fresh_postgres() -> Iterator[str]:
    """Create a database for one test and drop it afterwards; skip without the server."""
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    url = create_postgres_database(admin)
    try:
        yield url
    finally:
        drop_postgres_database(admin, url)
