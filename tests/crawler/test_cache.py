"""crawler/cache.py's policy: every cached page is revalidated, and a 304 is told apart from a
cached page served because the server failed (only the first vouches for the page's documents).

Scrapy's own cache middleware and filesystem storage run here on real requests and responses;
the crawls that go through the network are tests/system/test_cache.py and
tests/system/test_recrawl_unchanged.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.cache import REVALIDATED, revalidated

URL = "http://127.0.0.1/art/t1.html"
PAGE = b"<html><body>report</body></html>"
VALIDATORS = {"ETag": '"v1"', "Last-Modified": "Mon, 20 Jan 2020 08:00:00 GMT"}


@pytest.fixture
def cache(tmp_path: Path) -> HttpCacheMiddleware:
    crawler = get_crawler(
        settings_dict={
            "HTTPCACHE_ENABLED": True,
            "HTTPCACHE_DIR": str(tmp_path / "cache"),
            "HTTPCACHE_POLICY": "crawler.cache.RevalidatingPolicy",
        }
    )
    crawler.spider = Spider.from_crawler(crawler, "test")
    mw = HttpCacheMiddleware.from_crawler(crawler)
    mw.spider_opened(crawler.spider)
    first = Request(URL)
    assert mw.process_request(first) is None  # not cached yet: goes out
    mw.process_response(first, HtmlResponse(URL, body=PAGE, headers=VALIDATORS, request=first))
    return mw


def _again(mw: HttpCacheMiddleware, answer: Response) -> tuple[Request, Response]:
    """The page asked for again, and what the spider gets when the server answers ``answer``."""
    request = Request(URL)
    assert mw.process_request(request) is None  # never fresh: the request always goes out
    got = mw.process_response(request, answer.replace(request=request))
    assert isinstance(got, Response)
    return request, got


def test_a_304_gives_the_cached_page_flagged_revalidated(cache: HttpCacheMiddleware) -> None:
    request, page = _again(cache, Response(URL, status=304, headers={"ETag": '"v1"'}))
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert request.headers[b"If-Modified-Since"] == VALIDATORS["Last-Modified"].encode()
    assert page.body == PAGE and revalidated(page) and page.flags.count(REVALIDATED) == 1


def test_a_changed_page_is_not_revalidated(cache: HttpCacheMiddleware) -> None:
    new = HtmlResponse(URL, body=b"<html><body>revised</body></html>", headers={"ETag": '"v2"'})
    _, page = _again(cache, new)
    assert page.body == new.body and not revalidated(page)


def test_a_cached_page_served_for_a_server_error_says_nothing_of_its_documents(
    cache: HttpCacheMiddleware,
) -> None:
    _, page = _again(cache, Response(URL, status=503))
    assert page.body == PAGE  # Scrapy's RFC 2616 fallback: the stale copy
    assert not revalidated(page)
