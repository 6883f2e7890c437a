"""The sub-commands of ``yingji``, one module each (see yingji/cli.py)."""

from __future__ import annotations

import argparse


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """``--database URL``, resolved later by storage.config.database_url (env, then ./yingji.db)."""
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL (default: YINGJI_DATABASE_URL or ./yingji.db)",
    )
