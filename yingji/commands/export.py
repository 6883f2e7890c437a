"""``yingji export``: print the stored reports as JSON lines or CSV (see storage/export.py).

Only reads: a database that does not exist, or holds no yingji schema, is a one-line error
(an export never creates an empty database and prints nothing). The database stack is imported
in :func:`run`, so ``yingji export --help`` starts at once.
"""

from __future__ import annotations

import argparse
import io
import sys

from yingji.cli import examples
from yingji.commands import add_database_option

FORMATS = ("jsonl", "csv")  # storage.export.FORMATS, without importing the database stack


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "export",
        help="print the current version of every stored report (JSON lines or CSV)",
        description="Print the current version of every stored report, one JSON object a line "
        "(keys of the report record with the agency's canonical name, the name as written and "
        "its division_code, plus version, sources, first_seen, last_seen, status, warnings), "
        "or CSV with one column per cell.",
        **examples(
            "yingji export --year 2023 > reports-2023.jsonl",
            "yingji export --format csv > reports.csv",
            "yingji export --format csv --excel > 报告.csv",
        ),
    )
    add_database_option(p)
    p.add_argument(
        "--format", choices=FORMATS, default="jsonl", help="output format (default jsonl)"
    )
    p.add_argument(
        "--all-versions", action="store_true", help="every version, not only the current one"
    )
    p.add_argument("--year", type=int, metavar="Y", help="only reports on year Y")
    p.add_argument(
        "--excel",
        action="store_true",
        help="CSV for spreadsheets: UTF-8 with a byte-order mark, Chinese column labels",
    )
    p.add_argument(
        "--labels",
        choices=("keys", "zh"),
        help="CSV header: the record's keys, or the official Chinese labels "
        "(default: keys; zh with --excel)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from storage import Store
    from storage.errors import UserError
    from storage.export import export

    if (args.excel or args.labels) and args.format != "csv":
        raise UserError("--excel and --labels are for --format csv")
    labels = args.labels or ("zh" if args.excel else "keys")
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper) and out.encoding.lower().replace("-", "") != "utf8":
        out.reconfigure(encoding="utf-8")  # the BOM promises UTF-8, whatever the locale says
    with Store(args.database, create=False) as store:
        export(
            store,
            out,
            fmt=args.format,
            all_versions=args.all_versions,
            year=args.year,
            labels=labels,
            excel=args.excel,
        )
    out.flush()
    return 0
