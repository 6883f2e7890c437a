"""The ``yingji`` command line: version, fast start, examples in every --help, a closed pipe."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.yingji.served import clean_env, demo_database
from yingji.cli import COMMANDS, build_parser

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "samples" / "seed000.txt"
HEAVY = ("scrapy", "twisted", "sqlalchemy", "alembic")


def run_yingji(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from yingji.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
    )


def modules_loaded_by(*args: str) -> list[str]:
    """The heavy stacks in ``sys.modules`` after ``yingji ARGS`` ran in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "from yingji.cli import main\n"
        "try:\n"
        f"    main({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def test_version_names_the_installed_distribution() -> None:
    proc = run_yingji("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"yingji {version('yingji')}"


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("parse", "--help"),
        ("serve", "--help"),
        ("export", "--help"),
        ("runs", "--help"),
        ("db", "--help"),
        ("db", "current", "--help"),
        ("db", "upgrade", "--help"),
        ("reparse", "--help"),
        ("demo", "--help"),
        ("seeds", "expand", "--help"),
    ],
)
def test_help_loads_no_database_scrapy_or_alembic_stack(args: tuple[str, ...]) -> None:
    assert modules_loaded_by(*args) == []


def test_parse_runs_without_the_database_and_scrapy_stacks() -> None:
    assert modules_loaded_by("parse", str(SAMPLE)) == []


def test_top_level_help_lists_every_command() -> None:
    proc = run_yingji("--help")
    assert proc.returncode == 0
    listed = {line.split()[0] for line in proc.stdout.splitlines() if line.startswith("    ")}
    assert listed >= set(COMMANDS)


Named = list[tuple[str, argparse.ArgumentParser]]


def _parsers(parser: argparse.ArgumentParser, path: str) -> Named:
    found = [(path, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _parsers(child, f"{path} {name}".strip())
    return found


def test_every_command_and_action_shows_an_example() -> None:
    parsers = _parsers(build_parser(None), "")
    assert {p for p, _ in parsers} >= {*COMMANDS, "db upgrade", "cluster schedule"}
    for path, parser in parsers:
        text = parser.format_help()
        assert "example" in text, f"yingji {path} --help has no example"
        example = text.split("example", 1)[1]
        assert f"yingji {path}".strip() in example, f"{path}: the example runs another command"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_named_command_alone_is_complete(command: str) -> None:
    """Only the command being run is imported, and its help is its own, not the one-line stub."""
    parser = build_parser([command, "--help"])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    real = sub.choices[command]
    actions = [a for a in real._actions if isinstance(a, argparse._SubParsersAction)]
    assert real.get_default("func") is not None or actions


def small_pipe() -> tuple[int, int]:
    """A pipe that holds one page, so a writer meets the closed end after a few lines."""
    read, write = os.pipe()
    fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 4096)
    return read, write


@pytest.mark.slow
def test_export_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``yingji export | head -1`` on the demo crawl's database."""
    database = demo_database(tmp_path)
    read, write = small_pipe()
    code = "import sys; from yingji.cli import main; sys.exit(main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "export", "--database", f"sqlite:///{database}"],
        stdout=write,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    os.close(write)
    with os.fdopen(read, "rb") as out:
        assert json.loads(out.readline())["agency"]
    err = proc.communicate(timeout=120)[1].decode()
    assert proc.returncode == 0, err
    assert err == ""


def test_a_closed_pipe_ends_quietly_with_status_0() -> None:
    """``yingji parse … | head -1``: the reader goes away, yingji stops without a traceback."""
    code = "import sys; from yingji.cli import main; sys.exit(main())"
    read, write = small_pipe()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "parse", *[str(SAMPLE)] * 50],
        stdout=write,
        stderr=subprocess.PIPE,
    )
    os.close(write)
    with os.fdopen(read, "rb") as out:  # closed after its line, as head closes it
        assert json.loads(out.readline())["year"]
    err = proc.communicate(timeout=120)[1].decode()
    assert proc.returncode == 0, err
    assert err == ""
