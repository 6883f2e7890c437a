"""``yingji family new``: a new CMS family is three generated files and one registry line, and
its generated test passes as it stands (then it is taught the real layout)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _checkout(tmp_path: Path) -> Path:
    """The parts of a source checkout the generator writes into and the new test needs."""
    root = tmp_path / "checkout"
    shutil.copytree(
        ROOT / "crawler", root / "crawler", ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / "tests" / "crawler" / "strategies").mkdir(parents=True)
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def _yingji(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "yingji.cli", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)


def _registered(root: Path) -> list[str]:
    registry = (root / "crawler" / "strategies" / "__init__.py").read_text("utf-8")
    match = re.search(r"^STRATEGIES: tuple\[Strategy, \.\.\.\] = \(([^)]*)\)", registry, re.M)
    assert match, "the registry's STRATEGIES line"
    return [name.strip() for name in match[1].split(",") if name.strip()]


def test_a_generated_family_is_registered_and_its_test_passes(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    before = _registered(root)
    args = ("family", "new", "dedecms", "--marker", "DedeCMS", "--list-class", "list-box")
    out = _yingji(*args, "--region", "孟津区", "--root", str(root), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    generated = [
        "crawler/strategies/dedecms.py",
        "tests/crawler/strategies/test_dedecms.py",
    ]
    for path in (*generated, "tests/fixtures/strategies/dedecms/list.html"):
        assert (root / path).is_file(), path
        assert f"wrote {path}" in out.stdout
    assert _registered(root) == [*before, "dedecms"]  # listed once, after the others
    # the generated test runs against the checkout's own crawler package, and passes
    test = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/crawler/strategies/test_dedecms.py"],
        cwd=root, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert test.returncode == 0, test.stdout[-3000:]
    assert "2 passed" in test.stdout
    lint = subprocess.run(
        [str(Path(sys.executable).with_name("ruff")), "check", *generated],
        cwd=root, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout


@pytest.mark.parametrize("name", ["trs", "Bad-Name", "class"])
def test_an_existing_or_unusable_name_is_refused_and_nothing_is_written(
    tmp_path: Path, name: str
) -> None:
    root = _checkout(tmp_path)
    before = (root / "crawler" / "strategies" / "__init__.py").read_text("utf-8")
    out = _yingji("family", "new", name, "--root", str(root), cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith("yingji: ") and len(out.stderr.strip().splitlines()) == 1
    assert (root / "crawler" / "strategies" / "__init__.py").read_text("utf-8") == before
