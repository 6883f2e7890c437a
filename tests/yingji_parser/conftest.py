"""Shared helpers for the parser tests: fixture paths, expected records, CMS page wrappers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from demo import SAMPLES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

QUIRKS = FIXTURES / "parser"
REALPAGES = FIXTURES / "realpages"

# The keys every sample's NAME.json holds (free text and warnings are left out of those files).
COMPARED_KEYS = ("agency", "year", "template", "title", "active_disclosure", "applications",
                 "review_litigation")  # fmt: skip


def expected(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def assert_record_matches(
    record: dict[str, Any], want: dict[str, Any], keys: tuple[str, ...] = COMPARED_KEYS
) -> None:
    """Exact equality key by key, so a failure names the key (and the row) that differs."""
    for key in keys:
        if key not in want:
            continue
        got = record.get(key)
        if isinstance(want[key], dict) and isinstance(got, dict):
            for sub in want[key]:
                assert got.get(sub) == want[key][sub], f"{key}.{sub}"
            assert set(got) >= set(want[key]), key
        else:
            assert got == want[key], key


@pytest.fixture
def quirk_bytes() -> Any:
    def load(name: str) -> bytes:
        return (QUIRKS / name).read_bytes()

    return load
