"""Staying on the seed's site, and one request for URLs that differ only in tracking."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from crawler.fingerprint import CanonicalRequestFingerprinter
from crawler.middlewares import (
    RedirectLoopMiddleware,
    SiteGuardMiddleware,
    same_site,
    site_key,
)
from crawler.spiders.yingji import YingjiSpider


def _project_settings() -> dict[str, object]:
    """yingji's own settings as the project declares them (crawler/settings.py): components
    read them without restating defaults."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return {k: v for k, v in settings.copy_to_dict().items() if k.startswith("YINGJI_")}


def test_a_site_is_its_registrable_domain_with_subdomains() -> None:
    assert site_key("http://www.wuhai.gov.cn/") == "wuhai.gov.cn"
    assert same_site("http://yjglj.wuhai.gov.cn/ajj/", "http://www.wuhai.gov.cn/")
    assert same_site("http://yingji.jiading.cn/publicity/", "http://www.jiading.cn/")
    assert not same_site("http://www.156152.com/copy.html", "http://www.mengjin.gov.cn/")
    assert not same_site("http://www.luoyang.gov.cn/", "http://www.mengjin.gov.cn/")


def test_bare_ip_sites_are_one_host() -> None:
    assert same_site("http://180.76.149.248:88/book/", "http://180.76.149.248:88/")
    assert not same_site("http://127.0.0.10:8000/", "http://127.0.0.2:8000/")


def test_tracking_parameters_share_a_fingerprint() -> None:
    fp = CanonicalRequestFingerprinter()
    base = "http://x.gov.cn/a/t20240125_1.html"
    assert fp.fingerprint(Request(base)) == fp.fingerprint(
        Request(base + "?utm_source=wechat&spm=a.b&_t=1706150000000")
    )
    assert fp.fingerprint(Request(base)) != fp.fingerprint(Request(base + "?id=2"))
    post = Request(base, method="POST", body=b"startrecord=1")
    assert fp.fingerprint(post) != fp.fingerprint(
        Request(base, method="POST", body=b"startrecord=46")
    )


def _guarded(tmp_path: Path, **settings: object) -> tuple[SiteGuardMiddleware, YingjiSpider]:
    seeds = tmp_path / "seeds.csv"
    seeds.write_text(
        "name,region,url\n孟津区人民政府,河南省洛阳市孟津区,http://www.mengjin.gov.cn/\n", "utf-8"
    )
    crawler = get_crawler(
        YingjiSpider, {**_project_settings(), "YINGJI_MAX_PAGES_PER_SITE": 5, **settings}
    )
    crawler.spider = crawler._create_spider(seeds=str(seeds))
    return SiteGuardMiddleware.from_crawler(crawler), crawler.spider


def _request(url: str) -> Request:
    return Request(url, meta={"seed_url": "http://www.mengjin.gov.cn/"})


def test_the_guard_drops_off_site_requests_and_shares_one_slot_per_site(tmp_path: Path) -> None:
    guard, _ = _guarded(tmp_path)
    sub = _request("http://yjglj.mengjin.gov.cn/ndbg/")
    assert guard.process_request(sub) is None
    assert sub.meta["download_slot"] == "site:mengjin.gov.cn"
    with pytest.raises(IgnoreRequest, match="off-site"):
        guard.process_request(_request("http://www.156152.com/mengjin/copy.html"))
    assert guard.process_request(Request("http://www.mengjin.gov.cn/robots.txt")) is None
    assert guard.crawler.spider.sites["http://www.mengjin.gov.cn/"].refused == {"off-site": 1}


def test_a_start_page_redirected_to_a_new_domain_takes_the_domain_along(tmp_path: Path) -> None:
    guard, spider = _guarded(tmp_path)
    moved = _request("https://www.lymj.gov.cn/")
    moved.meta.update(start=True, redirect_urls=["http://www.mengjin.gov.cn/"], redirect_times=1)
    assert guard.process_request(moved) is None
    assert guard.process_request(_request("https://xxgk.lymj.gov.cn/ndbg/")) is None
    assert spider.sites["http://www.mengjin.gov.cn/"].domains == {"lymj.gov.cn"}
    with pytest.raises(IgnoreRequest, match="off-site"):
        guard.process_request(_request("http://www.156152.com/"))


def test_the_guard_caps_pages_per_site_and_per_url_template(tmp_path: Path) -> None:
    guard, spider = _guarded(tmp_path, YINGJI_MAX_PER_TEMPLATE=3)
    for day in (1, 2, 3):
        guard.process_request(_request(f"http://www.mengjin.gov.cn/rl?date=2024-01-0{day}"))
    with pytest.raises(IgnoreRequest, match="template cap"):
        guard.process_request(_request("http://www.mengjin.gov.cn/rl?date=2024-01-04"))
    guard.process_request(_request("http://www.mengjin.gov.cn/a/"))
    guard.process_request(_request("http://www.mengjin.gov.cn/b/"))
    with pytest.raises(IgnoreRequest, match="page cap"):
        guard.process_request(_request("http://www.mengjin.gov.cn/c/"))
    state = spider.sites["http://www.mengjin.gov.cn/"]
    assert state.capped and state.requests_dropped == 2
    assert state.refused == {"URL template cap": 1, "page cap": 1}  # the run record's reasons


def test_a_blocked_site_gets_no_more_requests(tmp_path: Path) -> None:
    guard, spider = _guarded(tmp_path)
    spider.sites["http://www.mengjin.gov.cn/"].blocked = True
    with pytest.raises(IgnoreRequest, match="blocked"):
        guard.process_request(_request("http://www.mengjin.gov.cn/a/"))
    assert spider.sites["http://www.mengjin.gov.cn/"].refused == {"site blocked": 1}


def test_a_redirect_back_into_its_own_chain_is_stopped_as_a_loop() -> None:
    mw = RedirectLoopMiddleware.from_crawler(get_crawler())
    first = Request("http://x.gov.cn/", meta={"start": True})
    hop = first.replace(url="http://x.gov.cn/a", meta={**first.meta, "redirect_urls": [first.url]})
    onward = Response(hop.url, status=302, headers={"Location": "/b"})
    assert mw.process_response(hop, onward) is onward  # a chain going on is RedirectMiddleware's
    back = Response(hop.url, status=302, headers={"Location": "/"})
    with pytest.raises(IgnoreRequest, match=r"redirect loop: http://x.gov.cn/ -> .*/a -> "):
        mw.process_response(hop, back)


def test_a_prompt_meta_refresh_to_itself_is_a_loop_a_slow_one_is_a_page() -> None:
    mw = RedirectLoopMiddleware.from_crawler(get_crawler())
    request = Request("http://x.gov.cn/", meta={"start": True})

    def refresh(delay: int) -> HtmlResponse:
        html = f'<html><head><meta http-equiv="refresh" content="{delay};url=/"></head></html>'
        return HtmlResponse(request.url, body=html.encode(), encoding="utf-8")

    with pytest.raises(IgnoreRequest, match="redirect loop"):
        mw.process_response(request, refresh(0))
    slow = refresh(600)  # past METAREFRESH_MAXDELAY: Scrapy reads it as a page, so do we
    assert mw.process_response(request, slow) is slow
