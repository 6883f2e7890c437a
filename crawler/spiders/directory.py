"""The directory spider: a site directory page and at most a couple of its tab pages, read for
``yingji seeds expand`` (crawler/directory.py decides what their links are).

Why a spider rather than a plain HTTP fetch: the directory is fetched the way every page of a
crawl is, with the project's settings: robots.txt obeyed, the address guard of
crawler/netguard.py on every request and redirect hop (the directory's own host is exempt, as a
seed's is: the operator named it), the download delay, retries and a page-size cap. It follows
only links the page itself presents as more of the directory (a 县区政府 tab, on the same site;
crawler/directorypage.py), at most ``max_tabs`` of them, and nothing from those pages.

It yields no items and runs without the pipelines or the run record (a directory is no crawl of
reports): the pages read are kept on the spider, in the order the directory links them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.directorypage import DirectoryPage, read_page

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

MAX_TABS = 2  # a 县区 tab and a 网站群 page at most: a directory is one or two pages


@dataclass(frozen=True)
class DirectoryFetch:
    pages: tuple[DirectoryPage, ...]  # the directory page first, then its tabs
    failures: tuple[str, ...]  # "URL: reason" of every page that could not be read


def is_html(response: Response) -> bool:
    """An HTML page: Scrapy's HtmlResponse, or text that opens with markup (servers that say
    text/plain); Scrapy reads a PDF as TextResponse, so the class alone does not tell."""
    if isinstance(response, HtmlResponse):
        return True
    return isinstance(response, TextResponse) and response.body.lstrip()[:1] == b"<"


class DirectorySpider(Spider):
    name = "directory"
    custom_settings: dict[str, Any] = {  # noqa: RUF012 (Scrapy's own class attribute)
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {"crawler.runrecord.RunRecord": None},
    }

    def __init__(self, url: str = "", max_tabs: int | str = MAX_TABS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not url:
            raise ValueError("the directory spider needs -a url=URL")
        self.start_urls = [url]  # the address guard exempts the operator's own URL
        self.max_tabs = int(max_tabs)
        self.read: dict[int, DirectoryPage] = {}
        self.failures: list[str] = []

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # a directory is an HTML page: the page cap, not the documents' 50 MB
        settings.set("DOWNLOAD_MAXSIZE", settings.getint("YINGJI_PAGE_MAXSIZE"), "spider")

    async def start(self) -> AsyncIterator[Request]:
        yield self._request(self.start_urls[0], 0)

    def _request(self, url: str, order: int) -> Request:
        return Request(
            url,
            callback=self.parse_directory,
            errback=self.failed,
            cb_kwargs={"order": order},
            dont_filter=order == 0,
        )

    def parse_directory(self, response: Response, order: int) -> Iterator[Request]:
        if not is_html(response):
            raw = response.headers.get("Content-Type") or b""
            ctype = raw.decode("latin-1").split(";")[0].strip() or "no type"
            self.failures.append(f"{response.url}: not an HTML page ({ctype})")
            return
        assert isinstance(response, TextResponse)
        page = read_page(response.url, response.text)
        self.read[order] = page
        if order == 0:
            for i, url in enumerate(page.tabs[: self.max_tabs], start=1):
                yield self._request(url, i)

    def failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else self.start_urls[0]
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
        else:
            reason = failure.getErrorMessage() or type(failure.value).__name__
        self.failures.append(f"{url}: {reason}")

    def result(self) -> DirectoryFetch:
        return DirectoryFetch(tuple(self.read[k] for k in sorted(self.read)), tuple(self.failures))


def fetch_directory(url: str, overrides: dict[str, str] | None = None) -> DirectoryFetch:
    """Run the spider in this process (Scrapy's CrawlerProcess, the project's settings plus
    ``overrides``) and return what it read. Blocks until the crawl is over."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    # the reason of a failure is the command's one line; Scrapy's tracebacks would bury it
    settings.set("LOG_LEVEL", "CRITICAL", priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DirectorySpider)
    process.crawl(crawler, url=url)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, DirectorySpider)
    return spider.result()
