"""The ``yingji`` command: one sub-command a module under ``yingji/commands``.

Each module exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning the exit code.

Why the command table below instead of importing every module: several commands import the
database, Scrapy or Alembic stacks, which take a second or more to load. ``yingji --help``
lists the commands from the table and only the module of the command being run is imported,
so ``yingji --help`` and ``yingji parse …`` start at once.

Every ``--help`` ends with an example: a command passes ``**examples("yingji …")`` to
``add_parser``; ``EXAMPLES`` gives one to the commands (and actions) that do not yet.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from storage.errors import UserError

# name -> the one line of `yingji --help` (the command's own module gives its full help)
COMMANDS: dict[str, str] = {
    "crawl": "crawl the seed sites (scrapy crawl yingji), then check the run for regressions",
    "parse": "parse report documents (HTML, DOCX, DOC, WPS, PDF, XLS/XLSX, text) into JSON",
    "db": "database schema: upgrade to this yingji's schema, or show it",
    "export": "print the current version of every stored report (JSON lines or CSV)",
    "reparse": "parse the stored raw documents again with the current parser and store them",
    "demo": "crawl bundled demo sites on 127.0.0.x into a database and show what was found",
    "runs": "the latest crawl runs with their counts and per-site tables",
    "serve": "browse the database in Datasette (read-only, on 127.0.0.1)",
    "cluster": "run the crawl as shards on Scrapyd nodes: deploy, schedule, status",
    "family": "write the strategy module, fixture and test of a new CMS family",
    "seeds": "build seed lists: read a city's or province's site directory into seed rows",
}

# examples for parsers that do not set an epilog of their own ("db upgrade": a nested action)
EXAMPLES: dict[str, tuple[str, ...]] = {
    "crawl": ("yingji crawl --jobdir /var/lib/yingji/job --database sqlite:///yingji.db",),
    "cluster": ("yingji cluster status --nodes http://node1:6800,http://node2:6800",),
    "cluster deploy": ("yingji cluster deploy --nodes http://node1:6800,http://node2:6800",),
    "cluster schedule": (
        "yingji cluster schedule --nodes http://node1:6800 --shards 4 "
        "--database postgresql://yingji@dbhost/yingji --wait",
    ),
    "cluster status": ("yingji cluster status --wait",),
    "seeds": ("yingji seeds expand http://www.ly.gov.cn/wzq/ --out luoyang.csv",),
    "seeds expand": (
        "yingji seeds expand http://www.ly.gov.cn/wzq/ --out luoyang.csv",
        "yingji seeds expand https://www.henan.gov.cn/zfwzdh/ --level all > henan.csv",
    ),
}


class ExampleFormatter(argparse.HelpFormatter):
    """Wraps prose as argparse does but keeps indented lines (the examples) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out: list[str] = []
        prose: list[str] = []
        for line in [*text.splitlines(), ""]:
            if line.startswith("  ") or not line.strip():
                if prose:
                    out.append(super()._fill_text(" ".join(prose), width, indent))
                    prose = []
                if line.strip():
                    out.append(indent + line)
            else:
                prose.append(line.strip())
        return "\n".join(out)


def examples(*lines: str) -> dict[str, Any]:
    """Keyword arguments for ``add_parser`` that end its ``--help`` with these examples."""
    return {
        "epilog": "example" + ("s" if len(lines) > 1 else "") + ":\n  " + "\n  ".join(lines),
        "formatter_class": ExampleFormatter,
    }


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("yingji")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked: importlib.metadata costs every start ~30 ms."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **_: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show program's version number and exit")  # fmt: skip

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"yingji {version()}")
        parser.exit()


def chosen_command(argv: list[str]) -> str | None:
    """The command named on the line (the top level has no option that takes a value)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _sub_actions(parser: argparse.ArgumentParser) -> list[argparse._SubParsersAction]:  # type: ignore[type-arg,unused-ignore]
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]


def _add_examples(parser: argparse.ArgumentParser, path: str) -> None:
    """Give ``parser`` (command path ``path``) and its actions an example where they lack one."""
    if not parser.epilog and path in EXAMPLES:
        kwargs = examples(*EXAMPLES[path])
        parser.epilog = kwargs["epilog"]
        parser.formatter_class = kwargs["formatter_class"]
    for action in _sub_actions(parser):
        for name, child in action.choices.items():
            _add_examples(child, f"{path} {name}")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; of the commands, only the one named in ``argv`` is imported and complete
    (``None``: all of them, for tests and documentation)."""
    import importlib

    parser = argparse.ArgumentParser(
        prog="yingji",
        description=(
            "Crawl, parse and keep the annual disclosure reports of emergency management bureaus."
        ),
        **examples("yingji demo", "yingji export --format csv > reports.csv", "yingji serve"),
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = chosen_command(argv) if argv is not None else None
    for name, summary in COMMANDS.items():
        if argv is None or name == chosen:
            importlib.import_module(f"yingji.commands.{name}").register(sub)
            _add_examples(sub.choices[name], name)
        else:
            sub.add_parser(name, help=summary)
    return parser


def _quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser(argv).parse_args(argv)
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # here, not at exit: a closed pipe must still end in the handler below
        return code
    except UserError as exc:
        print(f"yingji: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("yingji: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `yingji export | head`: the reader has all it wanted
        _quiet_stdout()
        return 0


if __name__ == "__main__":
    sys.exit(main())
