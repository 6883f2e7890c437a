"""The spider against the bundled realistic sites: every report found once, nothing else, and
every nuisance handled (see yingji/sites/manifest.json for what each site holds)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from crawler.discovery import canonical_url
from crawler.spiders.state import ArticleState, PageState
from crawler.spiders.yingji import YingjiSpider


def _project_settings() -> dict[str, object]:
    """yingji's own settings as the project declares them (crawler/settings.py): components
    read them without restating defaults."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return {k: v for k, v in settings.copy_to_dict().items() if k.startswith("YINGJI_")}


def _by_site(crawl: Any, key: str) -> dict[str, int]:
    return crawl.requests[key]


def _followed(tmp_path: Path, url: str, page: str, state: PageState, **meta: Any) -> set[str]:
    """The URLs the spider requests from ``page`` served at ``url`` on a one-seed site."""
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    seeds = tmp_path / "seeds.csv"
    seeds.write_text("name,region,url\n某县人民政府,某省某市某县,http://www.x.gov.cn/\n", "utf-8")
    spider = get_crawler(YingjiSpider, _project_settings())._create_spider(seeds=str(seeds))
    request = Request(url, meta={"seed_url": "http://www.x.gov.cn/", **meta})
    response = HtmlResponse(url, body=page.encode(), encoding="utf-8", request=request)
    return {r.url for r in spider.parse_page(response, state) if isinstance(r, Request)}


def test_every_report_is_found_once_and_nothing_else(crawl: Any) -> None:
    expected = Counter(canonical_url(r["url"]) for r in crawl.served.expected_reports())
    found = Counter(canonical_url(item["url"]) for item in crawl.items)
    assert found == expected


def test_items_carry_their_seed_and_documents(crawl: Any) -> None:
    items = {canonical_url(i["url"]): i for i in crawl.items}
    for report in crawl.served.expected_reports():
        item = items[canonical_url(report["url"])]
        assert item["site_url"] == report["site_url"]
        assert str(report["year"]) in item["title"]
        assert "应急管理局" in item["title"]
        assert sorted(a["url"] for a in item["attachments"]) == sorted(report["attachments"])
        for attachment in item["attachments"]:
            assert attachment["name"], "the link text is kept as the file-name hint"


def test_site_statuses_tell_blocked_unreachable_and_robots_apart(crawl: Any) -> None:
    statuses = {url: state["status"] for url, state in crawl.sites.items()}
    assert statuses == crawl.served.expected_status()
    blocked = crawl.sites[crawl.served.url_for("ruyang")]
    assert blocked["blocked"] and "block page" in blocked["last_error"]


def test_report_pages_found_only_through_pagination(crawl: Any) -> None:
    # TRS: page count only in createPageHTML / var countPage; Hanweb: record 4 only via the proxy
    assert _by_site(crawl, "mengjin")["/xxgk/bmxxgk/yjglj/zfxxgknb/index_1.html"] == 1
    assert _by_site(crawl, "luanchuan")["/zwgk/bmgk/ajj/ndbg/index_1.html"] == 1
    assert _by_site(crawl, "xinan")["/module/web/jpage/dataproxy.jsp"] >= 1
    assert _by_site(crawl, "yiyang")["/gkmlpt/api/all/2983"] == 3  # 5 articles, 2 a page


def test_tracking_parameter_duplicates_are_fetched_once(crawl: Any) -> None:
    assert _by_site(crawl, "mengjin")["/xxgk/bmxxgk/yjglj/zfxxgknb/202401/t20240125_1001.html"] == 1
    assert _by_site(crawl, "hongqi")["/zwgk/content.jsp"] == 1


def test_the_decoy_is_not_downloaded_whole(crawl: Any) -> None:
    decoy = "/xxgk/bmxxgk/yjglj/zfxxgknb/nbhj/"
    assert crawl.requests["mengjin"][decoy] >= 1
    assert crawl.bytes_sent["mengjin"][decoy] < 10 * 1024 * 1024


def test_the_calendar_trap_is_bounded(crawl: Any) -> None:
    assert 1 <= crawl.requests["hongqi"]["/zwgk/calendar.jsp"] <= 10


