"""``yingji reparse``: run the current parser over the stored raw documents (no network).

A better parser never needs a recrawl: the raw documents are in the file store, their metadata
and where they were found in the database. Results are stored as a crawl stores them — a new
version only where the record changed, a noop elsewhere — and the counts are printed.
``--agency`` takes any spelling of the agency (洛阳市孟津区应急管理局, 孟津区应急管理局, the
predecessor 孟津县安全生产监督管理局), resolved as storing resolves it. A database that does not
exist is an error, never created; the database stack is imported in :func:`run` only.
"""

from __future__ import annotations

import argparse
import sys

from yingji.cli import examples
from yingji.commands import add_database_option


def register(sub: argparse._SubParsersAction) -> None:
    desc = "parse the stored raw documents again with the current parser and store the results"
    p = sub.add_parser(
        "reparse",
        help=desc,
        description=desc,
        **examples(
            "yingji reparse --older-than-parser",
            "yingji reparse --agency 洛阳市孟津区应急管理局 --year 2023 -v",
        ),
    )
    add_database_option(p)
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--older-than-parser",
        action="store_true",
        help="only documents last parsed by another parser version (or never parsed)",
    )
    which.add_argument("--all", action="store_true", help="every stored document (the default)")
    p.add_argument(
        "--agency", metavar="NAME", help="only the reports of this agency (any spelling)"
    )
    p.add_argument("--year", type=int, metavar="Y", help="only the reports on this year")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="parse in N worker processes (default: CPUs, at most 4)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="print one line per report")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ingest.parsing import default_workers
    from ingest.reparse import reparse
    from storage import Store, config
    from storage.errors import UserError
    from yingji_parser import PARSER_VERSION

    workers = default_workers() if args.workers is None else args.workers
    if workers < 1:
        raise UserError("--workers must be at least 1")
    database = config.database_url(args.database)
    with Store(database, create=False) as store:  # a missing database is an error, first
        root = config.files_store(db_url=database)
        if not root.is_dir():
            raise UserError(
                f"no file store at {root}: set YINGJI_FILES_STORE to the directory of the raw "
                "documents"
            )
        counts = reparse(
            store,
            str(root),
            older_than_parser=args.older_than_parser,
            agency=args.agency,
            year=args.year,
            workers=workers,
            progress=print if args.verbose else None,
        )
    print(f"{counts.line()} (parser {PARSER_VERSION})")
    for error in counts.errors:
        print(f"  failed: {error}", file=sys.stderr)
    return 0
