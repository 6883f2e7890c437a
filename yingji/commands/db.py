"""``yingji db upgrade`` / ``yingji db current``: migrate the database, or say where it stands.

``upgrade`` is the one way besides a crawl or the demo to create a database; ``current`` only
looks: a database that does not exist, or holds no yingji schema, is an error, not created.
"""

from __future__ import annotations

import argparse

from yingji.cli import examples
from yingji.commands import add_database_option

ACTIONS = {
    "upgrade": (
        "apply the migrations this yingji has (a fresh database is created)",
        ("yingji db upgrade --database postgresql://yingji@dbhost/yingji",),
    ),
    "current": (
        "print the database's schema revision and whether it is up to date",
        ("yingji db current", "yingji db current --database sqlite:///yingji.db"),
    ),
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    desc = "database schema: upgrade to this yingji's schema, or show it"
    p = sub.add_parser(
        "db",
        help=desc,
        description=desc,
        **examples("yingji db upgrade --database sqlite:///yingji.db", "yingji db current"),
    )
    dbsub = p.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    funcs = {"upgrade": upgrade, "current": current}
    for name, (help_text, lines) in ACTIONS.items():
        q = dbsub.add_parser(name, help=help_text, description=help_text, **examples(*lines))
        add_database_option(q)
        q.set_defaults(func=funcs[name])


def upgrade(args: argparse.Namespace) -> int:
    from storage import db

    engine = db.make_engine(args.database)
    try:
        rev = db.ensure_schema(engine, upgrade=True)
        print(f"{db.safe_url(engine)}: schema at revision {rev} (head)")
    finally:
        engine.dispose()
    return 0


def current(args: argparse.Namespace) -> int:
    from storage import db

    engine = db.make_engine(args.database, create=False)
    try:
        rev, head = db.schema_status(engine)
    finally:
        engine.dispose()
    if rev is None:
        raise db.no_schema_error(engine)
    if rev == head:
        print(f"{db.safe_url(engine)}: schema at revision {rev} (head)")
        return 0
    print(
        f"{db.safe_url(engine)}: schema at revision {rev}, this yingji needs {head}: "
        "run `yingji db upgrade`"
    )
    return 1
