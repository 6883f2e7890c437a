"""Storing an item: completing agencies, sources, failures and document statuses, on a real DB,
in one write transaction per item."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import event, text

from demo import SAMPLES
from ingest.completion import complete_record
from ingest.storing import store_parsed
from ingest.types import Candidate, Choice, Found, Outcome, StoredDocument
from storage import Store

HONGQI = "河南省新乡市红旗区"
SHA_ART, SHA_PDF = "a" * 64, "b" * 64


def _sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text("utf-8"))


def _docs(base: str) -> list[StoredDocument]:
    return [
        StoredDocument("article", f"{base}/t1.html", "t1.html", sha256=SHA_ART,
                       path="aa/aa/" + SHA_ART, size=10, content_type="text/html"),
        StoredDocument("attachment", f"{base}/r.pdf", "2023年报.pdf", sha256=SHA_PDF,
                       path="bb/bb/" + SHA_PDF, size=20, content_type="application/pdf"),
    ]  # fmt: skip


def _parsed(record: dict[str, Any], base: str) -> Choice:
    """What the parse step hands over when the PDF attachment held the report."""
    result = {
        "record": record,
        "status": "parsed",
        "doc_type": "pdf",
        "parser_version": "test-1",
        "warnings": [{"code": "agency_incomplete", "message": "names no place", "where": ""}],
        "error": None,
    }
    candidates = (
        Candidate(f"{base}/t1.html", "article", SHA_ART, "html", "test-1", report=False,
                  status="partial", cells=0, warnings=0, error=None),
        Candidate(f"{base}/r.pdf", "attachment", SHA_PDF, "pdf", "test-1", report=True,
                  status="parsed", cells=120, warnings=1, error=None),
    )  # fmt: skip
    return Choice(result, _docs(base)[1], (f"{base}/t1.html", f"{base}/r.pdf"), candidates)


def _one(outcomes: tuple[Outcome, ...]) -> tuple[str, str | None]:
    """The action and reason of an item that held one report."""
    [outcome] = outcomes
    return outcome.action, outcome.reason


def _rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_a_name_without_a_place_is_completed_from_the_site_region() -> None:
    record, warning = complete_record({"agency": "区应急管理局", "year": 2023}, HONGQI)
    assert record["agency"] == "红旗区应急管理局"
    assert warning is not None and warning["code"] == "agency_incomplete"
    assert "红旗区应急管理局" in warning["message"]
    same, none = complete_record({"agency": "孟津区应急管理局"}, HONGQI)
    assert same == {"agency": "孟津区应急管理局"} and none is None


def test_store_completes_records_sources_and_document_statuses(db_url: str) -> None:
    base = "http://www.hongqi.gov.cn/zwgk"
    with Store(db_url) as store:
        found = Found(HONGQI, "红旗区人民政府", "区应急管理局2023年政府信息公开工作年度报告")
        first = store_parsed(store, _parsed(_sample("seed002"), base), _docs(base), found)
        assert _one(first) == ("insert", None)
        again = store_parsed(store, _parsed(_sample("seed002"), base), _docs(base), found)
        assert _one(again) == ("noop", None)
        assert again[0].version_id == first[0].version_id is not None
        [(agency, year, region, status, warnings)] = _rows(
            store,
            "SELECT v.agency_name, r.year, v.region, v.status, v.warnings FROM report_versions v "
            "JOIN reports r ON r.id = v.report_id",
        )
        assert (agency, year, region, status) == ("红旗区应急管理局", 2023, HONGQI, "parsed")
        warnings = json.loads(warnings) if isinstance(warnings, str) else warnings
        codes = [w["code"] for w in warnings]
        assert codes == ["agency_incomplete"]  # the parser's warning, now saying what was done
        sources = {u for (u,) in _rows(store, "SELECT url FROM report_sources")}
        assert sources == {f"{base}/t1.html", f"{base}/r.pdf"}
        docs = {d.sha256: d for d in store.iter_documents()}
        assert (
            docs[SHA_PDF].parse_status == "parsed" and docs[SHA_PDF].original_name == "2023年报.pdf"
        )
        assert docs[SHA_PDF].region == HONGQI and docs[SHA_PDF].path == "bb/bb/" + SHA_PDF
        assert docs[SHA_ART].parse_status == "failed"
        assert "no report in this document" in (docs[SHA_ART].parse_error or "")


def test_a_city_portal_republishing_a_district_report_adds_a_source(db_url: str) -> None:
    district, city = "http://www.hongqi.gov.cn/a", "http://www.xinxiang.gov.cn/b"
    with Store(db_url) as store:
        rec = _sample("seed002")
        store_parsed(store, _parsed(rec, district), _docs(district), Found(HONGQI))
        # the city site names the district in full; region is the city's
        city_rec = {**rec, "agency": "新乡市红旗区应急管理局"}
        outcome = store_parsed(store, _parsed(city_rec, city), _docs(city), Found("河南省新乡市"))
        assert _one(outcome) == ("noop", None)
        assert _rows(store, "SELECT count(*) FROM reports") == [(1,)]
        assert _rows(store, "SELECT count(*) FROM report_versions") == [(1,)]
        urls = {u for (u,) in _rows(store, "SELECT url FROM report_sources")}
        assert {f"{district}/r.pdf", f"{city}/r.pdf", f"{city}/t1.html"} <= urls


def test_a_document_that_did_not_parse_is_a_failure_with_its_reason(db_url: str) -> None:
    base = "http://www.hongqi.gov.cn/c"
    docs = _docs(base)
    failed = Choice(
        None,
        docs[1],
        (f"{base}/t1.html",),
        (Candidate(docs[1].url, "attachment", SHA_PDF, None, None, report=False,
                   status="failed", cells=0, warnings=0, error="corrupt PDF (no xref)"),),
        error="2023年报.pdf: corrupt PDF (no xref)",
        parser_version="test-1",
    )  # fmt: skip
    with Store(db_url) as store:
        run = store.start_run()
        outcome = store_parsed(store, failed, docs, Found(HONGQI, run_id=run))
        assert _one(outcome) == ("failed", "2023年报.pdf: corrupt PDF (no xref)")
        assert not outcome[0].store_failed and outcome[0].version_id is None
        doc = {d.sha256: d for d in store.iter_documents()}[SHA_PDF]
        assert (doc.parse_status, doc.parse_error) == (
            "failed",
            "2023年报.pdf: corrupt PDF (no xref)",
        )
        assert store.run(run).failed == 1
        assert _rows(store, "SELECT count(*) FROM reports") == [(0,)]


def test_a_record_without_year_is_a_failure_not_an_exception(db_url: str) -> None:
    base = "http://www.hongqi.gov.cn/d"
    rec = {**_sample("seed002"), "year": None}
    with Store(db_url) as store:
        outcome, reason = _one(store_parsed(store, _parsed(rec, base), _docs(base), Found(HONGQI)))
        assert outcome == "failed" and reason and "year" in reason


def test_agency_and_year_the_document_omits_come_from_the_listing_title(db_url: str) -> None:
    base = "http://www.hongqi.gov.cn/e"
    rec = {**_sample("seed002"), "agency": None, "year": None, "title": None}
    given = _parsed(rec, base)
    warnings = [
        {"code": "title_missing", "message": "", "where": ""},
        {"code": "year_missing", "message": "", "where": "year"},
    ]
    parsed = replace(given, result={**(given.result or {}), "warnings": warnings})
    title = "区应急管理局2023年政府信息公开工作年度报告"
    with Store(db_url) as store:
        stored = store_parsed(store, parsed, _docs(base), Found(HONGQI, title=title))
        assert _one(stored)[0] == "insert"
        [(agency, year, warnings)] = _rows(
            store,
            "SELECT v.agency_name, r.year, v.warnings FROM report_versions v "
            "JOIN reports r ON r.id = v.report_id",
        )
        warnings = json.loads(warnings) if isinstance(warnings, str) else warnings
        assert (agency, year) == ("红旗区应急管理局", 2023)
        assert [w["code"] for w in warnings] == ["title_from_hint", "agency_incomplete"]


def test_a_report_found_first_on_the_city_portal_keeps_the_district_region(db_url: str) -> None:
    city, district = "http://www.ly.gov.cn/a", "http://www.mengjin.gov.cn/b"
    rec = _sample("seed000")  # 孟津区应急管理局
    with Store(db_url) as store:
        assert (
            _one(store_parsed(store, _parsed(rec, city), _docs(city), Found("河南省洛阳市")))[0]
            == "insert"
        )
        outcome = store_parsed(
            store, _parsed(rec, district), _docs(district), Found("河南省洛阳市孟津区")
        )
        assert _one(outcome) == ("noop", None)
        assert _rows(store, "SELECT region FROM report_versions") == [("河南省洛阳市孟津区",)]


def test_more_reports_on_one_page_are_each_stored(db_url: str) -> None:
    base = "http://www.hongqi.gov.cn/f"
    other = replace(_parsed({**_sample("seed002"), "year": 2022}, base), sources=(f"{base}/r.pdf",))
    parsed = replace(_parsed(_sample("seed002"), base), others=(other,))
    with Store(db_url) as store:
        main, second = store_parsed(store, parsed, _docs(base), Found(HONGQI))
        assert (main.action, main.reason) == ("insert", None)
        assert (second.action, second.reason) == ("insert", None)
        assert main.version_id != second.version_id
        assert _rows(store, "SELECT year FROM reports ORDER BY year") == [(2022,), (2023,)]


def test_an_item_is_one_write_transaction(db_url: str) -> None:
    # its two documents, their statuses, the report and both its sources: one transaction,
    # so a crash between two of them never leaves half an item behind
    base = "http://www.hongqi.gov.cn/f"
    with Store(db_url) as store:
        begun: list[object] = []
        event.listen(store.engine, "begin", begun.append)
        stored = store_parsed(store, _parsed(_sample("seed002"), base), _docs(base), Found(HONGQI))
        assert _one(stored)[0] == "insert"
        assert len(begun) == 1
        assert _rows(store, "SELECT count(*) FROM report_sources") == [(2,)]
        assert _rows(store, "SELECT count(*) FROM documents WHERE parse_status IS NOT NULL") == [
            (2,)
        ]
