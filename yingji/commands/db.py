"""``yingji db upgrade`` / ``yingji db current``: migrate the database, or say where it stands."""

from __future__ import annotations

import argparse

from storage import db
from yingji.commands import add_database_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("db", help="database schema: upgrade to this yingji's schema, or show it")
    dbsub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    for name, help_text, func in (
        ("upgrade", "apply the migrations this yingji has (a fresh database is created)", upgrade),
        ("current", "print the database's schema revision and whether it is up to date", current),
    ):
        q = dbsub.add_parser(name, help=help_text, description=help_text)
        add_database_option(q)
        q.set_defaults(func=func)


def upgrade(args: argparse.Namespace) -> int:
    engine = db.make_engine(args.database)
    try:
        rev = db.ensure_schema(engine, upgrade=True)
        print(f"{db.safe_url(engine)}: schema at revision {rev} (head)")
    finally:
        engine.dispose()
    return 0


def current(args: argparse.Namespace) -> int:
    engine = db.make_engine(args.database)
    try:
        rev, head = db.schema_status(engine)
    finally:
        engine.dispose()
    if rev == head:
        print(f"{db.safe_url(engine)}: schema at revision {rev} (head)")
        return 0
    print(
        f"{db.safe_url(engine)}: schema at revision {rev or 'none'}, this yingji needs {head}: "
        "run `yingji db upgrade`"
    )
    return 1
