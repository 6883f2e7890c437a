"""The house plan holds: layers import only downward, and no module or class outgrows one job.

The contracts live in pyproject.toml (``[tool.importlinter]``); ``lint-imports`` fails on any
upward import, any circle between layers, and any import of Scrapy or Twisted below the crawler.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (
    "yingji",
    "pipelines",
    "crawler",
    "ingest",
    "storage",
    "models",
    "yingji_parser",
    "demo",
)
MAX_MODULE_LINES = 420  # "about 400"
MAX_CLASS_LINES = 270  # "about 250", docstrings included


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_the_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_no_module_over_about_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, long


def test_no_class_over_about_250_lines() -> None:
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > MAX_CLASS_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = size
    assert not long, long
