"""crawler/spiders/pages.py: the pages of an article carried to its last page, and whether the
server confirmed every one of them unchanged."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from crawler.cache import REVALIDATED
from crawler.items import ArticlePage, ReportItem
from crawler.spiders.pages import NO_PAGES

BASE = "http://127.0.0.1/art/t1"
GBK = "<html><body><p>三、收到和处理政府信息公开申请情况</p></body></html>".encode("gbk")


def _page(n: int, *, body: bytes = b"<html><body>x</body></html>", unchanged: bool) -> HtmlResponse:
    url = f"{BASE}.html" if n == 1 else f"{BASE}_{n}.html"
    flags = ["cached", REVALIDATED] if unchanged else []
    return HtmlResponse(url, body=body, encoding="gbk", flags=flags)


def _item() -> ReportItem:
    return ReportItem(
        "某区人民政府", "河南省洛阳市孟津区", "http://127.0.0.1/", f"{BASE}.html", "年报"
    )


def test_the_pages_after_the_first_travel_with_the_item_as_received() -> None:
    read = NO_PAGES.add(_page(1, unchanged=True)).add(_page(2, body=GBK, unchanged=True))
    item = read.onto(_item())
    assert item.pages == (ArticlePage(f"{BASE}_2.html", GBK, "gbk"),)
    assert item.revalidated


def test_one_changed_page_makes_the_article_changed() -> None:
    for changed in (1, 2, 3):
        read = NO_PAGES
        for n in (1, 2, 3):
            read = read.add(_page(n, unchanged=n != changed))
        assert not read.onto(_item()).revalidated, changed


def test_a_page_from_the_cache_after_a_server_error_is_not_unchanged() -> None:
    stale = HtmlResponse(f"{BASE}.html", body=b"<html></html>", flags=["cached"])
    item = NO_PAGES.add(stale).onto(_item())
    assert item.pages == () and not item.revalidated
