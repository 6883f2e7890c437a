"""Which parse becomes the item's report when an article and its attachments all parse."""

from __future__ import annotations

from typing import Any

from ingest.choice import choose, count_cells, is_report, rank
from ingest.types import ParseAttempt, StoredDocument

ART = "http://site/art/t1.html"


def _result(
    status: str, cells: int, warnings: int = 0, year: int = 2023, **rec: Any
) -> dict[str, Any]:
    record = {
        "agency": rec.get("agency", "红旗区应急管理局"),
        "year": year,
        "active_disclosure": {"licensing": 1} if cells else {"licensing": None},
        "applications": {"new": {f"c{i}": i for i in range(max(cells - 1, 0))}},
        "review_litigation": {},
    }
    return {
        "record": record,
        "status": status,
        "doc_type": "pdf",
        "parser_version": "9",
        "warnings": [{"code": "w", "message": "m", "where": ""}] * warnings,
        "error": None,
    }


def _doc(kind: str, url: str) -> StoredDocument:
    return StoredDocument(kind, url, url.rsplit("/", 1)[-1], sha256="a" * 64)


def test_cells_are_numbers_not_blanks() -> None:
    rec = {
        "active_disclosure": {"a": 0, "b": None},
        "applications": {"x": {"y": 3}},
        "sections": {"n": 5},
    }
    assert count_cells(rec) == 2  # 0 counts, None does not, free text sections are not tables


def test_a_pointer_to_attachments_is_not_a_report() -> None:
    assert not is_report(_result("partial", 0))
    assert not is_report({"status": "unstructured", "record": {"unstructured_text": "详见附件"}})
    assert is_report({"status": "unstructured", "record": {"unstructured_text": "年度报告" * 60}})
    assert is_report(_result("partial", 3))


def test_status_then_cells_then_warnings_decide() -> None:
    assert rank(_result("parsed", 10)) > rank(_result("partial", 90))
    assert rank(_result("partial", 90)) > rank(_result("partial", 80))
    assert rank(_result("parsed", 90, warnings=1)) < rank(_result("parsed", 90, warnings=0))
    assert rank(_result("partial", 1)) > rank(_result("partial", 0))


def test_attachment_wins_over_a_body_that_says_see_attachment() -> None:
    article, pdf = _doc("article", ART), _doc("attachment", "http://site/f/r.pdf")
    chosen = choose(
        ART,
        [
            (article, ParseAttempt(_result("partial", 0))),
            (pdf, ParseAttempt(_result("parsed", 90))),
        ],
    )
    assert chosen.status == "parsed" and chosen.source.url == "http://site/f/r.pdf"
    assert chosen.sources == (ART, "http://site/f/r.pdf")


def test_report_in_body_and_attachment_keeps_the_better_and_both_sources() -> None:
    article, doc = _doc("article", ART), _doc("attachment", "http://site/f/r.doc")
    chosen = choose(
        ART,
        [
            (article, ParseAttempt(_result("parsed", 90, warnings=2))),
            (doc, ParseAttempt(_result("parsed", 90))),
        ],
    )
    assert chosen.source.kind == "attachment"
    assert chosen.sources == (ART, "http://site/f/r.doc")
    assert [c.status for c in chosen.candidates] == ["parsed", "parsed"]


def test_an_attachment_of_another_year_is_not_a_source() -> None:
    article, other = _doc("article", ART), _doc("attachment", "http://site/f/2022.pdf")
    chosen = choose(
        ART,
        [
            (article, ParseAttempt(_result("parsed", 90))),
            (other, ParseAttempt(_result("partial", 5, year=2022))),
        ],
    )
    assert chosen.record["year"] == 2023 and chosen.sources == (ART,)


def test_nothing_parses_gives_a_failure_with_every_reason() -> None:
    article, bad = _doc("article", ART), _doc("attachment", "http://site/f/broken.pdf")
    chosen = choose(
        ART,
        [
            (article, ParseAttempt(_result("partial", 0))),
            (bad, ParseAttempt.failed("corrupt PDF: no xref table", "corrupt")),
        ],
    )
    assert chosen.status == "failed" and chosen.record is None and chosen.result is None
    assert chosen.source.url == "http://site/f/broken.pdf"
    assert "broken.pdf: corrupt PDF: no xref table" in chosen.error
    assert "t1.html: the page holds no report tables" in chosen.error


def test_another_departments_report_is_not_the_bureaus() -> None:
    assert not is_report(_result("parsed", 90, agency="新安县财政局"))
    assert is_report(_result("parsed", 90, agency="新安县安全生产监督管理局"))  # predecessor name
    assert is_report(_result("parsed", 90, agency="本局"))  # the title decides
    czj, yjj = (
        _doc("attachment", "http://site/f/czj.pdf"),
        _doc("attachment", "http://site/f/yjj.pdf"),
    )
    bundle = [
        (czj, ParseAttempt(_result("parsed", 90, agency="新安县财政局"))),
        (yjj, ParseAttempt(_result("partial", 40, agency="新安县应急管理局"))),
    ]
    assert choose(ART, bundle).source.url == "http://site/f/yjj.pdf"
    only_other = choose(ART, bundle[:1])
    assert only_other.status == "failed"
    assert "a report of 新安县财政局, not of an emergency management bureau" in only_other.error


def test_the_listing_years_report_wins_among_several_years() -> None:
    old, new = (
        _doc("attachment", "http://site/f/2022.pdf"),
        _doc("attachment", "http://site/f/2023.pdf"),
    )
    docs = [
        (old, ParseAttempt(_result("parsed", 90, year=2022))),
        (new, ParseAttempt(_result("partial", 50, year=2023))),
    ]
    title = "红旗区应急管理局2023年政府信息公开工作年度报告"
    assert choose(ART, docs, title).source.url == "http://site/f/2023.pdf"
    assert choose(ART, docs).source.url == "http://site/f/2022.pdf"  # no title: the best


def test_reports_of_other_years_on_the_page_are_kept_as_reports_of_their_own() -> None:
    y22, y23 = (
        _doc("attachment", "http://site/f/2022.pdf"),
        _doc("attachment", "http://site/f/2023.pdf"),
    )
    docs = [
        (y22, ParseAttempt(_result("parsed", 90, year=2022))),
        (y23, ParseAttempt(_result("parsed", 90))),
    ]
    chosen = choose(ART, docs, "红旗区应急管理局2022年、2023年政府信息公开工作年度报告")
    assert chosen.record["year"] == 2022 and chosen.sources == (ART, "http://site/f/2022.pdf")
    [other] = chosen.others
    assert other.record["year"] == 2023 and other.sources == ("http://site/f/2023.pdf",)
    assert other.candidates == ()
    assert choose(ART, docs[:1]).others == ()
