"""download -> parse -> store together: a real crawl, the real parser, a real database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from demo import SAMPLES

TABLES = ("active_disclosure", "applications", "review_litigation")
BAD_TITLE = "某县应急管理局2022年政府信息公开工作年度报告"
RFC5987 = "attachment; filename*=UTF-8''2023%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf"


def _page(title: str, body: str) -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<div class='nav'>首页 > 信息公开 > 年报</div><h1>{title}</h1>"
        f"<div class='TRS_Editor'>{body}</div><div class='foot'>版权所有</div></body></html>"
    )


def _item(srv: Any, path: str, title: str, region: str, **kw: Any) -> dict[str, Any]:
    return {
        "site_name": region[-3:] + "人民政府",
        "region": region,
        "site_url": srv.url("/"),
        "url": srv.url(path),
        "title": title,
        **kw,
    }


def _settings(tmp_path: Path, db: str) -> dict[str, Any]:
    return {
        "ITEM_PIPELINES": {
            "pipelines.download.DownloadPipeline": 100,
            "pipelines.parse.ParsePipeline": 200,
            "pipelines.store.StorePipeline": 300,
        },
        "YINGJI_FILES_STORE": str(tmp_path / "files"),
        "DATABASE_URL": db,
        "YINGJI_PARSE_WORKERS": 2,
    }


def test_reports_are_stored_exactly_failures_keep_reasons_and_a_recrawl_is_all_noops(
    docserver: Any, tmp_path: Path, crawl: Any, db_url: str
) -> None:
    s = SAMPLES
    title0 = "孟津区应急管理局2023年政府信息公开工作年度报告"
    title2 = "区应急管理局2023年政府信息公开工作年度报告"
    docserver.add("/robots.txt", b"User-agent: *\nDisallow:\n")
    docserver.add(
        "/art/t0.html", _page(title0, (s / "seed000.body.html").read_text("utf-8")).encode()
    )
    docserver.add(
        "/downfile.jsp?id=0",
        (s / "seed000.pdf").read_bytes(),
        Content_Type="application/octet-stream",
        Content_Disposition=RFC5987,
    )
    docserver.add("/files/nb.pdf", (s / "seed002.pdf").read_bytes())
    docserver.add(
        "/art/bad.html",
        _page("某县应急管理局2022年政府信息公开工作年度报告", "<p>详见附件</p>").encode(),
    )
    docserver.add("/files/broken.pdf", b"%PDF-1.4\n1 0 obj garbage with no xref\n")
    items = [
        # the report in the article body and as a PDF attachment
        _item(docserver, "/art/t0.html", title0, "河南省洛阳市孟津区",
              attachments=[{"url": docserver.url("/downfile.jsp?id=0"), "name": "附件"}]),
        # a list linking the PDF directly; its title names no district
        _item(docserver, "/files/nb.pdf", title2, "河南省新乡市红旗区"),
        # a pointer page whose attachment is broken
        _item(docserver, "/art/bad.html", BAD_TITLE, "河南省新乡市红旗区",
              attachments=[{"url": docserver.url("/files/broken.pdf")}]),
    ]  # fmt: skip
    for it in items[:1] + items[2:]:
        page = docserver.routes[it["url"].removeprefix(docserver.base)].body
        it["body"], it["body_encoding"] = page.decode("utf-8"), "utf-8"

    first, _ = crawl(items, _settings(tmp_path, db_url), tmp_path)
    outcomes = {row["url"].rsplit("/", 1)[-1]: row for row in first}
    assert outcomes["t0.html"]["outcome"] == "insert"
    assert outcomes["nb.pdf"]["outcome"] == "insert"
    bad = outcomes["bad.html"]
    assert bad["outcome"] == "failed"
    assert "broken.pdf" in bad["parsed"]["error"]

    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.year, v.agency_name, v.record, v.id FROM report_versions v "
                "JOIN reports r ON r.id = v.report_id ORDER BY v.agency_name"
            )
        ).all()
        by_agency = {
            a: (json.loads(rec) if isinstance(rec, str) else rec, vid) for _, a, rec, vid in rows
        }
        assert sorted(by_agency) == ["孟津区应急管理局", "红旗区应急管理局"]
        for agency, sample in (("孟津区应急管理局", "seed000"), ("红旗区应急管理局", "seed002")):
            expected = json.loads((s / f"{sample}.json").read_text("utf-8"))
            record = by_agency[agency][0]
            assert {k: record[k] for k in TABLES} == {k: expected[k] for k in TABLES}
            assert record["year"] == expected["year"]
        sources = {
            u for (u,) in conn.execute(
                text("SELECT url FROM report_sources WHERE version_id = :v"),
                {"v": by_agency["孟津区应急管理局"][1]},
            )
        }  # fmt: skip
        assert sources == {docserver.url("/art/t0.html"), docserver.url("/downfile.jsp?id=0")}
        failed = conn.execute(
            text(
                "SELECT parse_status, parse_error FROM documents WHERE original_name = 'broken.pdf'"
            )
        ).one()
        assert failed[0] == "failed" and failed[1]

    second, _ = crawl(items, _settings(tmp_path, db_url), tmp_path)
    assert sorted(row["outcome"] for row in second) == ["failed", "noop", "noop"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report_versions")).scalar() == 2
    engine.dispose()


def test_a_scan_is_kept_as_needs_ocr_and_an_encrypted_file_fails_with_its_reason(
    docserver: Any, tmp_path: Path, crawl: Any, db_url: str, monkeypatch: Any
) -> None:
    monkeypatch.setenv("YINGJI_OCR", "0")  # OCR off: tests/yingji_parser/test_ocr.py reads scans
    pdfs = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
    docserver.add("/scan.pdf", (pdfs / "image_only.pdf").read_bytes())
    docserver.add("/locked.pdf", (pdfs / "encrypted.pdf").read_bytes())
    scan_title = "栾川县应急管理局2021年政府信息公开工作年度报告"
    items = [
        _item(docserver, "/scan.pdf", scan_title, "河南省洛阳市栾川县"),
        _item(
            docserver,
            "/locked.pdf",
            "栾川县应急管理局2022年政府信息公开工作年度报告",
            "河南省洛阳市栾川县",
        ),
    ]
    out, _ = crawl(items, _settings(tmp_path, db_url), tmp_path)
    by_name = {row["url"].rsplit("/", 1)[-1]: row for row in out}
    assert by_name["scan.pdf"]["outcome"] == "insert"
    assert by_name["locked.pdf"]["outcome"] == "failed"
    assert "password" in by_name["locked.pdf"]["parsed"]["error"]
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT v.agency_name, r.year, v.status FROM report_versions v "
                "JOIN reports r ON r.id = v.report_id"
            )
        ).one()
        assert tuple(row) == ("栾川县应急管理局", 2021, "needs_ocr")  # agency, year: the listing
        locked = conn.execute(
            text(
                "SELECT parse_status, parse_error FROM documents WHERE original_name = 'locked.pdf'"
            )
        ).one()
        assert locked[0] == "failed" and "password" in locked[1]
    engine.dispose()


def test_a_page_carrying_two_reports_gives_two_feed_records_and_a_failure_none(
    docserver: Any, tmp_path: Path, crawl: Any, db_url: str
) -> None:
    from crawler.settings import FEED_EXPORTERS

    s = SAMPLES
    docserver.add("/files/mj.pdf", (s / "seed000.pdf").read_bytes())
    docserver.add("/files/hq.pdf", (s / "seed002.pdf").read_bytes())
    docserver.add("/files/broken.pdf", b"%PDF-1.4\n1 0 obj garbage with no xref\n")
    docserver.add("/art/two.html", _page("年度报告", "<p>详见附件</p>").encode())
    docserver.add("/art/bad.html", _page(BAD_TITLE, "<p>详见附件</p>").encode())
    two = _item(
        docserver,
        "/art/two.html",
        "2023年政府信息公开工作年度报告",
        "河南省洛阳市",
        attachments=[
            {"url": docserver.url("/files/mj.pdf")},
            {"url": docserver.url("/files/hq.pdf")},
        ],
    )
    bad = _item(docserver, "/art/bad.html", BAD_TITLE, "河南省新乡市红旗区",
                attachments=[{"url": docserver.url("/files/broken.pdf")}])  # fmt: skip
    for it in (two, bad):
        page = docserver.routes[it["url"].removeprefix(docserver.base)].body
        it["body"], it["body_encoding"] = page.decode("utf-8"), "utf-8"
    feed = tmp_path / "feed.jsonl"
    settings = {
        **_settings(tmp_path, db_url),
        "FEED_EXPORTERS": FEED_EXPORTERS,
        "FEEDS": {str(feed): {"format": "jsonl"}},
    }
    out, stats = crawl([two, bad], settings, tmp_path)
    by_name = {row["url"].rsplit("/", 1)[-1]: row for row in out}
    pair = by_name["two.html"]
    assert [o[0] for o in pair["outcomes"]] == ["insert", "insert"]
    assert len(pair["records"]) == 2 and len({r["agency"] for r in pair["records"]}) == 2
    assert {r["version"] for r in pair["records"]} == {1}
    [(action, reason, store_failed)] = by_name["bad.html"]["outcomes"]
    assert (action, store_failed, by_name["bad.html"]["records"]) == ("failed", False, [])
    assert reason and "broken.pdf" in reason
    written = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
    assert written == pair["records"]  # the two reports, and nothing of the failed item
    assert not any(k in rec for rec in written for k in ("body", "documents", "parsed"))
    assert (stats["yingji/inserted"], stats["yingji/failed"]) == (2, 1)
