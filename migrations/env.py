"""Alembic environment for yingji.

Three ways in: yingji passes an open connection (``config.attributes["connection"]``, inside its
own locked transaction, see storage/db.py ensure_schema); a programmatic Config may carry
``sqlalchemy.url``; the ``alembic`` command from the repository root uses the configured
database (YINGJI_DATABASE_URL, default yingji.db). SQLite needs batch mode to alter tables.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, create_engine, make_url

import models
from models.base import UTCDateTime

config = context.config
target_metadata = models.Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render project column types as their plain SQLAlchemy implementation.

    Migrations must not import models: a migration is a frozen description of the schema.
    """
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # the `alembic` command from the repository root: migrations sit below storage/, so the URL
    # is resolved here as storage.config does (explicit, YINGJI_DATABASE_URL, ./yingji.db)
    raw = (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("YINGJI_DATABASE_URL")
        or "sqlite:///yingji.db"
    )
    url = make_url(raw)
    if url.get_backend_name() in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("yingji migrations run online only: give a database URL")
run_migrations_online()
