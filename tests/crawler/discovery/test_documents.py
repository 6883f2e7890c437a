"""The document rules: which links are files."""

from __future__ import annotations

import pytest

from crawler.discovery import (
    is_document_url,
)


@pytest.mark.parametrize(
    ("url", "ext"),
    [
        ("http://x.gov.cn/a/P020240125123456789012.pdf", "pdf"),
        (
            "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=3a2d5d5ac8d14af8.doc",
            "doc",
        ),
        ("http://x.gov.cn/a/%E5%B9%B4%E6%8A%A5.DOCX", "docx"),
        ("http://x.gov.cn/a/report.wps", "wps"),
        ("http://x.gov.cn/a/t20240125_1.html", None),
        ("http://x.gov.cn/a/archive.zip", None),
    ],
)
def test_document_links_are_told_by_path_or_query(url: str, ext: str | None) -> None:
    assert is_document_url(url) == ext


def test_a_viewer_url_unwraps_to_the_document_it_shows() -> None:
    from crawler.discovery import unwrap_document_url

    viewer = "http://x.gov.cn/static/pdfjs/web/viewer.html?file=/upload/2024/01/23/17.pdf"
    assert unwrap_document_url(viewer) == "http://x.gov.cn/upload/2024/01/23/17.pdf"
    encoded = "http://x.gov.cn/js/viewer.html?file=%2Fupload%2Fnb.docx"
    assert unwrap_document_url(encoded) == "http://x.gov.cn/upload/nb.docx"
    # a download endpoint naming a bare file name serves the file itself
    endpoint = "http://x.gov.cn/downfile.jsp?classid=0&filename=3a2d.doc"
    assert unwrap_document_url(endpoint) == endpoint
    direct = "http://x.gov.cn/a/nb.pdf?file=/b.pdf"  # already a document: kept as is
    assert unwrap_document_url(direct) == direct
