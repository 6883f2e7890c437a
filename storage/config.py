"""Where yingji keeps things: one place that reads the environment.

Precedence for the database URL: an explicit value (``--database``, the Scrapy setting
``DATABASE_URL``) over ``YINGJI_DATABASE_URL`` over the default, an SQLite file ``yingji.db`` in
the working directory. Raw documents go to ``YINGJI_FILES_STORE`` or, by default, ``files/`` next
to the SQLite database (next to the working directory for other databases).
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATABASE_FILE = "yingji.db"


def database_url(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    env = os.environ.get("YINGJI_DATABASE_URL")
    if env:
        return env
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


def files_store(explicit: str | None = None, db_url: str | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("YINGJI_FILES_STORE")
    if env:
        return Path(env)
    url = database_url(db_url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///")).resolve().parent / "files"
    return Path.cwd() / "files"
