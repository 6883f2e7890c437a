"""Status and section words are spelled once and compare as the plain words they store as."""

from __future__ import annotations

import json

from yingji_parser.vocabulary import TEXT_SECTIONS, ParseStatus, TableSection, TextSection


def test_statuses_are_the_words_the_database_and_json_hold() -> None:
    assert ParseStatus.NEEDS_OCR == "needs_ocr"
    assert json.dumps({"status": ParseStatus.PARTIAL}) == '{"status": "partial"}'
    assert {s.value for s in ParseStatus} == {
        "parsed", "partial", "unstructured", "needs_ocr", "failed"
    }  # fmt: skip


def test_table_sections_know_their_numeral_and_heading() -> None:
    assert [s.numeral for s in TableSection] == ["二", "三", "四"]
    assert TableSection.of_numeral("三") is TableSection.APPLICATIONS
    assert TableSection.REVIEW_LITIGATION.heading == "行政复议、行政诉讼情况"


def test_free_text_sections_by_numeral() -> None:
    assert TEXT_SECTIONS == {"一": TextSection.OVERVIEW, "五": TextSection.PROBLEMS,
                             "六": TextSection.OTHER}  # fmt: skip
