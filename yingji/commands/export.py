"""``yingji export``: print the stored reports as JSON lines or CSV (see storage/export.py)."""

from __future__ import annotations

import argparse
import sys

from storage import Store
from storage.export import FORMATS, export
from yingji.commands import add_database_option


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="print the current version of every stored report (JSON lines or CSV)",
        description="Print the current version of every stored report, one JSON object a line "
        "(keys of the report record plus version, sources, first_seen, last_seen, status, "
        "warnings), or CSV with one column per cell. A fresh database is migrated first.",
    )
    add_database_option(p)
    p.add_argument(
        "--format", choices=FORMATS, default="jsonl", help="output format (default jsonl)"
    )
    p.add_argument(
        "--all-versions", action="store_true", help="every version, not only the current one"
    )
    p.add_argument("--year", type=int, metavar="Y", help="only reports on year Y")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Store(args.database) as store:
        export(store, sys.stdout, fmt=args.format, all_versions=args.all_versions, year=args.year)
    sys.stdout.flush()
    return 0
