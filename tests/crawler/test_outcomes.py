"""Never silent: every way a fetch ends without a page names its cause on the site.

The failures are the real ones: Scrapy's redirect and decompression middlewares are run on a
redirect loop and a gzip bomb, and the download handler's exception types are raised and caught
as the engine hands them to an errback.
"""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import (
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from crawler.middlewares import SiteRuleDrop
from crawler.netguard import RefusedAddress
from crawler.sitestate import STATUS_NONE_FOUND, STATUS_UNREACHABLE, SiteState
from crawler.spiders.outcomes import record_failure, site_summary

START = "http://127.0.0.1:8000/"


def _site() -> SiteState:
    return SiteState(name="测试市应急管理局", region="测试", url=START)


def _start(url: str = START) -> Request:
    return Request(url, meta={"seed_url": START, "start": True})


def _failure(exc: BaseException, request: Request) -> Failure:
    """The failure as an errback gets it: raised, caught, with its request attached."""
    try:
        raise exc
    except BaseException:
        failure = Failure()
    failure.request = request  # type: ignore[attr-defined]
    return failure


def _redirect_loop() -> tuple[BaseException, Request]:
    """Scrapy's RedirectMiddleware on a page that keeps redirecting to itself."""
    crawler = get_crawler(settings_dict={"REDIRECT_MAX_TIMES": 2})
    mw = RedirectMiddleware.from_crawler(crawler)
    request = _start()
    for _ in range(5):
        response = Response(request.url, status=302, headers={"Location": START})
        try:
            result = mw.process_response(request, response)
        except IgnoreRequest as exc:
            return exc, request
        assert isinstance(result, Request)
        request = result
    raise AssertionError("the redirect loop was never stopped")


def _gzip_bomb() -> tuple[BaseException, Request]:
    """Scrapy's HttpCompressionMiddleware on 200 KB of zeros gzipped to a few hundred bytes."""
    crawler = get_crawler(settings_dict={"DOWNLOAD_MAXSIZE": 10_000})
    mw = HttpCompressionMiddleware.from_crawler(crawler)
    request = _start()
    body = gzip.compress(b"\0" * 200_000)
    response = HtmlResponse(START, body=body, headers={"Content-Encoding": "gzip"})
    with pytest.raises(IgnoreRequest) as caught:
        mw.process_response(request, response)
    return caught.value, request


def test_a_start_page_in_a_redirect_loop_leaves_the_site_unreachable_with_the_cause() -> None:
    exc, request = _redirect_loop()
    site = _site()
    message = record_failure(_failure(exc, request), site)
    assert site.status == STATUS_UNREACHABLE
    assert site.last_error == message
    assert "redirect loop" in site.last_error and START in site.last_error


def test_a_gzip_bomb_start_page_leaves_the_site_unreachable_naming_the_bomb() -> None:
    exc, request = _gzip_bomb()
    site = _site()
    record_failure(_failure(exc, request), site)
    assert site.status == STATUS_UNREACHABLE
    assert site.last_error is not None and "decompression bomb" in site.last_error


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (DownloadTimeoutError("Getting x took longer than 1 seconds."), "timed out"),
        (CancelledError(), "over the size cap"),  # the handler cancels past DOWNLOAD_MAXSIZE
        (ResponseDataLossError(), "data loss"),
        (DownloadConnectionRefusedError("Connection was refused"), "connection refused"),
        (ResponseNeverReceived([Failure(ConnectionLost("reset"))]), "connection lost or reset"),
    ],
)
def test_every_download_failure_of_a_start_page_names_its_cause(
    exc: BaseException, cause: str
) -> None:
    site = _site()
    message = record_failure(_failure(exc, _start()), site)
    assert site.status == STATUS_UNREACHABLE
    assert message is not None and message.startswith(cause)
    assert site.last_error == message


def test_a_refused_address_is_noted_without_a_second_log_line() -> None:
    site = _site()
    exc = RefusedAddress("refused address 10.0.0.1 (private)", "private")
    assert record_failure(_failure(exc, _start("http://10.0.0.1/")), site) is None
    assert site.status == STATUS_UNREACHABLE
    assert site.last_error is not None and "10.0.0.1" in site.last_error


def test_a_failure_after_pages_were_read_is_noted_but_the_site_was_reached() -> None:
    site = _site()
    site.pages_fetched = 3
    exc, request = _gzip_bomb()
    record_failure(_failure(exc, request), site)
    assert site.status == STATUS_NONE_FOUND
    assert site.last_error is not None and "decompression bomb" in site.last_error


def test_the_sites_own_caps_note_nothing() -> None:
    site = _site()
    later = Request(START + "list_7.html", meta={"seed_url": START})
    assert record_failure(_failure(SiteRuleDrop("page cap (400) reached"), later), site) is None
    assert site.last_error is None and site.status == STATUS_NONE_FOUND


def test_a_robots_denied_start_page_stays_robots_denied() -> None:
    site = _site()
    record_failure(_failure(IgnoreRequest("Forbidden by robots.txt"), _start()), site)
    assert site.robots_denied and site.status == "robots denied"


def test_the_closing_line_of_a_site_with_none_found_says_what_was_tried() -> None:
    site = SiteState("某区人民政府", "测试", "http://x.gov.cn/")
    site.enter_column("http://x.gov.cn/ndbg/")
    site.fallback("sitemap")
    site.refuse("off-site")
    site.note_error("HTTP 404 at http://x.gov.cn/old/")
    line = site_summary(site)
    assert line.startswith("site 某区人民政府: none found (pages 0, reports 0) - tried 1 column")
    assert "sitemap" in line and "refused 1: off-site 1" in line and "HTTP 404" in line