def test_robots_txt_is_obeyed(crawl: Any) -> None:
    assert crawl.requests["mengjin"]["/robots.txt"] == 1
    assert not any(p.startswith("/private/") for p in crawl.requests["mengjin"])
    assert set(crawl.requests["luoning"]) == {"/robots.txt"}


def test_off_site_mirrors_are_never_contacted(crawl: Any) -> None:
    assert sum(crawl.requests["mirror"].values()) == 0


def test_a_500_is_retried_and_a_slow_page_waited_for(crawl: Any) -> None:
    assert crawl.requests["luanchuan"]["/zwgk/bmgk/ajj/ndbg/index.html"] == 2
    assert crawl.requests["luanchuan"]["/zwgk/bmgk/ajj/ndbg/202301/t20230115_2001.htm"] == 1


def test_non_report_titles_are_not_fetched(crawl: Any) -> None:
    # the government's own report, other bureaus' reports, notices and 工作总结 stay unfetched
    assert "/art/2024/1/30/art_1229000101_40006.html" not in crawl.requests["xinan"]
    assert "/art/2024/1/20/art_1229000101_40005.html" not in crawl.requests["xinan"]
    assert "/zwgk/nb/2023n/202401/t20240131_5003.html" not in crawl.requests["luoyang"]
    assert "/xxgk/bmxxgk/yjglj/gzdt/202401/t20240110_1201.html" not in crawl.requests["mengjin"]
    # the portal's own report titled without any agency may be a per-year collection column, so
    # it is looked at, but it is nobody's bureau report (test above: nothing else is yielded)
    assert crawl.requests["mengjin"]["/xxgk/zfxxgknb/202401/t20240126_1104.html"] <= 1


def test_each_site_gets_one_request_at_a_time(crawl: Any) -> None:
    busy = {k: n for k, n in crawl.max_in_flight.items() if n > 1}
    assert busy == {}
    assert max(crawl.max_in_flight.values()) == 1


def test_the_whole_crawl_costs_few_requests(crawl: Any) -> None:
    total = sum(sum(c.values()) for c in crawl.requests.values())
    assert total < 150, "a handful of sites must not cost hundreds of requests"


def test_a_javascript_redirect_home_is_followed(crawl: Any) -> None:
    assert crawl.requests["zhanhe"]["/portal/index.html"] == 1


def test_titles_cut_short_in_lists_are_decided_by_the_article(crawl: Any) -> None:
    # "卫东区应急管理局2024年政府信息公开工作…" is fetched, its page says 工作要点: no item
    negative = "/wdqyjglj/gknb/202403/9e8d7c6b5a4f30211203f4e5d6c7b8a9.shtml"
    assert crawl.requests["weidong"][negative] == 1
    assert not any(negative in item["url"] for item in crawl.items)
    titles = {item["title"] for item in crawl.items}
    assert "平顶山市卫东区应急管理局2023年政府信息公开工作年度报告" in titles


def test_a_challenge_status_marks_the_site_blocked(crawl: Any) -> None:
    state = crawl.sites[crawl.served.url_for("yichuan")]
    assert state["status"] == "blocked" and "521" in state["last_error"]


def test_a_shard_crawls_only_its_sites(tmp_path: Path) -> None:
    from crawler.seeds import load_seeds, shard_of

    seeds = load_seeds()
    spiders = [YingjiSpider(shard=f"{k}/4") for k in (1, 2, 3, 4)]
    assert sorted(url for s in spiders for url in s.sites) == sorted(s.url for s in seeds)
    for k, spider in enumerate(spiders, start=1):
        assert all(shard_of(url, 4) == k for url in spider.sites)


