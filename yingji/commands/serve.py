"""``yingji serve``: browse the database in Datasette, read-only, on 127.0.0.1.

Why Datasette: people who study disclosure want to look, filter, facet and share a link to a
query, not to install a SQL client; Datasette does exactly that for an SQLite file and is
maintained. yingji adds what only it knows (yingji/commands/browse_metadata.py and
browse_plugin.py): the descriptions of docs/database.md, canned queries, facets, a coverage
grid, a chart and links to the raw documents.

Read-only: Datasette opens the file with ``mode=ro`` and this command registers no plugin that
writes, so a crawl may write to the same database meanwhile. Only loopback is served: the
database may hold what a user has not decided to publish. PostgreSQL cannot be served (Datasette
reads SQLite only); the message says how to get an SQLite copy.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from storage import config
from storage.errors import UserError
from yingji.cli import examples
from yingji.commands import add_database_option

HOST = "127.0.0.1"
DEFAULT_PORT = 8001
TEMPLATES = Path(__file__).resolve().parent / "templates"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    desc = "browse the database in Datasette (read-only, on 127.0.0.1)"
    p = sub.add_parser(
        "serve",
        help=desc,
        description=desc + ": tables and views described, canned queries, coverage per site "
        "and year (/-/coverage), a chart of one measure (/-/chart). Needs the 'serve' extra: "
        "pip install -e '.[serve]'.",
        **examples("yingji serve --database sqlite:///yingji-demo.db --port 8001"),
    )
    add_database_option(p)
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, metavar="N", help=f"port (default {DEFAULT_PORT})"
    )
    p.set_defaults(func=run)


def sqlite_path(url: str) -> Path:
    """The SQLite file of ``url``; a UserError for any other database or a missing file."""
    if not url.startswith("sqlite:"):
        raise UserError(
            "yingji serve browses SQLite only (Datasette cannot read PostgreSQL): serve an "
            "SQLite database (yingji crawl --database sqlite:///yingji.db), or query PostgreSQL "
            "with psql"
        )
    path = url.split("///", 1)[1] if "///" in url else ""
    path = path.split("?", 1)[0]
    if not path or path == ":memory:":
        raise UserError(f"{url}: give the URL of an SQLite file, e.g. sqlite:///yingji.db")
    file = Path(path)
    if not file.is_file():
        raise UserError(f"{file}: no such database; crawl first (yingji demo, yingji crawl)")
    if not _has_views(file):
        raise UserError(f"{file}: not a yingji database (no current_reports view)")
    return file.resolve()


def _has_views(file: Path) -> bool:
    """Whether ``file`` is an SQLite database with yingji's views (read-only look)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = 'current_reports'"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return row is not None


def make_datasette(file: Path, files_store: Path) -> Any:
    """A Datasette over ``file`` with yingji's metadata and plugin (no server started)."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from yingji.commands import browse_plugin
    from yingji.commands.browse_metadata import build_metadata

    if not pm.is_registered(browse_plugin):
        pm.register(browse_plugin, name="yingji")
    name = file.stem
    metadata = build_metadata(name)
    metadata["plugins"] = {"yingji": {"database": name, "files": str(files_store)}}
    return Datasette(
        files=[str(file)],
        metadata=metadata,
        template_dir=str(TEMPLATES),
        settings={"default_page_size": 50, "sql_time_limit_ms": 3000},
    )


def run(args: argparse.Namespace) -> int:
    url = config.database_url(args.database)
    file = sqlite_path(url)
    try:
        import uvicorn
    except ImportError:
        raise UserError(
            "yingji serve needs Datasette: pip install -e '.[serve]' (or '.[dev]')"
        ) from None
    try:
        ds = make_datasette(file, config.files_store(None, url))
    except ImportError:
        raise UserError(
            "yingji serve needs Datasette: pip install -e '.[serve]' (or '.[dev]')"
        ) from None
    print(f"yingji serve: {file} at http://{HOST}:{args.port}/ (Ctrl-C stops)", flush=True)
    uvicorn.run(ds.app(), host=HOST, port=args.port, log_level="warning")
    return 0
