"""The download pipeline, in a real crawl against a real server on 127.0.0.1."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

PDF = b"%PDF-1.4\n" + b"report bytes " * 100
DOCX = b"PK\x03\x04" + b"docx bytes " * 50
RFC5987 = "attachment; filename*=UTF-8''2023%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf"


def _settings(store: Path, **extra: object) -> dict[str, object]:
    return {
        "ITEM_PIPELINES": {"pipelines.download.DownloadPipeline": 100},
        "YINGJI_FILES_STORE": str(store),
        "ROBOTSTXT_OBEY": True,
        **extra,
    }


def _item(srv: Any, path: str, **kw: object) -> dict[str, object]:
    return {
        "site_name": "某区人民政府",
        "region": "河南省新乡市红旗区",
        "site_url": srv.url("/"),
        "url": srv.url(path),
        "title": "区应急管理局2023年政府信息公开工作年度报告",
        **kw,
    }


def _blobs(store: Path) -> set[str]:
    return {p.name for p in store.rglob("*") if p.is_file() and "urls" not in p.parts}


def test_article_and_attachments_land_in_the_content_addressed_store(
    docserver: Any, tmp_path: Path, crawl: Any
) -> None:
    docserver.routes["/robots.txt"] = docserver.Route(b"User-agent: *\nDisallow:\n")
    docserver.routes["/downfile.jsp?classid=0&filename=a1"] = docserver.Route(
        PDF, headers={"Content-Type": "application/octet-stream", "Content-Disposition": RFC5987}
    )
    docserver.routes["/up/report.docx"] = docserver.Route(DOCX)
    store = tmp_path / "files"
    body = "<html><body><p>详见附件</p></body></html>"
    items = [
        _item(
            docserver,
            "/art/t1.html",
            body=body,
            body_encoding="utf-8",
            attachments=[
                {"url": docserver.url("/downfile.jsp?classid=0&filename=a1"), "name": "附件"},
                {"url": docserver.url("/up/report.docx"), "name": "附件2：年报.docx"},
            ],
        ),
        # a city portal republishing the same file: fetched once in the run
        _item(
            docserver,
            "/city/t2.html",
            body=body,
            attachments=[{"url": docserver.url("/downfile.jsp?classid=0&filename=a1")}],
        ),
    ]
    out, _ = crawl(items, _settings(store), tmp_path)
    by_url = {row["url"]: row for row in out}
    article, pdf, docx = by_url[docserver.url("/art/t1.html")]["documents"]

    assert article["kind"] == "article"
    assert (store / article["path"]).read_bytes() == body.encode()
    sha = hashlib.sha256(PDF).hexdigest()
    assert (
        pdf
        == {
            "kind": "attachment",
            "url": docserver.url("/downfile.jsp?classid=0&filename=a1"),
            "name": "2023年度报告.pdf",  # Content-Disposition beats the link text
            "sha256": sha,
            "path": f"{sha[:2]}/{sha[2:4]}/{sha}",
            "size": len(PDF),
            "content_type": "application/octet-stream",
        }
    )
    assert (store / pdf["path"]).read_bytes() == PDF
    assert docx["name"] == "附件2：年报.docx"  # no header name: the link text
    assert by_url[docserver.url("/city/t2.html")]["documents"][1]["sha256"] == sha
    assert docserver.hits["/downfile.jsp?classid=0&filename=a1"] == 1


def test_a_document_url_is_fetched_itself(docserver: Any, tmp_path: Path, crawl: Any) -> None:
    docserver.routes["/files/nb2023.pdf"] = docserver.Route(
        PDF, headers={"Content-Type": "application/pdf"}
    )
    out, _ = crawl([_item(docserver, "/files/nb2023.pdf")], _settings(tmp_path / "f"), tmp_path)
    [doc] = out[0]["documents"]
    assert doc["kind"] == "document" and doc["name"] == "nb2023.pdf"
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()


def test_a_hostile_file_name_never_becomes_a_path(
    docserver: Any, tmp_path: Path, crawl: Any
) -> None:
    docserver.routes["/d?id=1"] = docserver.Route(
        PDF, headers={"Content-Disposition": 'attachment; filename="../../escaped.pdf"'}
    )
    work = tmp_path / "work"
    work.mkdir()
    store = work / "a" / "files"
    out, _ = crawl([_item(docserver, "/d?id=1")], _settings(store), work)
    [doc] = out[0]["documents"]
    assert doc["name"] == "escaped.pdf"
    assert not list(tmp_path.rglob("escaped*"))
    assert _blobs(store) == {hashlib.sha256(PDF).hexdigest()}


def test_size_cap_robots_and_http_errors_become_reasons_not_crashes(
    docserver: Any, tmp_path: Path, crawl: Any
) -> None:
    docserver.routes["/robots.txt"] = docserver.Route(b"User-agent: *\nDisallow: /private/\n")
    docserver.routes["/decoy.pdf"] = docserver.Route(b"%PDF" + b"0" * 200_000)
    docserver.routes["/private/r.pdf"] = docserver.Route(PDF)
    docserver.routes["/ok.pdf"] = docserver.Route(PDF)
    store = tmp_path / "files"
    attachments = [
        {"url": docserver.url(p)} for p in ("/decoy.pdf", "/private/r.pdf", "/gone.pdf", "/ok.pdf")
    ]
    item = _item(docserver, "/a.html", body="<p>详见附件</p>", attachments=attachments)
    out, _ = crawl(
        [item], _settings(store, YINGJI_DOCUMENT_MAXSIZE=100_000, RETRY_ENABLED=False), tmp_path
    )
    _, decoy, private, gone, ok = out[0]["documents"]
    assert "size cap" in decoy["error"] and "sha256" not in decoy
    assert "robots" in private["error"].lower() and docserver.hits["/private/r.pdf"] == 0
    assert gone["error"] == "download failed: HTTP 404"
    assert ok["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert hashlib.sha256(b"%PDF" + b"0" * 200_000).hexdigest() not in _blobs(store)


def test_a_second_run_revalidates_instead_of_downloading_again(
    docserver: Any, tmp_path: Path, crawl: Any
) -> None:
    docserver.routes["/r.pdf"] = docserver.Route(
        PDF, headers={"ETag": '"v1"', "Content-Disposition": RFC5987}
    )
    store = tmp_path / "files"
    item = _item(
        docserver, "/a.html", body="<p>x</p>", attachments=[{"url": docserver.url("/r.pdf")}]
    )
    first, _ = crawl([item], _settings(store), tmp_path)
    second, stats = crawl([item], _settings(store), tmp_path)
    assert docserver.not_modified["/r.pdf"] == 1
    assert second[0]["documents"][1]["sha256"] == first[0]["documents"][1]["sha256"]
    assert second[0]["documents"][1]["name"] == "2023年度报告.pdf"
    assert stats.get("yingji/documents/not_modified") == 1


def _recrawl_item(srv: Any, *, revalidated: bool) -> dict[str, object]:
    return _item(
        srv,
        "/art/t1.html",
        body="<p>详见附件</p>",
        attachments=[{"url": srv.url("/downfile.jsp?id=1"), "name": "附件"}],
        revalidated=revalidated,
    )


def test_a_document_of_an_unchanged_page_is_reused_without_a_request(
    docserver: Any, tmp_path: Path, crawl: Any
) -> None:
    # a download endpoint without ETag or Last-Modified: it cannot be revalidated itself
    docserver.routes["/downfile.jsp?id=1"] = docserver.Route(
        PDF, headers={"Content-Disposition": RFC5987}
    )
    settings = _settings(tmp_path / "files", YINGJI_DOCUMENT_MAX_AGE=90)
    first, _ = crawl([_recrawl_item(docserver, revalidated=False)], settings, tmp_path)
    second, stats = crawl([_recrawl_item(docserver, revalidated=True)], settings, tmp_path)
    assert docserver.hits["/downfile.jsp?id=1"] == 1  # the page's 304 vouched for it
    reused = second[0]["documents"][1]
    assert reused == {**first[0]["documents"][1], "not_modified": True}
    assert reused["name"] == "2023年度报告.pdf"  # the name its server gave, kept
    assert stats.get("yingji/documents/reused") == 1

    third, _ = crawl([_recrawl_item(docserver, revalidated=False)], settings, tmp_path)
    assert docserver.hits["/downfile.jsp?id=1"] == 2  # the page changed: fetched again
    assert "not_modified" not in third[0]["documents"][1]


def test_a_stored_document_older_than_the_maximum_age_is_fetched_again(
    docserver: Any, tmp_path: Path, crawl: Any
) -> None:
    docserver.routes["/downfile.jsp?id=1"] = docserver.Route(PDF)
    store = tmp_path / "files"
    crawl([_recrawl_item(docserver, revalidated=False)], _settings(store), tmp_path)
    young = _settings(store, YINGJI_DOCUMENT_MAX_AGE=1)
    crawl([_recrawl_item(docserver, revalidated=True)], young, tmp_path)
    assert docserver.hits["/downfile.jsp?id=1"] == 1
    old = _settings(store, YINGJI_DOCUMENT_MAX_AGE=1e-9)  # under a tenth of a millisecond: too old
    out, _ = crawl([_recrawl_item(docserver, revalidated=True)], old, tmp_path)
    assert docserver.hits["/downfile.jsp?id=1"] == 2
    assert out[0]["documents"][1]["sha256"] == hashlib.sha256(PDF).hexdigest()
    never = _settings(store, YINGJI_DOCUMENT_MAX_AGE=0)  # 0: never reused
    crawl([_recrawl_item(docserver, revalidated=True)], never, tmp_path)
    assert docserver.hits["/downfile.jsp?id=1"] == 3


def test_each_further_page_of_an_article_is_kept_as_a_raw_document(
    docserver: Any, tmp_path: Path, crawl: Any
) -> None:
    store = tmp_path / "files"
    page2 = "<html><body><p>三、收到和处理政府信息公开申请情况</p></body></html>"
    page3 = "<html><body><p>四、政府信息公开行政复议、行政诉讼情况</p></body></html>"
    joined = "<html><body><p>一、总体情况</p>" + page2 + page3 + "</body></html>"
    item = _item(
        docserver,
        "/art/t1.html",
        body=joined,
        body_encoding="utf-8",
        pages=[
            {"url": docserver.url("/art/t1_2.html"), "body": page2, "encoding": "utf-8"},
            {"url": docserver.url("/art/t1_3.html"), "body": page3, "encoding": "gb18030"},
        ],
    )
    out, _ = crawl([item], _settings(store), tmp_path)
    article, second, third = out[0]["documents"]
    assert article["kind"] == "article" and article["url"] == docserver.url("/art/t1.html")
    assert (store / article["path"]).read_bytes() == joined.encode()  # what is parsed
    assert [second["kind"], second["url"]] == ["page", docserver.url("/art/t1_2.html")]
    assert (store / second["path"]).read_bytes() == page2.encode()
    assert [third["kind"], third["url"]] == ["page", docserver.url("/art/t1_3.html")]
    assert (store / third["path"]).read_bytes() == page3.encode("gb18030")  # as received
    assert third["content_type"] == "text/html; charset=gb18030"
    assert not docserver.hits  # the spider read the pages; nothing is fetched again
