"""The ``yingji`` command: one sub-command a module under ``yingji/commands``.

Each module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from storage.errors import UserError

COMMANDS = ("crawl", "parse", "db", "export", "reparse", "demo", "runs", "cluster")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yingji",
        description=(
            "Crawl, parse and keep the annual disclosure reports of emergency management bureaus."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"yingji.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"yingji: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("yingji: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
