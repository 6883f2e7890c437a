"""The URL rules: canonical URLs and the templates that bound traps."""

from __future__ import annotations

from crawler.discovery import (
    canonical_url,
    url_template,
)


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
