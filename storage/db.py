"""Engines, the schema-version guard, migrations and the retry policy of yingji's database.

Both SQLite (the default, one file) and PostgreSQL (psycopg 3, production) are first-class.
SQLite runs in WAL mode with a busy timeout and foreign keys on; its write transactions start
with ``BEGIN IMMEDIATE`` so that two writers queue instead of dead-locking on a lock upgrade.
PostgreSQL URLs may be given as ``postgresql://`` or ``postgres://``: they are rewritten to the
psycopg 3 driver, the only one installed.
"""

from __future__ import annotations

import atexit
import json
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InvalidatePoolError, NoSuchModuleError
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from storage.config import database_url
from storage.errors import UserError

T = TypeVar("T")


def _migrations_dir() -> Path:
    """The migrations package as a real directory, which is what Alembic needs.

    A checkout or an installed wheel has one on disk. Scrapyd runs the project from a zipped egg,
    where the package is only readable through importlib.resources: it is then copied once per
    process into a temporary directory (a few small files).
    """
    package = resources.files("migrations")
    if isinstance(package, Path) and (package / "env.py").is_file():
        return package
    target = Path(tempfile.mkdtemp(prefix="yingji-migrations-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)

    def copy(node: Traversable, dest: Path) -> None:
        for child in node.iterdir():
            if child.is_dir():
                if child.name != "__pycache__":
                    (dest / child.name).mkdir()
                    copy(child, dest / child.name)
            elif child.name.endswith((".py", ".mako")):
                (dest / child.name).write_bytes(child.read_bytes())

    copy(package, target)
    return target


MIGRATIONS_DIR = _migrations_dir()
# any constant: PostgreSQL advisory lock taken while migrating, so that shards starting together on
# a fresh database migrate it once
_MIGRATION_LOCK_ID = 0x79696E676A69
# execution option read by the SQLite "begin" hook: "IMMEDIATE" for writers, "DEFERRED" for readers
BEGIN_OPTION = "yingji_sqlite_begin"


def normalise_url(url: str | None = None) -> URL:
    """Parse ``url`` (or the configured one) and route PostgreSQL to psycopg 3.

    Raises UserError for anything that is not an SQLite or PostgreSQL URL.
    """
    raw = database_url(url)
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise UserError(
            f"bad database URL {raw!r}: use sqlite:///PATH or postgresql://USER@HOST/DATABASE"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.get_driver_name() in ("pysqlite", ""):
        return parsed.set(drivername="sqlite+pysqlite")
    raise UserError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: "
        "use sqlite:///PATH or postgresql://USER@HOST/DATABASE"
    )


#: JSON columns (``record``, ``warnings``) hold readable UTF-8 (孟津区), not ``\u5b5f`` escapes:
#: people read them in ``yingji serve``, sqlite3 and psql
JSON_SERIALIZER = partial(json.dumps, ensure_ascii=False)


def sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite URL (relative paths as SQLite opens them), None for in-memory."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    database = url.database
    if database.startswith("file:"):  # a URI filename (?uri=true)
        database = database.removeprefix("file:").split("?", 1)[0]
    return Path(database)


def make_engine(
    url: str | None = None, *, sqlite_busy_timeout: float = 10.0, create: bool = True
) -> Engine:
    """An engine configured for yingji; ``sqlite_busy_timeout`` is in seconds.

    ``create=False``: a missing SQLite file is a UserError instead of a new empty database
    (SQLite creates the file on the first connection) — what the read-only commands want.
    """
    parsed = normalise_url(url)
    if not create:
        file = sqlite_file(parsed)
        if file is not None and not file.is_file():
            raise UserError(
                f"no database at {file}: give the right --database (or YINGJI_DATABASE_URL), "
                "or create one with `yingji crawl`, `yingji demo` or `yingji db upgrade`"
            )
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, json_serializer=JSON_SERIALIZER)
            _configure_sqlite(engine, int(sqlite_busy_timeout * 1000))
        else:
            engine = create_engine(parsed, json_serializer=JSON_SERIALIZER)
            _ping_when_idle(engine)
    except NoSuchModuleError:  # pragma: no cover - both drivers are dependencies
        raise UserError(f"no driver for {parsed.drivername}: reinstall yingji") from None
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # take transaction control from the driver, so that BEGIN IMMEDIATE is possible
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


#: a pooled PostgreSQL connection idle for longer than this (seconds) is pinged before use
PING_AFTER_IDLE = 1.0
_IDLE_SINCE = "yingji_idle_since"


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's ``pool_pre_ping``, but only for a connection that sat idle in the pool.

    Why: the store checks a connection out for every item, and a ping before each was one
    round trip in five. A connection handed back less than a second ago is used as it is; if
    the server dropped it meanwhile, the first statement fails as a disconnect, which
    invalidates the pool and is a transient error that the retry of the whole transaction
    cures (storage/db.py ``is_transient``) on a new connection.
    """

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is not None and time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except psycopg.Error as exc:  # as pre-ping: every pooled connection is replaced
            raise InvalidatePoolError(f"the pooled connection is gone: {exc}") from exc


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that may write: on SQLite it holds the write lock from its first statement."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
        with conn.begin():
            yield conn


def safe_url(engine_or_url: Engine | URL) -> str:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else engine_or_url
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


def connection_error(exc: DBAPIError, engine: Engine) -> UserError:
    """One line for a database that cannot be reached or opened."""
    reason = (str(exc.orig) if exc.orig else str(exc)).strip().splitlines()[0]
    file = sqlite_file(engine.url)
    if file is not None and file.exists():
        hint = (
            "the file exists: check that it, its directory and the file system are writable "
            "and the disk is not full (SQLite keeps -wal and -shm files next to it)"
        )
    elif engine.dialect.name == "sqlite":
        hint = "check the path (--database or YINGJI_DATABASE_URL): its directory must exist"
    else:
        hint = "check the URL (--database or YINGJI_DATABASE_URL) and that the server is running"
    return UserError(f"cannot open the database {safe_url(engine)} ({reason}): {hint}")


# --- transient errors and the retry policy ---------------------------------------------------

_SQLITE_TRANSIENT = ("database is locked", "database table is locked", "database is busy")
# serialization failure, deadlock, admin/crash shutdown, cannot connect now, connection exceptions
_PG_TRANSIENT_STATES = ("40001", "40P01", "57P01", "57P02", "57P03")


def is_transient(exc: BaseException) -> bool:
    """True for errors that a retry of the whole transaction can cure.

    SQLite: the database is locked by another writer beyond the busy timeout. PostgreSQL: the
    connection was dropped (SQLAlchemy marks it invalidated), the server shut the backend down,
    or a serialization failure / deadlock.
    """
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if isinstance(orig, sqlite3.OperationalError):
        return any(m in str(orig).lower() for m in _SQLITE_TRANSIENT)
    state = getattr(orig, "sqlstate", None)
    if state:
        return state in _PG_TRANSIENT_STATES or state.startswith("08")
    # psycopg's OperationalError without a server state: the connection failed or broke on the
    # client side (server restarting after a drop); a new connection may well succeed
    return isinstance(orig, psycopg.OperationalError)


def retrying(*, max_attempts: int | None = None, max_delay: float = 60.0) -> Retrying:
    """The tenacity policy around one whole transaction (never around a single statement).

    ``max_delay`` (seconds) is what bounds it: a PostgreSQL restart or another SQLite writer
    holding the lock lasts as long as it lasts, and a count of attempts would run out first
    (the waits are short). ``max_attempts`` caps the attempts too when given.
    """
    stop: stop_base = stop_after_delay(max_delay)
    if max_attempts is not None:
        stop = stop | stop_after_attempt(max_attempts)
    return Retrying(
        retry=retry_if_exception(is_transient),
        stop=stop,
        wait=wait_random_exponential(multiplier=0.05, max=2.0),
        reraise=True,
    )


def run_with_retry(fn: Callable[[], T], *, policy: Retrying | None = None) -> tuple[T, int]:
    """Run ``fn`` (one whole transaction) under the retry policy; return its result and attempts."""
    state: dict[str, int] = {"attempts": 0}

    def counted() -> T:
        state["attempts"] += 1
        return fn()

    result = (policy or retrying())(counted)
    return result, state["attempts"]


# --- migrations and the schema guard ---------------------------------------------------------


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """The Alembic configuration, built in code so that an installed yingji needs no alembic.ini."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _check_known(revision: str | None, engine: Engine) -> None:
    if revision is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(revision) is not None
    except Exception:
        known = False
    if not known:
        raise UserError(
            f"the database {safe_url(engine)} has schema revision {revision}, newer than this "
            f"yingji knows (head {head_revision()}): upgrade yingji, or use another database"
        )


def schema_status(engine: Engine) -> tuple[str | None, str]:
    """(the database's revision, this yingji's head); UserError for unknown or unreachable."""
    try:
        with engine.connect() as conn:
            rev = current_revision(conn)
            conn.rollback()
    except DBAPIError as exc:
        raise connection_error(exc, engine) from None
    _check_known(rev, engine)
    return rev, head_revision()


def no_schema_error(engine: Engine) -> UserError:
    return UserError(
        f"the database {safe_url(engine)} holds no yingji data (no schema): give the right "
        "--database, or create it with `yingji crawl`, `yingji demo` or `yingji db upgrade`"
    )


def _is_lock_conflict(exc: BaseException) -> bool:
    """A transient error of a reachable database: another process holds the lock we need."""
    if not isinstance(exc, DBAPIError) or exc.connection_invalidated:
        return False
    if isinstance(exc.orig, sqlite3.OperationalError):
        return is_transient(exc)
    return getattr(exc.orig, "sqlstate", None) in ("40001", "40P01")


def ensure_schema(engine: Engine, *, upgrade: bool = True, create: bool = True) -> str:
    """Check the schema revision and, if ``upgrade``, migrate to head; return the revision.

    ``create=False``: a database without yingji's schema (no revision: empty, or another
    program's) is a UserError — a read-only command never turns it into a yingji database. A
    yingji database at an older revision is still migrated when ``upgrade``.

    A revision unknown to this yingji (a database migrated by a newer release) is a UserError.
    An out-of-date schema with ``upgrade=False`` is a UserError that says to run
    ``yingji db upgrade``. Migrating happens under a lock (SQLite write lock, PostgreSQL advisory
    lock), so that processes starting together on a fresh database migrate it once; a process
    that finds the lock taken beyond the busy timeout waits and tries again (the check is
    repeated under the lock, so a retry never migrates twice). A database that cannot be
    reached at all fails at once with one line, not after a retry budget.
    """
    policy = Retrying(
        retry=retry_if_exception(_is_lock_conflict),
        stop=stop_after_delay(120),
        wait=wait_random_exponential(multiplier=0.05, max=2.0),
        reraise=True,
    )
    try:
        return policy(_ensure_schema_once, engine, upgrade, create)
    except DBAPIError as exc:
        if exc.connection_invalidated or isinstance(
            exc.orig, (sqlite3.OperationalError, psycopg.OperationalError)
        ):
            raise connection_error(exc, engine) from None
        raise


def _ensure_schema_once(engine: Engine, upgrade: bool, create: bool = True) -> str:
    with engine.connect() as conn:
        rev = current_revision(conn)
        conn.rollback()
    _check_known(rev, engine)
    if rev is None and not create:
        raise no_schema_error(engine)
    head = head_revision()
    if rev == head:
        return rev
    if not upgrade:
        raise UserError(
            f"the database {safe_url(engine)} is at schema revision {rev or 'none'}, this yingji "
            f"needs {head}: run `yingji db upgrade --database URL`"
        )
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_ID})
        rev = current_revision(conn)
        _check_known(rev, engine)
        if rev != head:
            command.upgrade(alembic_config(connection=conn), "head")
    return head
