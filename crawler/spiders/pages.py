"""The pages of an article read so far, carried from one page's request to the next.

An article split over several pages (``…_2.html``, 下一页) becomes one item once its last page
is read: its body is the pages joined (crawler/spiders/state.py ``join_pages``), and the pages
after the first travel with it as received (``ReportItem.pages``, kept as raw documents).
The item is ``revalidated`` only when every page was a 304 (crawler/cache.py): one page that
changed makes the whole report changed, so its documents are fetched again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scrapy.http import TextResponse

from crawler.cache import revalidated
from crawler.items import ArticlePage, ReportItem


@dataclass(frozen=True)
class PagesRead:
    """Pages of one article as received, in order, and whether all were revalidated."""

    pages: tuple[ArticlePage, ...] = ()
    revalidated: bool = True

    def add(self, response: TextResponse) -> PagesRead:
        page = ArticlePage(response.url, response.body, response.encoding)
        return PagesRead((*self.pages, page), self.revalidated and revalidated(response))

    def onto(self, item: ReportItem) -> ReportItem:
        """``item`` with the pages after the first and the article's revalidation."""
        return replace(item, pages=self.pages[1:], revalidated=self.revalidated)


#: an article whose first page is being read
NO_PAGES = PagesRead()
