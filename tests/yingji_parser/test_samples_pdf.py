"""PDFs through the public parser: the record of every sample equals its answer file, and the
real WPS reports give the numbers a person reads off their pages.

The real reports have no answer files; their expected numbers below were read off the rendered
pages (and checked against the pdftotext layout beside them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from demo import SAMPLES
from yingji_parser import parse_document
from yingji_parser.errors import CorruptDocument, EncryptedDocument

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE_PDFS = sorted(p for p in SAMPLES.glob("*.pdf") if "." not in p.stem)  # ruled ones
REAL = FIXTURES / "realpages"
OWN = FIXTURES / "pdf"

APPLICANTS = (
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
)
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")


def applicants(published: str) -> dict[str, int]:
    """One row of table 三 as published: seven numbers separated by spaces."""
    numbers = [int(v) for v in published.split()]
    assert len(numbers) == len(APPLICANTS)
    return dict(zip(APPLICANTS, numbers, strict=True))


def outcomes(published: str) -> dict[str, int]:
    numbers = [int(v) for v in published.split()]
    return dict(zip(OUTCOMES, numbers, strict=True))


def disclosure(
    rules: str, normative: str, licensing: int, penalty: int, coercion: int, fees: float
) -> dict[str, Any]:
    keys = ("issued", "repealed", "in_force")
    return {
        "rules": dict(zip(keys, map(int, rules.split()), strict=True)),
        "normative_documents": dict(zip(keys, map(int, normative.split()), strict=True)),
        "licensing": licensing,
        "penalty": penalty,
        "coercion": coercion,
        "fees": fees,
    }


def parse(path: Path) -> Any:
    return parse_document(path.read_bytes(), filename=path.name)


@pytest.mark.parametrize("path", SAMPLE_PDFS, ids=lambda p: p.name)
def test_sample_pdf_parses_to_its_answer_file(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    result = parse(path)
    assert result.doc_type == "pdf"
    for key, want in expected.items():
        assert result.record[key] == want, key


HUAIAN_APPLICATIONS = {
    "new": "3001 53 0 0 61 4 3119",
    "carried_over": "34 0 0 0 0 0 34",
    "granted": "1288 21 0 0 50 3 1362",
    "partially_granted": "447 7 0 0 0 0 454",
    "denied_state_secret": "2 0 0 0 0 0 2",
    "denied_prohibited_by_law": "30 1 0 0 0 0 31",
    "denied_three_safeties": "5 0 0 0 0 0 5",
    "denied_third_party": "6 0 0 0 0 0 6",
    "denied_internal_affairs": "7 1 0 0 0 0 8",
    "denied_process_info": "12 0 0 0 0 0 12",
    "denied_enforcement_files": "9 0 0 0 0 0 9",
    "denied_administrative_query": "105 0 0 0 0 0 105",
    "unavailable_not_held": "746 12 0 0 10 1 769",
    "unavailable_needs_creation": "11 0 0 0 0 0 11",
    "unavailable_unclear": "1 0 0 0 0 0 1",
    "rejected_complaint": "56 6 0 0 0 0 62",
    "rejected_duplicate": "25 0 0 0 0 0 25",
    "rejected_publication": "0 0 0 0 0 0 0",
    "rejected_excessive": "0 0 0 0 0 0 0",
    "rejected_confirmation": "1 0 0 0 0 0 1",
    "other_overdue_correction": "67 3 0 0 1 0 71",
    "other_unpaid_fee": "6 0 0 0 0 0 6",
    "other": "108 2 0 0 0 0 110",
    "handled_total": "2932 53 0 0 61 4 3050",
    "carried_forward": "103 0 0 0 0 0 103",
}


def test_huaian_2024_wps_pdf_every_cell() -> None:
    result = parse(REAL / "govnianbao" / "huaian_szf_2024_annual_report.pdf")
    record = result.record
    assert result.status in ("parsed", "partial")
    assert record["year"] == 2024
    assert record["template"] == "2021"
    assert record["active_disclosure"] == disclosure(
        "1 0 11", "8 26 66", 447228, 3985758, 88283, 96171.6
    )
    assert record["applications"] == {k: applicants(v) for k, v in HUAIAN_APPLICATIONS.items()}
    assert record["review_litigation"] == {
        "review": outcomes("72 64 178 37 351"),
        "litigation_direct": outcomes("13 4 8 1 26"),
        "litigation_after_review": outcomes("12 1 1 6 20"),
    }


# Rows of 三 that both Hongze reports print in full (their （六）其他处理 is one row without its
# three sub-rows, which the mapper reports in its own way).
HONGZE = {
    "hongze_qzf_2023_annual_report.pdf": {
        "year": 2023,
        "active_disclosure": disclosure("0 0 0", "0 5 5", 550, 4119, 195, 7730.28),
        "applications": {
            "new": "21 0 0 0 0 0 21",
            "carried_over": "0 0 0 0 0 0 0",
            "granted": "0 0 0 0 0 0 0",
            "partially_granted": "4 0 0 0 0 0 4",
            "denied_state_secret": "1 0 0 0 0 0 1",
            "denied_prohibited_by_law": "0 0 0 0 0 0 0",  # published with a typo: 行政止公开
            "denied_three_safeties": "0 0 0 0 0 0 0",
            "denied_third_party": "0 0 0 0 0 0 0",
            "denied_internal_affairs": "0 0 0 0 0 0 0",
            "denied_process_info": "1 0 0 0 0 0 1",
            "denied_enforcement_files": "1 0 0 0 0 0 1",
            "denied_administrative_query": "0 0 0 0 0 0 0",
            "unavailable_not_held": "10 0 0 0 0 0 10",
            "unavailable_needs_creation": "3 0 0 0 0 0 3",
            "unavailable_unclear": "0 0 0 0 0 0 0",
            "rejected_complaint": "1 0 0 0 0 0 1",
            "rejected_duplicate": "0 0 0 0 0 0 0",
            "rejected_publication": "0 0 0 0 0 0 0",
            "rejected_excessive": "0 0 0 0 0 0 0",
            "rejected_confirmation": "0 0 0 0 0 0 0",
            "handled_total": "21 0 0 0 0 0 21",
            "carried_forward": "0 0 0 0 0 0 0",
        },
        # 行政复议 total printed as 0 although 10 + 1 were counted: kept as published.
        "review_litigation": {
            "review": "10 1 0 0 0",
            "litigation_direct": "0 0 0 0 0",
            "litigation_after_review": "5 0 0 0 0",
        },
    },
    "hongze_qzf_2024_annual_report.pdf": {
        "year": 2024,
        "active_disclosure": disclosure("0 0 0", "3 0 8", 9487, 2776, 84, 7545),
        "applications": {
            "new": "95 0 0 0 0 0 95",
            "carried_over": "0 0 0 0 0 0 0",
            "granted": "50 0 0 0 0 0 50",
            "partially_granted": "9 0 0 0 0 0 9",
            "denied_state_secret": "0 0 0 0 0 0 0",
            "denied_prohibited_by_law": "0 0 0 0 0 0 0",
            "denied_three_safeties": "1 0 0 0 0 0 1",
            "denied_third_party": "0 0 0 0 0 0 0",
            "denied_internal_affairs": "0 0 0 0 0 0 0",
            "denied_process_info": "1 0 0 0 0 0 1",
            "denied_enforcement_files": "1 0 0 0 0 0 1",
            "denied_administrative_query": "0 0 0 0 0 0 0",
            "unavailable_not_held": "31 0 0 0 0 0 31",
            "unavailable_needs_creation": "1 0 0 0 0 0 1",
            "unavailable_unclear": "0 0 0 0 0 0 0",
            "rejected_complaint": "1 0 0 0 0 0 1",
            "rejected_duplicate": "0 0 0 0 0 0 0",
            "rejected_publication": "0 0 0 0 0 0 0",
            "rejected_excessive": "0 0 0 0 0 0 0",
            "rejected_confirmation": "0 0 0 0 0 0 0",
            "handled_total": "95 0 0 0 0 0 95",
            "carried_forward": "0 0 0 0 0 0 0",
        },
        "review_litigation": {
            "review": "1 1 0 0 2",
            "litigation_direct": "1 0 0 0 1",
            "litigation_after_review": "2 0 1 0 3",
        },
    },
}


@pytest.mark.parametrize("name", sorted(HONGZE))
def test_hongze_wps_pdfs_every_printed_cell(name: str) -> None:
    want = HONGZE[name]
    result = parse(REAL / "kirogovcompare" / name)
    record = result.record
    assert record["year"] == want["year"]
    assert record["active_disclosure"] == want["active_disclosure"]
    for row, published in want["applications"].items():
        assert record["applications"][row] == applicants(published), row
    for group, published in want["review_litigation"].items():
        assert record["review_litigation"][group] == outcomes(published), group


@pytest.mark.parametrize(
    ("path", "failing"),
    [
        ("govnianbao/huaian_szf_2024_annual_report.pdf", []),
        ("kirogovcompare/hongze_qzf_2024_annual_report.pdf", []),
        # 四 as printed: "10 1 0 0 0 | 0 0 0 0 0 | 5 0 0 0 0": two groups' totals are 0 in
        # the document itself (read off its text), so those two checks fail and only those
        ("kirogovcompare/hongze_qzf_2023_annual_report.pdf",
         ["四/review", "四/litigation_after_review"]),
    ],
)  # fmt: skip
def test_real_reports_pass_every_check_the_document_itself_passes(
    path: str, failing: list[str]
) -> None:
    result = parse(REAL / path)
    assert result.status == "parsed"
    assert [w.where for w in result.warnings if w.code == "check_failed"] == failing
    assert not [w for w in result.warnings if w.code in ("check_skipped", "row_missing")]
    assert not [w for w in result.warnings if w.code.startswith("row_too_")]


def test_hongze_2023_total_that_does_not_add_up_is_a_warning_not_a_fix() -> None:
    result = parse(REAL / "kirogovcompare" / "hongze_qzf_2023_annual_report.pdf")
    assert result.record["review_litigation"]["review"]["total"] == 0
    failed = [w.where for w in result.warnings if w.code == "check_failed"]
    assert "四/review" in failed


@pytest.mark.parametrize("name", sorted(HONGZE))
def test_hongze_other_handling_printed_as_one_row(name: str) -> None:
    result = parse(REAL / "kirogovcompare" / name)
    # （六）其他处理 without its three sub-rows: documented as going to `other`, with a warning.
    assert result.record["applications"]["other"] == applicants("0 0 0 0 0 0 0")
    assert "other_not_split" in [w.code for w in result.warnings]


def test_sample_with_a_header_repeated_on_every_page_parses_to_its_answer_file() -> None:
    expected = json.loads((SAMPLES / "synth0.json").read_text(encoding="utf-8"))
    record = parse(OWN / "repeated_header.pdf").record
    for key, want in expected.items():
        assert record[key] == want, key


def test_scanned_pdf_needs_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "YINGJI_OCR", "0"
    )  # OCR switched off (tests/yingji_parser/test_ocr.py reads scans)
    result = parse(OWN / "image_only.pdf")
    assert result.status == "needs_ocr"
    assert result.doc_type == "pdf"


def test_scan_with_a_stamped_page_number_needs_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YINGJI_OCR", "0")
    assert parse(OWN / "stamped_scan.pdf").status == "needs_ocr"


def test_text_pdf_whose_tables_are_pictures_needs_ocr() -> None:
    result = parse(OWN / "pictured_table.pdf")
    assert result.status == "needs_ocr"
    assert "pdf_tables_as_images" in [w.code for w in result.warnings]


def test_truncated_pdf_is_refused_as_corrupt() -> None:
    data = (REAL / "govnianbao" / "huaian_szf_2024_annual_report.pdf").read_bytes()
    with pytest.raises(CorruptDocument):
        parse_document(data[: len(data) // 2], filename="report.pdf")


def test_password_protected_pdf_is_refused_as_encrypted() -> None:
    with pytest.raises(EncryptedDocument):
        parse(OWN / "encrypted.pdf")
