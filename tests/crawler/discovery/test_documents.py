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
