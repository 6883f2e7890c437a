"""Can this crawl write? Asked once, before the first request, so that it fails in one line.

Why: a crawl into a read-only SQLite file, a read-only file system or a full disk used to run
for its whole length, store nothing, and exit 0 with nothing on stderr. Opening the database is
no proof (SQLite opens a read-only file and reads it happily), so both checks really write:

* the database: one committed write transaction that changes nothing (the schema revision
  row set to itself). On SQLite that takes the write lock and appends to the WAL, which fails on
  a read-only file, directory or file system; on PostgreSQL it fails for a read-only role or a
  standby. A full disk may still leave room for this one page: the files-store check below
  catches that.
* the raw-file store: its directory created if need be, a scratch file of :data:`PROBE_BYTES`
  written, synced and removed (a full disk refuses the bytes, a read-only one the file).

A database that is merely locked by another writer is not unwritable: the write is retried by
the store's policy like any other.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from storage.db import no_schema_error, safe_url
from storage.errors import UserError

if TYPE_CHECKING:
    from storage.store import Store

#: what the files-store probe writes: about one small attachment
PROBE_BYTES = 256 * 1024


def check(store: Store, files_root: Path | None = None) -> None:
    """Write once for real to the store's database (and to ``files_root``); UserError with
    the reason if it cannot. The write is retried by the store's policy like any other, so a
    lock held by another writer is waited for, not reported."""
    try:
        touched, _ = store.write(_touch_revision)
    except DBAPIError as exc:
        reason = (str(exc.orig) if exc.orig else str(exc)).strip().splitlines()[0]
        raise UserError(
            f"cannot write to the database {safe_url(store.engine)} ({reason}): check that the "
            "file, its directory and the disk are writable, or that the role may write"
        ) from None
    if not touched:
        raise no_schema_error(store.engine)
    if files_root is not None:
        check_directory(files_root)


def _touch_revision(conn: Connection) -> int:
    """The schema revision row set to itself: a committed write that changes nothing."""
    return conn.execute(text("UPDATE alembic_version SET version_num = version_num")).rowcount


def check_directory(root: Path) -> None:
    """Create ``root`` if needed and write, sync and remove a scratch file in it."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".yingji-probe-", dir=root)
        try:
            with os.fdopen(fd, "wb") as probe:
                probe.write(b"\0" * PROBE_BYTES)
                probe.flush()
                os.fsync(probe.fileno())
        finally:
            os.unlink(name)
    except OSError as exc:
        raise UserError(
            f"cannot write to the raw-file store {root} ({exc.strerror or exc}): free some disk "
            "space or make it writable, or set YINGJI_FILES_STORE to another directory"
        ) from None
