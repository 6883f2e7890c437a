"""The URL rules: canonical URLs and the templates that bound traps."""

from __future__ import annotations

from urllib.parse import urljoin

from crawler.discovery import canonical_url, link_base, url_template


def test_tracking_parameters_do_not_make_new_urls() -> None:
    base = "http://x.gov.cn/a/t20240125_1.html"
    for dup in (
        base + "?utm_source=wx&utm_medium=share",
        base + "?spm=a2c4.1.0",
        base + "?_t=1706150000000",
        base + "#top",
        base + ";jsessionid=ABC123",
    ):
        assert canonical_url(dup) == canonical_url(base)
    assert canonical_url("http://x.gov.cn/list?page=2&b=1") == "http://x.gov.cn/list?b=1&page=2"
    assert canonical_url("http://x.gov.cn/list?page=2") != canonical_url(
        "http://x.gov.cn/list?page=3"
    )
    assert canonical_url("http://X.gov.cn/a/../b/c.html") == "http://x.gov.cn/b/c.html"
    assert canonical_url("http://x.gov.cn/news?from=home") == "http://x.gov.cn/news?from=home"


def test_calendar_pages_share_one_template() -> None:
    a = url_template("http://x.gov.cn/cal?date=2023-01-02")
    b = url_template("http://x.gov.cn/cal?date=2031-12-30")
    assert a == b
    assert a != url_template("http://x.gov.cn/list?page=2")


# A TRS column linked without its trailing slash answers 301 to the folder; its list links are
# relative to the folder (``./202401/t20240125_1.html``), as a browser resolves them.
TRS_LIST = (
    '<html><body><ul class="list">'
    '<li><a href="./202401/t20240125_1001.html" target="_blank">'
    "某县应急管理局2023年政府信息公开工作年度报告</a><span>2024-01-25</span></li>"
    '</ul><script>createPageHTML(2, 0, "index", "html");</script></body></html>'
)


def test_links_resolve_against_the_url_after_a_redirect() -> None:
    linked = "http://www.x.gov.cn/zwgk/bmxxgk/yjglj/zfxxgknb"
    final = "http://www.x.gov.cn/zwgk/bmxxgk/yjglj/zfxxgknb/"
    base = link_base(linked, final, TRS_LIST, redirected=True)
    assert base == final
    assert urljoin(base, "./202401/t20240125_1001.html") == (
        "http://www.x.gov.cn/zwgk/bmxxgk/yjglj/zfxxgknb/202401/t20240125_1001.html"
    )


def test_without_a_redirect_the_linked_url_is_kept_fragment_and_all() -> None:
    linked = "http://www.x.gov.cn/gkmlpt/index#2983"
    assert link_base(linked, "http://www.x.gov.cn/gkmlpt/index", "<html></html>") == linked
    moved = link_base(linked, "https://www.x.gov.cn/gkmlpt/index", "", redirected=True)
    assert moved == "https://www.x.gov.cn/gkmlpt/index#2983"


def test_base_href_overrides_the_page_url() -> None:
    page = (
        '<html><head><base href="http://www.x.gov.cn/yjj/xxgk/"></head><body>'
        '<a href="nb/index.html">政府信息公开年报</a></body></html>'
    )
    base = link_base("http://www.x.gov.cn/template/show.jsp?col=12", "", page)
    assert urljoin(base, "nb/index.html") == "http://www.x.gov.cn/yjj/xxgk/nb/index.html"
    relative_base = '<head><base href="/yjj/"></head>'
    assert (
        link_base("http://www.x.gov.cn/a/b.html", "", relative_base) == "http://www.x.gov.cn/yjj/"
    )


def test_jsessionid_path_parameters_are_not_part_of_the_page() -> None:
    linked = "http://www.x.gov.cn/col/list.jsp;jsessionid=9F2A7C0E1B?id=31&page=2"
    assert canonical_url(linked) == "http://www.x.gov.cn/col/list.jsp?id=31&page=2"
    base = link_base(linked, canonical_url(linked), "")
    assert urljoin(base, "art.jsp?id=7") == "http://www.x.gov.cn/col/art.jsp?id=7"