def test_an_article_leads_to_the_bureaus_other_reports(tmp_path: Path) -> None:
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    seeds = tmp_path / "seeds.csv"
    seeds.write_text("name,region,url\n某区人民政府,某省某市某区,http://www.x.gov.cn/\n", "utf-8")
    crawler = get_crawler(YingjiSpider, _project_settings())
    spider = crawler._create_spider(seeds=str(seeds))
    url = "http://www.x.gov.cn/bm/yjglj/ndbg/202401/t20240125_1.html"
    title = "某区应急管理局2023年政府信息公开工作年度报告"
    page = (
        f'<html><head><meta name="ArticleTitle" content="{title}"></head><body>'
        '<div class="TRS_Editor"><p>一、总体情况</p></div>'
        f'<a href="./P020240125.pdf">{title}.pdf</a>'
        '<p>上一篇：<a href="../202301/t20230120_2.html">'
        "某区应急管理局2022年政府信息公开工作年度报告</a></p>"
        '<p>下一篇：<a href="../202402/t20240201_3.html">'
        "某区应急管理局2024年安全生产工作要点</a></p></body></html>"
    )
    request = Request(url, meta={"seed_url": "http://www.x.gov.cn/"})
    response = HtmlResponse(url, body=page.encode(), encoding="utf-8", request=request)
    out = list(spider.parse_article(response, ArticleState(em=True, title="")))
    items = [o for o in out if not isinstance(o, Request)]
    requests = [o.url for o in out if isinstance(o, Request)]
    assert [i.title for i in items] == [title]
    assert [a.url for a in items[0].attachments] == [
        "http://www.x.gov.cn/bm/yjglj/ndbg/202401/P020240125.pdf"
    ]
    assert requests == ["http://www.x.gov.cn/bm/yjglj/ndbg/202301/t20230120_2.html"]
    assert spider.sites["http://www.x.gov.cn/"].items_yielded == 1


def test_the_bureaus_context_reaches_its_sub_columns_not_the_portal(tmp_path: Path) -> None:
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    seeds = tmp_path / "seeds.csv"
    seeds.write_text("name,region,url\n某区人民政府,某省某市某区,http://www.x.gov.cn/\n", "utf-8")
    spider = get_crawler(YingjiSpider, _project_settings())._create_spider(seeds=str(seeds))
    url = "http://www.x.gov.cn/bm/yjglj/"
    page = (
        '<html><body><div class="nav"><a href="/xxgk/">政府信息公开</a>'
        '<a href="/xxgk/zfxxgknb/">政府信息公开年报</a></div>'
        '<ul><li><a href="./xxgk/">信息公开</a></li><li><a href="./nb/">政府信息公开年报</a></li>'
        '<li><a href="/col/col1229000101/index.html">政府信息公开年报</a></li></ul></body></html>'
    )
    meta = {"seed_url": "http://www.x.gov.cn/"}
    response = HtmlResponse(
        url, body=page.encode(), encoding="utf-8", request=Request(url, meta=meta)
    )
    state = PageState(hops=2, em=True, kind=2)
    out = spider.parse_page(response, state)
    em = {r.url: r.cb_kwargs["state"].em for r in out if isinstance(r, Request)}
    assert em == {
        "http://www.x.gov.cn/xxgk/": False,  # the portal's navigation
        "http://www.x.gov.cn/xxgk/zfxxgknb/": False,  # the portal's own report column
        "http://www.x.gov.cn/bm/yjglj/xxgk/": True,
        "http://www.x.gov.cn/bm/yjglj/nb/": True,
        "http://www.x.gov.cn/col/col1229000101/index.html": True,  # Hanweb: not a sub-path
    }


def test_a_column_behind_a_301_yields_its_reports_at_the_redirected_folder(tmp_path: Path) -> None:
    linked = "http://www.x.gov.cn/zwgk/bmxxgk/yjglj/zfxxgknb"
    final = linked + "/"
    page = (
        '<html><body><ul class="list"><li><a href="./202401/t20240125_1001.html">'
        "某县应急管理局2023年政府信息公开工作年度报告</a><span>2024-01-25</span></li></ul>"
        '<script>createPageHTML(2, 0, "index", "html");</script></body></html>'
    )
    state = PageState(hops=2, em=True, kind=3, source_url=linked)
    urls = _followed(tmp_path, final, page, state, redirect_urls=[linked])
    assert urls == {
        final + "202401/t20240125_1001.html",
        final + "index_1.html",
    }


