"""The yingji spider: from each seed's start page to the annual reports of its emergency bureau.

Thin on purpose: the decisions are plain functions (crawler.discovery), the CMS layouts are
strategy modules (crawler.strategies), the politeness rules are middlewares. This module only
turns their answers into requests and items and keeps ``self.sites`` up to date.

Usage: ``scrapy crawl yingji [-a seeds=PATH] [-a shard=K/N]``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parsel import Selector
from scrapy import Request, Spider, signals
from scrapy.http import FormRequest, Response, TextResponse
from twisted.python.failure import Failure

from crawler import discovery
from crawler.discovery import ColumnKind
from crawler.items import ReportItem
from crawler.seeds import Seed, SeedError, load_seeds, select_shard
from crawler.sitestate import SiteState
from crawler.spiders.admission import room_for_a_site
from crawler.spiders.fallbacks import FallbackMixin, SearchForm
from crawler.spiders.outcomes import (
    article_item,
    document_item,
    record_block,
    record_failure,
    related_reports,
    site_summary,
    write_sites,
)
from crawler.spiders.pages import NO_PAGES, PagesRead
from crawler.spiders.state import (
    ArticleState,
    FollowupState,
    PageState,
    article_next_page,
    article_title,
    column_state,
    join_pages,
    note_page,
)
from crawler.strategies import (
    KIND_PAGE,
    Entry,
    Followup,
    Listing,
    extract_listing,
    generic,
    parse_followup,
    unreadable_label,
)
from crawler.strategies import article_title as strategy_article_title

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

PRIORITY_ARTICLE = 100  # reports first: a capped or killed crawl keeps what matters
PRIORITY_LIST = 50  # more pages of a list already entered


class YingjiSpider(FallbackMixin, Spider):
    name = "yingji"

    def __init__(self, seeds: str | None = None, shard: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.shard = shard  # kept: the run record and the health check look runs up by shard
        self.seed_list: list[Seed] = select_shard(load_seeds(seeds), shard)
        self.seeds_by_url: dict[str, Seed] = {s.url: s for s in self.seed_list}
        self.documents_seen: set[str] = set()
        self.search_forms: dict[str, SearchForm] = {}
        self.fallbacks_done: set[str] = set()
        self.sites: dict[str, SiteState] = {
            s.url: SiteState(name=s.name, region=s.region, url=s.url) for s in self.seed_list
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> YingjiSpider:
        """Build the spider; a bad seed file or shard ends the command with one line.

        Spider construction runs inside the reactor, where an exception would surface as an
        asyncio traceback; a seed file is user input, so print what is wrong and exit 2.
        """
        try:
            return super().from_crawler(crawler, *args, **kwargs)
        except SeedError as exc:
            print(f"scrapy crawl {cls.name}: error: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(2) from None

    # ------------------------------------------------------------------ start

    async def start(self) -> AsyncIterator[Request]:
        """Each seed's start pages, a seed at a time as the crawl makes room for another site
        (:func:`crawler.spiders.admission.room_for_a_site`)."""
        self.crawler.signals.connect(self.on_idle, signal=signals.spider_idle)
        for seed in self.seed_list:
            await room_for_a_site(self.crawler)
            em = bool(discovery.EM_AGENCY_RE.search(seed.name))
            home = PageState(em=em or discovery.is_bureau_url(seed.url))
            yield self._page(seed.url, seed, home, start=True)
            for column in seed.columns:
                in_em = em or discovery.is_bureau_url(column)
                state = PageState(hops=1, kind=int(ColumnKind.REPORTS), em=in_em)
                yield self._page(column, seed, state, start=True)

    # ------------------------------------------------------------------ request builders

    def _page(
        self, url: str, seed: Seed, state: PageState, *, start: bool = False, priority: int = 0
    ) -> Request:
        return Request(
            discovery.canonical_url(url),
            callback=self.parse_page,
            errback=self.on_error,
            priority=priority,
            cb_kwargs={"state": state.at(url)},
            meta={
                "seed_url": seed.url,
                "start": start,
                "download_maxsize": self.settings.getint("YINGJI_PAGE_MAXSIZE"),
            },
        )

    def _followup(self, f: Followup, seed: Seed, page: PageState) -> Request:
        if f.kind == KIND_PAGE:
            return self._page(f.url, seed, page, priority=PRIORITY_LIST)
        state = FollowupState(f.kind, replace(page, source_url=None), (*f.formdata, *f.state))
        meta = {
            "seed_url": seed.url,
            "download_maxsize": self.settings.getint("YINGJI_PAGE_MAXSIZE"),
        }
        common: dict[str, Any] = {
            "callback": self.parse_followup,
            "errback": self.on_error,
            "priority": PRIORITY_LIST,
            "cb_kwargs": {"state": state},
            "meta": meta,
        }
        if f.method == "POST":
            return FormRequest(f.url, formdata=dict(f.formdata), **common)
        return Request(f.url, **common)

    # ------------------------------------------------------------------ callbacks

    def _site(self, response: Response) -> tuple[Seed, SiteState]:
        seed_url = response.meta["seed_url"]
        return self.seeds_by_url[seed_url], self.sites[seed_url]

    def _blocked(self, response: Response, site: SiteState) -> bool:
        reason = record_block(response, site)
        if reason:
            self.logger.warning("%s: %s at %s", site.name, reason, response.url)
        return reason is not None

    def parse_page(
        self, response: Response, state: PageState | None = None
    ) -> Iterator[Request | ReportItem]:
        """A home, hub, column or list page: report entries become requests, columns are
        followed within the hop budget, list pages of any family are walked."""
        state = state or PageState()
        seed, site = self._site(response)
        note_page(site, state, response.url)
        if not isinstance(response, TextResponse):
            return
        if self._blocked(response, site):
            return
        redirect = discovery.script_redirect(response.text)
        if redirect:
            start = bool(response.meta.get("start"))
            yield self._page(response.urljoin(redirect), seed, state, start=start)
            return
        redirected = bool(response.meta.get("redirect_urls"))
        source = discovery.link_base(state.source_url, response.url, response.text, redirected)
        listing = extract_listing(source, response.text, seed.family)
        self.note_search_form(seed.url, source, response.text)
        if state.kind >= ColumnKind.BUREAU and not any(
            discovery.classify_title(e.title, em_context=True) for e in listing.entries
        ):
            # a column whose index page IS the report (六盘水 …/zfxxgknb/2024n/, a city
            # collection with one column per bureau)
            item = self._article_item(response, seed, site, ArticleState(em=state.em, title=""))
            if item is not None:
                yield item
                return
        yield from self._walk(listing, response, seed, site, state)

    def parse_followup(
        self, response: Response, state: FollowupState
    ) -> Iterator[Request | ReportItem]:
        """A family's follow-up answer (XML records, a JSON page), read by its strategy."""
        seed, site = self._site(response)
        site.pages_fetched += 1
        text = response.text if isinstance(response, TextResponse) else ""
        try:
            listing = parse_followup(state.kind, response.url, text, dict(state.formdata))
        except ValueError as exc:
            if not self._blocked(response, site):
                label = unreadable_label(state.kind)
                site.note_error(f"{label} unreadable at {response.url}: {exc}")
            return
        if not (listing.entries or listing.followups) and self._blocked(response, site):
            return
        yield from self._walk(listing, response, seed, site, state.page, follow_columns=False)

    def _walk(
        self,
        listing: Listing,
        response: Response,
        seed: Seed,
        site: SiteState,
        page: PageState,
        follow_columns: bool = True,
    ) -> Iterator[Request | ReportItem]:
        max_hops = self.settings.getint("YINGJI_MAX_HOPS")
        for entry in listing.entries:
            if discovery.is_skippable_url(entry.url):
                continue
            in_em = page.em or discovery.is_bureau_url(entry.url)
            verdict = discovery.classify_title(entry.title, em_context=in_em)
            if verdict is not None:
                if not verdict.graphic:
                    yield from self._report(entry, seed, site, in_em)
                continue
            if not follow_columns:
                continue
            column = column_state(entry, page, response.url, max_hops)
            if column is not None:
                priority = column.kind * 10 - page.hops
                yield self._page(entry.url, seed, column, priority=priority)
        for f in listing.followups:
            yield self._followup(f, seed, page)

    def _report(
        self, entry: Entry, seed: Seed, site: SiteState, em: bool
    ) -> Iterator[Request | ReportItem]:
        entry = replace(entry, url=discovery.unwrap_document_url(entry.url))  # viewer?file=
        if discovery.is_document_url(entry.url):
            # a list linking the document itself: the download pipeline fetches it (once:
            # several lists may link the same file)
            key = discovery.canonical_url(entry.url)
            if key in self.documents_seen:
                return
            self.documents_seen.add(key)
            site.items_yielded += 1
            yield document_item(seed, entry.url, entry.title, entry.published)
            return
        # no page-size cap here: a report link may serve a large scanned PDF after all; the
        # global DOWNLOAD_MAXSIZE still bounds it
        yield Request(
            discovery.canonical_url(entry.url),
            callback=self.parse_article,
            errback=self.on_error,
            priority=PRIORITY_ARTICLE,
            cb_kwargs={"state": ArticleState(em=em, title=entry.title, published=entry.published)},
            meta={"seed_url": seed.url},
        )

    def parse_article(
        self, response: Response, state: ArticleState | None = None, read: PagesRead = NO_PAGES
    ) -> Iterator[Request | ReportItem]:
        """A report article: one item with its HTML, its pages and its document links."""
        state = state or ArticleState()
        seed, site = self._site(response)
        site.pages_fetched += 1
        if not isinstance(response, TextResponse):
            # the "article" is a document after all (a link without extension)
            site.items_yielded += 1
            yield document_item(seed, response.url, state.title, state.published)
            return
        if self._blocked(response, site):
            return
        next_page = article_next_page(response, state)
        if next_page is not None:  # an article over several pages: one item once all are read
            first = replace(
                state,
                parts=(*state.parts, response.text),
                first_url=state.first_url or response.url,
            )
            yield Request(
                next_page,
                callback=self.parse_article,
                errback=self.on_error,
                priority=PRIORITY_ARTICLE,
                cb_kwargs={"state": first, "read": read.add(response)},
                meta={"seed_url": seed.url},
            )
            return
        item = self._article_item(response, seed, site, state)
        if item is not None:
            yield read.add(response).onto(item)  # its pages, and whether all were a 304
        for entry in related_reports(response.url, response.text, state.em):
            yield from self._report(entry, seed, site, state.em)

    def _article_item(
        self, response: TextResponse, seed: Seed, site: SiteState, state: ArticleState
    ) -> ReportItem | None:
        """The item of a report page, titled by the better of the list's and the page's title
        (:func:`crawler.spiders.state.article_title`)."""
        own = strategy_article_title(Selector(text=response.text))
        joined = join_pages((*state.parts, response.text)) if state.parts else None
        sel = Selector(text=joined or response.text)
        chosen = article_title(state.title, own, state.em)
        if chosen is None:
            self.logger.debug("not a report after all: %s (%s)", response.url, own)
            return None
        title, verdict = chosen
        site.years.add(verdict.year)
        site.items_yielded += 1
        whole = (joined.encode(), "utf-8") if joined else (response.body, response.encoding)
        published = state.published or generic.article_date(sel)
        attachments = generic.attachments(response.url, sel)
        return article_item(
            seed, state.first_url or response.url, title, published, *whole, attachments
        )

    def closed(self, reason: str) -> None:
        """One log line per site; with YINGJI_SITES_FILE, the states as JSON for other processes."""
        for state in self.sites.values():
            self.logger.info("%s", site_summary(state))
        if path := self.settings.get("YINGJI_SITES_FILE"):
            write_sites(Path(path), self.sites)

    def on_error(self, failure: Failure) -> None:
        """Record why a request failed (:func:`crawler.spiders.outcomes.record_failure`)."""
        request = failure.request  # type: ignore[attr-defined]
        seed_url = request.meta.get("seed_url")
        site = self.sites.get(seed_url) if seed_url else None
        if site is not None:
            message = record_failure(failure, site)
            if message:
                self.logger.info("%s: %s", site.name, message)
