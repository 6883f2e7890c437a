"""``yingji family new NAME``: the three files of a new CMS family, as city-scrapers' genspider.

A CMS family is one strategy module in ``crawler/strategies/`` listed once in the registry
(``STRATEGIES`` in ``crawler/strategies/__init__.py``), one fixture page and one test. This
command writes the module, the fixture and the test from templates, adds the module to the
registry, and leaves a working family whose test passes, ready to be taught the real layout
(see docs/extending.md). It writes into a source checkout (``--root``, default: the one this
yingji runs from) and never overwrites a file.
"""

from __future__ import annotations

import argparse
import keyword
import re
from importlib import resources
from pathlib import Path

from storage.errors import UserError
from yingji.cli import examples

REGISTRY = Path("crawler/strategies/__init__.py")
REGISTRY_LINE = re.compile(r"^STRATEGIES: tuple\[Strategy, \.\.\.\] = \((?P<names>[^)]*)\)$", re.M)
IMPORT_LINE = re.compile(r"^from crawler\.strategies import (?P<names>[\w, ]+)$", re.M)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "family",
        help="write the strategy module, fixture and test of a new CMS family",
        description="Write the three files of a new CMS family and register it.",
        **examples(
            "yingji family new dedecms --marker 'DedeCMS' --list-class list-box",
            "yingji family new jeecms --title 'JEECMS (孝感)' --region 孝感市孝南区",
        ),
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = actions.add_parser(
        "new",
        help="a new family",
        description="Write a new CMS family.",
        **examples("yingji family new dedecms --marker 'DedeCMS' --list-class list-box"),
    )
    new.add_argument("name", help="the family's name: a Python identifier, e.g. dedecms")
    new.add_argument("--title", help="what the family is, for the docstrings (default: NAME)")
    new.add_argument("--marker", default=None, help="text only this family's pages carry")
    new.add_argument("--list-class", default="list", help="CSS class of its list container")
    new.add_argument("--region", default="某某区", help="a district named in the fixture")
    new.add_argument("--root", type=Path, help="the source checkout (default: this one)")
    new.set_defaults(func=run)


def source_root() -> Path:
    """The checkout this yingji runs from (an editable install), or a clear error."""
    root = Path(__file__).resolve().parents[2]
    if not (root / REGISTRY).is_file() or not (root / "pyproject.toml").is_file():
        raise UserError("yingji family new writes into a source checkout: give --root DIR")
    return root


def render(template: str, **values: str) -> str:
    text = resources.files("yingji.commands").joinpath("family_templates", template)
    return text.read_text("utf-8").format(**values)


def add_to_registry(source: str, name: str) -> str:
    """``source`` (the registry module) with ``name`` imported and listed in STRATEGIES."""
    imports, listed = IMPORT_LINE.search(source), REGISTRY_LINE.search(source)
    if imports is None or listed is None:
        raise UserError(f"{REGISTRY}: cannot find the import line or STRATEGIES to extend")
    names = sorted({*(n.strip() for n in imports["names"].split(",")), name})
    source = (
        source[: imports.start()]
        + f"from crawler.strategies import {', '.join(names)}"
        + source[imports.end() :]
    )
    listed = REGISTRY_LINE.search(source)
    assert listed is not None
    members = [n.strip() for n in listed["names"].split(",") if n.strip()]
    line = f"STRATEGIES: tuple[Strategy, ...] = ({', '.join([*members, name])})"
    return source[: listed.start()] + line + source[listed.end() :]


def run(args: argparse.Namespace) -> int:
    name = args.name
    if not name.isidentifier() or keyword.iskeyword(name) or name != name.lower():
        raise UserError(f"{name!r}: a family name is a lower-case Python identifier")
    root = (args.root or source_root()).resolve()
    values = {
        "name": name,
        "title": args.title or name,
        "what": "a CMS family (generated; describe its lists here)",
        "marker": args.marker or f"{name}-generator",
        "list_class": args.list_class,
        "region": args.region,
    }
    files = {
        Path(f"crawler/strategies/{name}.py"): render("strategy.py.tmpl", **values),
        Path(f"tests/crawler/strategies/test_{name}.py"): render("test_strategy.py.tmpl", **values),
        Path(f"tests/fixtures/strategies/{name}/list.html"): render("list.html.tmpl", **values),
    }
    taken = [str(p) for p in files if (root / p).exists()]
    if taken:
        raise UserError(f"family {name!r} exists already: {', '.join(taken)}")
    registry = (root / REGISTRY).read_text("utf-8")
    updated = add_to_registry(registry, name)
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, "utf-8")
        print(f"wrote {path}")
    (root / REGISTRY).write_text(updated, "utf-8")
    print(f"registered {name} in {REGISTRY}")
    test = f"tests/crawler/strategies/test_{name}.py"
    print(f"next: teach it the real layout (docs/extending.md), then: python -m pytest {test}")
    return 0
