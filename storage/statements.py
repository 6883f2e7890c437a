"""Statements of the store's hot path, built once per dialect and shape and executed with
their values as parameters.

Why: storing one report runs about a dozen statements, and building one with its values
(``insert(...).values(...)``, ``.excluded`` of an upsert, a ``where`` on literals) costs about
1 ms of Python each time, more than executing it; the same statement built once and executed
with a parameter dict costs about 0.05 ms (SQLAlchemy still finds its compiled form in its
cache). A statement here holds no values, only bound parameters named after the columns, so
it is safe to share between threads and connections of one dialect.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import Executable

_BUILT: dict[tuple[Hashable, ...], Any] = {}


def cached(conn: Connection, key: Hashable, build: Callable[[str], Executable]) -> Any:
    """The statement ``build(dialect_name)`` for ``key`` on ``conn``'s dialect, built once."""
    full = (conn.dialect.name, key)
    stmt = _BUILT.get(full)
    if stmt is None:
        stmt = _BUILT[full] = build(conn.dialect.name)
    return stmt


def dialect_insert(dialect: str, model: Any) -> Any:
    """The dialect's INSERT on the model's Core table (for ON CONFLICT)."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model.__table__)


def later(dialect: str, a: Any, b: Any) -> Any:
    """The later of two timestamps, as an SQL expression."""
    from sqlalchemy import func

    return func.max(a, b) if dialect == "sqlite" else func.greatest(a, b)