def test_every_year_of_a_report_collection_is_walked(tmp_path: Path) -> None:
    url = "http://www.x.gov.cn/yjj/zfxxgknb/"
    page = (
        '<html><body><div class="tabs"><a href="./c1024/">2024年度</a>'
        '<a href="./c1023/">2023年度</a></div>'
        '<select onchange="location.href=this.value"><option value="">年度</option>'
        '<option value="./c1022/">2022年</option><option value="./c1021/">2021年</option>'
        "</select></body></html>"
    )
    urls = _followed(tmp_path, url, page, PageState(hops=2, em=True, kind=3))
    assert urls == {f"{url}c{n}/" for n in (1021, 1022, 1023, 1024)}


def test_a_year_link_in_a_report_collection_is_a_year_column_whatever_its_folder() -> None:
    from crawler.discovery import ColumnKind
    from crawler.spiders.state import column_state
    from crawler.strategies import Entry

    collection = PageState(hops=2, em=False, kind=int(ColumnKind.REPORTS))
    page = "http://x.gov.cn/xxgk/zfxxgknb/"
    for title, url in (
        ("2023年度", "http://x.gov.cn/xxgk/zfxxgknb/bmnb_15433/"),
        ("2022年", "http://x.gov.cn/xxgk/zfxxgknb/c_88/"),
    ):
        state = column_state(Entry(url=url, title=title), collection, page, 6)
        assert state is not None and state.kind == ColumnKind.REPORTS, title
    # outside a report collection a bare year is no report column
    hub = PageState(hops=1, em=False, kind=int(ColumnKind.DISCLOSURE))
    other = Entry(url="http://x.gov.cn/news/bmnb_1/", title="2023年度")
    state = column_state(other, hub, "http://x.gov.cn/xxgk/", 6)
    assert state is None or state.kind != ColumnKind.REPORTS


def test_a_branch_of_a_kind_of_body_in_a_report_collection_is_entered() -> None:
    from crawler.discovery import ColumnKind
    from crawler.spiders.state import column_state
    from crawler.strategies import Entry

    collection = PageState(hops=2, em=False, kind=int(ColumnKind.REPORTS))
    page = "http://x.gov.cn/zwgk/zfxxgknb/"
    for title, url in (
        ("市政府部门", "http://x.gov.cn/zwgk/zfxxgknb/szfbm/"),
        ("2024年部门年报", "http://x.gov.cn/zwgk/zfxxgknb/szfbm/2024nbmnb/"),
        ("区直部门", "http://x.gov.cn/xxgk/zfxxgkndbg/qzbm/"),
    ):
        state = column_state(Entry(url=url, title=title), collection, page, 6)
        assert state is not None and state.kind == ColumnKind.REPORTS, title


def test_an_article_over_two_pages_is_read_as_one_document() -> None:
    from parsel import Selector

    from crawler.spiders.state import join_pages

    site = Path(__file__).resolve().parents[2] / "demo/sites/chanhe/zwgk/bmgk/yjglj/ndbg/202401"
    first = (site / "20240122093015.html").read_text("utf-8")
    second = (site / "20240122093015_2.html").read_text("utf-8")
    joined = join_pages((first, second))
    assert joined.lower().count("<body") == 1
    assert len(Selector(text=joined).css("table")) == len(Selector(text=first).css("table")) + len(
        Selector(text=second).css("table")
    )
    last = Selector(text=second).css("table")[-1].xpath("string()").get()
    assert last in Selector(text=joined).css("body").xpath("string()").get()


def test_a_column_filtered_by_a_year_form_and_paged_by_its_last_page_is_walked_whole(
    tmp_path: Path,
) -> None:
    url = "http://www.x.gov.cn/yjj/zfxxgknb/list.jsp?cat=7"
    page = (
        '<html><body><form action="list.jsp" method="get">'
        '<input type="hidden" name="cat" value="7"><select name="year" '
        'onchange="this.form.submit()"><option value="2024">2024年</option>'
        '<option value="2023">2023年</option></select></form>'
        '<div class="pager"><a href="list.jsp?cat=7">首页</a>'
        '<a href="list.jsp?cat=7&amp;page=4">末页</a> 共4页</div></body></html>'
    )
    urls = _followed(tmp_path, url, page, PageState(hops=2, em=True, kind=3))
    base = "http://www.x.gov.cn/yjj/zfxxgknb/list.jsp?cat=7"
    assert urls == {f"{base}&year=2024", f"{base}&year=2023"} | {
        f"{base}&page={n}" for n in (2, 3, 4)
    }
