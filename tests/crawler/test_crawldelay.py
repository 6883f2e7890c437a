"""A site's robots.txt Crawl-delay is honoured: read per user agent, capped, kept per site."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.crawldelay import CrawlDelayMiddleware, crawl_delay, is_robots_url
from crawler.spiders.yingji import YingjiSpider

# As county sites serve them: a group for Baidu, one for everybody, comments, CRLF.
ROBOTS = (
    "# robots.txt for www.x.gov.cn\r\n"
    "User-agent: Baiduspider\r\nCrawl-delay: 1\r\nDisallow: /search/\r\n\r\n"
    "User-agent: *\r\nCrawl-delay: 5\r\nDisallow: /admin/\r\nDisallow: /*.jsp?*print=1\r\n"
)


def test_the_delay_of_the_group_that_applies() -> None:
    assert crawl_delay(ROBOTS, "yingji/0.1 (+collects annual reports)") == 5.0
    assert crawl_delay(ROBOTS, "Baiduspider") == 1.0


def test_no_delay_when_robots_txt_names_none_or_is_not_robots_txt() -> None:
    assert crawl_delay("User-agent: *\nDisallow: /admin/\n", "yingji") is None
    assert crawl_delay("<html><body>404 页面不存在</body></html>", "yingji") is None
    assert crawl_delay("User-agent: *\nCrawl-delay: abc\n", "yingji") is None


def test_only_the_robots_file_is_read() -> None:
    assert is_robots_url("http://www.x.gov.cn/robots.txt")
    assert not is_robots_url("http://www.x.gov.cn/xxgk/robots.txt.html")


def _answer(url: str, body: str) -> TextResponse:
    return TextResponse(url, body=body.encode(), encoding="utf-8", request=Request(url))


def test_the_delay_is_kept_per_site_and_capped() -> None:
    crawler = get_crawler(YingjiSpider, {"YINGJI_MAX_CRAWL_DELAY": 10.0, "USER_AGENT": "yingji"})
    mw = CrawlDelayMiddleware.from_crawler(crawler)
    url = "http://www.x.gov.cn/robots.txt"
    mw.process_response(Request(url), _answer(url, ROBOTS))
    slow = "http://yjj.y.gov.cn/robots.txt"
    mw.process_response(Request(slow), _answer(slow, "User-agent: *\nCrawl-delay: 120\n"))
    plain = "http://www.z.gov.cn/robots.txt"
    mw.process_response(Request(plain), _answer(plain, "User-agent: *\nDisallow:\n"))
    # the site, not the host: yjglj.x.gov.cn shares www.x.gov.cn's slot and delay
    assert mw.delays == {"x.gov.cn": 5.0, "y.gov.cn": 10.0}
