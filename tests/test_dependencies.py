"""Every library the product imports is declared in pyproject.toml, not borrowed from another.

A module imported only because Scrapy happens to pull it in today (tldextract, w3lib, twisted)
breaks the day Scrapy stops depending on it; an import of an extra's library counts when that
extra declares it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "yingji",
    "pipelines",
    "crawler",
    "ingest",
    "storage",
    "models",
    "migrations",
    "yingji_parser",
    "demo",
)


#: imported by code that runs outside our environment, with its own interpreter and packages
ELSEWHERE = {
    "uno": "convert/office_worker.py runs in LibreOffice's Python (Debian's python3-uno)",
}


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    return {_norm(re.split(r"[\s<>=!~\[;]", s, maxsplit=1)[0]) for s in specs}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    names |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - set(PACKAGES) - {"__future__"} - set(ELSEWHERE)


def test_every_imported_library_is_a_declared_dependency() -> None:
    dists = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = {}
    for module in sorted(_imported_top_levels()):
        owners = {_norm(d) for d in dists.get(module, [module])}
        if not owners & declared:
            missing[module] = sorted(owners)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"
