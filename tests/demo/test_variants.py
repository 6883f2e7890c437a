"""Derived samples (demo/variants.py) are real reports: the parser reads each back to its JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo import SAMPLES
from demo.variants import body_page, report_body, sample_record, scaled
from yingji_parser import parse_document

VARIANTS = sorted(f"variants/{p.stem}" for p in (SAMPLES / "variants").glob("*.json"))
TABLES = ("active_disclosure", "applications", "review_litigation")


def test_there_are_derived_samples_and_each_names_its_parent() -> None:
    assert len(VARIANTS) >= 40
    for name in VARIANTS:
        spec = sample_record(name)
        parent = sample_record(spec["derived_from"])
        assert int(spec["scale"]) >= 2
        assert {k: spec[k] for k in TABLES} == {
            k: scaled(parent[k], int(spec["scale"])) for k in TABLES
        }, name


@pytest.mark.parametrize("name", VARIANTS)
def test_a_derived_body_under_its_title_parses_to_its_json(name: str) -> None:
    want = sample_record(name)
    page = (
        f"<html><head><title>{want['title']}</title></head><body><h1>{want['title']}</h1>"
        f"{report_body(name)}</body></html>"
    )
    result = parse_document(page.encode("utf-8"), filename="t.html")
    assert result.status == "parsed"
    for key in ("agency", "year", "template", *TABLES):
        assert result.record[key] == want[key], key


def test_a_body_over_two_pages_splits_before_section_three() -> None:
    name = VARIANTS[0]
    first, second = body_page(name, 1, 2), body_page(name, 2, 2)
    assert first + second == report_body(name)
    assert "二、主动公开" in first and "三、收到和处理" not in first
    assert second.startswith('<p style="text-indent:2em"><strong>三、')


def test_samples_of_the_demo_are_not_copied_into_the_variants() -> None:
    assert not list(Path(str(SAMPLES / "variants")).glob("*.body.html"))
    assert not list(Path(str(SAMPLES / "variants")).glob("*.pdf"))
