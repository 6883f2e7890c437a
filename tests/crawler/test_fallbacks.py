"""Fallbacks of a site whose columns left a year without a report: when they run, the search
form they use, the bureau's query, and the pages a sitemap offers."""

from __future__ import annotations

from pathlib import Path

from crawler.spiders.fallbacks import (
    SearchForm,
    needs_fallback,
    read_sitemap,
    report_links,
    robots_sitemaps,
    search_form,
    search_url,
    sitemap_locations,
)

SITES = Path(__file__).resolve().parents[2] / "demo" / "sites"


def test_a_fallback_runs_for_a_site_with_nothing_or_a_gap_between_years() -> None:
    assert needs_fallback(set())
    assert needs_fallback({2024, 2022})
    assert not needs_fallback({2024, 2023, 2022})
    assert not needs_fallback({2024})


def test_the_search_form_of_a_page_and_the_bureau_query() -> None:
    page = (SITES / "wugang/index.html").read_text("utf-8")
    form = search_form("http://x.gov.cn/", page)
    assert form == SearchForm("http://x.gov.cn/search/search.jsp", "keyword")
    url = search_url(form, "舞钢市人民政府")
    assert url.startswith("http://x.gov.cn/search/search.jsp?keyword=")
    assert "%E8%88%9E%E9%92%A2%E5%B8%82%E5%BA%94%E6%80%A5%E7%AE%A1%E7%90%86%E5%B1%80" in url
    assert search_form("http://x.gov.cn/", "<form method='post'><input name='q'></form>") is None


def test_robots_sitemap_lines_and_a_sitemap_index_lead_to_candidate_pages() -> None:
    assert robots_sitemaps(
        "User-agent: *\nDisallow: /admin/\nSitemap: http://x.gov.cn/s.xml\n"
    ) == ["http://x.gov.cn/s.xml"]
    index = (
        (SITES / "ye/sitemap.xml.html").read_text("utf-8").replace("{{site:ye}}", "http://x.gov.cn")
    )
    assert sitemap_locations(index.encode(), "http://x.gov.cn/") == (
        ["http://x.gov.cn/sitemap_xxgk.xml"],
        [],
    )
    urlset = (
        (SITES / "ye/sitemap_xxgk.xml.html")
        .read_text("utf-8")
        .replace("{{site:ye}}", "http://x.gov.cn")
    )
    nested, pages = sitemap_locations(urlset.encode(), "http://x.gov.cn/")
    assert nested == []
    # article pages in the bureau's section only; folders and other sites are no candidates
    assert "http://x.gov.cn/xxgk/bmxxgk/yjglj/ghjh/202402/t20240205_7431.html" in pages
    assert all(p.endswith(".html") for p in pages)
    assert sitemap_locations(urlset.encode(), "http://other.gov.cn/") == ([], [])
    assert sitemap_locations(b"<html>not a sitemap", "http://x.gov.cn/") == ([], [])


def test_a_search_form_keeps_its_hidden_inputs() -> None:
    page = (SITES / "xiaonan/index.html").read_text("utf-8")
    form = search_form("http://x.gov.cn/", page)
    assert form is not None and form.param == "q"
    assert ("siteId", "1") in form.hidden
    assert search_url(form, "孝感市孝南区人民政府").startswith(
        "http://x.gov.cn/search.jspx?siteId=1&channelId=&q="
    )


def test_on_a_bureaus_own_site_every_numbered_page_of_its_sitemap_is_a_candidate() -> None:
    urlset = (
        (SITES / "jiading/sitemaps/publicity.xml.html")
        .read_text("utf-8")
        .replace("{{site:jiading}}", "http://x.cn")
    ).encode()
    _, pages = sitemap_locations(urlset, "http://x.cn/", bureau_site=True)
    assert "http://x.cn/publicity/tzgg/168807" in pages  # extensionless, under 通知公告
    assert "http://x.cn/publicity/" not in pages and "http://x.cn/publicity/tzgg" not in pages
    _, portal = sitemap_locations(urlset, "http://x.cn/")
    assert "http://x.cn/publicity/tzgg/168807" not in portal


def test_a_page_that_is_no_sitemap_is_not_counted_as_one() -> None:
    urlset = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'
    assert read_sitemap(urlset) is not None  # an empty sitemap is still a sitemap read
    assert read_sitemap(b"<html><body>home page</body></html>") is None  # a soft 404
    assert read_sitemap(b"") is None and read_sitemap(b"garbage") is None


def test_search_results_count_the_links_titled_as_a_bureaus_report() -> None:
    page = (
        "<ul><li><a href='/yjglj/ghjh/t1.html'>"
        "舞钢市应急管理局2023年政府信息公开工作年度报告</a></li>"
        "<li><a href='/zfxx/t2.html'>舞钢市人民政府2023年政府信息公开工作年度报告</a></li>"
        "<li><a href='/news/t3.html'>舞钢市应急管理局召开安全生产会议</a></li></ul>"
    )
    assert report_links("http://x.gov.cn/search/search.jsp?keyword=x", page) == 1
    assert report_links("http://x.gov.cn/", "") == 0
