"""TRS WCM: list page URLs from the page script."""

from __future__ import annotations

from pathlib import Path

from crawler.strategies import (
    trs,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "realpages"


def test_trs_page_urls_come_from_create_page_html() -> None:
    text = '<script>createPageHTML(3, 0, "index", "html");</script>'
    url = "http://www.wuchang.gov.cn/xxgk/yjglj/zfxxgknb/"
    assert trs.page_urls(url, text) == [url + "index_1.html", url + "index_2.html"]
    assert trs.page_urls(url + "index.html", text) == [url + "index_1.html", url + "index_2.html"]


def test_trs_shtml_and_count_page_variants() -> None:
    url = "http://yjglj.snj.gov.cn/xxgknb/index.shtml"
    assert trs.page_urls(url, "createPageHTML('2','0','index','shtml')") == [
        "http://yjglj.snj.gov.cn/xxgknb/index_1.shtml"
    ]
    assert trs.page_urls(url, "var countPage = 2;var currentPage = 0;") == [
        "http://yjglj.snj.gov.cn/xxgknb/index_1.html"
    ]


def test_trs_create_page_html_with_a_target_element_first() -> None:
    text = "createPageHTML('page_div', 3, 0, 'index', 'shtml', 41);"
    assert trs.page_urls("http://x.gov.cn/a/", text) == [
        "http://x.gov.cn/a/index_1.shtml",
        "http://x.gov.cn/a/index_2.shtml",
    ]


def test_trs_pager_object_of_newer_templates() -> None:
    text = "new Pager({size:3, current:0, prefix:'index',suffix:'shtml'});"
    assert trs.page_urls("http://x.gov.cn/a/", text) == [
        "http://x.gov.cn/a/index_1.shtml",
        "http://x.gov.cn/a/index_2.shtml",
    ]


def test_trs_later_pages_and_single_pages_generate_nothing() -> None:
    url = "http://x.gov.cn/a/index_1.html"
    assert trs.page_urls(url, 'createPageHTML(3, 1, "index", "html")') == []
    assert trs.page_urls("http://x.gov.cn/a/", 'createPageHTML(1, 0, "index", "html")') == []
    assert trs.page_urls("http://x.gov.cn/a/", "<p>no script</p>") == []


# ------------------------------------------------------------------ Hanweb
