"""The 2019 trial format (国办公开办函〔2019〕60号): one key, one meaning, one type.

A key that means the same in both formats keeps its key and its type: `licensing`, `penalty`,
`coercion` are the number of 处理决定数量 whichever the format, so a consumer summing 行政许可
decisions from 2019 to 2024 reads one shape. What only the trial format counts has keys of its
own (`licensing_items` …), and `fees`, an amount the trial format does not have, is null.
"""

from __future__ import annotations

from typing import Any

from yingji_parser import parse_document
from yingji_parser.grid import Document, Paragraph, table_from_texts
from yingji_parser.mapping import map_document

from .conftest import QUIRKS, expected

NUMBERS = (int, float)
FORMAT_2019 = {
    "rules": {"new_made": 1, "new_published": 1, "total_published": 5},
    "normative_documents": {"new_made": 3, "new_published": 3, "total_published": 21},
    "licensing": 340,
    "licensing_items": {"previous": 12, "change": -2},
    "other_services": 17,
    "other_services_items": {"previous": 4, "change": 0},
    "penalty": 152,
    "penalty_items": {"previous": 86, "change": 3},
    "coercion": 6,
    "coercion_items": {"previous": 9, "change": 0},
    "fees": None,
    "fees_items": {"previous": 2, "change": 0},
    "procurement": {"items": 7, "amount": 96171.6},
}


def parse(name: str) -> Any:
    return parse_document((QUIRKS / name).read_bytes(), filename=name)


def parse_2019() -> Any:
    return parse("format_2019.txt")


def parse_2021() -> Any:
    return parse("spaces_inside_words.txt")  # the numbers of synth1, in the 2021 format


def test_section_two_of_the_trial_format_has_its_keys_and_the_decisions_as_numbers() -> None:
    result = parse_2019()
    assert result.status == "parsed"
    assert result.record["template"] == "2019"
    assert result.record["active_disclosure"] == FORMAT_2019
    assert result.warnings == []  # fees being null is the format, not a missing row


def test_a_key_in_both_formats_has_the_same_type_in_both() -> None:
    d2019 = parse_2019().record["active_disclosure"]
    d2021 = parse_2021().record["active_disclosure"]
    for key in ("licensing", "penalty", "coercion"):
        assert isinstance(d2019[key], NUMBERS) and isinstance(d2021[key], NUMBERS), key
    assert isinstance(d2021["fees"], NUMBERS) and d2019["fees"] is None
    for key in ("rules", "normative_documents"):  # objects in both, of each format's columns
        assert isinstance(d2019[key], dict) and isinstance(d2021[key], dict)
    # what only the trial format counts: the items of each kind of decision, one shape each
    items = [k for k in d2019 if k.endswith("_items")]
    kinds = ("licensing", "other_services", "penalty", "coercion", "fees")
    assert sorted(items) == sorted(f"{k}_items" for k in kinds)
    assert all(set(d2019[k]) == {"previous", "change"} for k in items)


def test_section_three_has_one_other_row() -> None:
    rec = parse_2019().record
    assert "other_overdue_correction" not in rec["applications"]
    assert rec["applications"]["other"]["total"] == 61
    assert (
        rec["applications"]["handled_total"] == expected("synth1")["applications"]["handled_total"]
    )


def _two(*rows: list[str]) -> Document:
    return Document("text", [Paragraph("二、主动公开政府信息情况"), table_from_texts(list(rows))])


def test_columns_are_found_by_their_labels_in_any_order() -> None:
    doc = _two(
        ["信息内容", "处理决定数量", "本年增/减", "上一年项目数量"],
        ["行政许可", "340", "-2", "12"],
        ["信息内容", "采购总金额", "采购项目数量"],
        ["政府集中采购", "96171.6", "7"],
    )
    mapped = map_document(doc, "2019")
    assert mapped.active_disclosure["licensing"] == 340
    assert mapped.active_disclosure["licensing_items"] == {"previous": 12, "change": -2}
    assert mapped.active_disclosure["procurement"] == {"items": 7, "amount": 96171.6}
    assert not [w for w in mapped.warnings if w.code == "columns_assumed"]


def test_without_a_header_the_values_are_read_in_the_formats_order() -> None:
    mapped = map_document(_two(["行政处罚", "86", "3", "152"]), "2019")
    assert mapped.active_disclosure["penalty"] == 152
    assert mapped.active_disclosure["penalty_items"] == {"previous": 86, "change": 3}


def test_a_row_the_document_lacks_leaves_all_its_keys_null_with_one_warning() -> None:
    mapped = map_document(_two(["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
                               ["行政许可", "12", "-2", "340"]), "2019")  # fmt: skip
    assert mapped.active_disclosure["coercion"] is None
    assert mapped.active_disclosure["coercion_items"] == {"previous": None, "change": None}
    missing = [w.message for w in mapped.warnings if w.code == "row_missing"]
    assert sum("coercion" in m for m in missing) == 1
    assert not any("licensing" in m for m in missing)


def test_the_2021_format_has_none_of_the_trial_formats_keys() -> None:
    d2021 = parse_2021().record["active_disclosure"]
    assert d2021 == expected("synth1")["active_disclosure"]
    keys_2021 = {"rules", "normative_documents", "licensing", "penalty", "coercion", "fees"}
    assert set(d2021) == keys_2021
