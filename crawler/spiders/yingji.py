"""The yingji spider: from each seed's start page to the annual reports of its emergency bureau.

Thin on purpose: the decisions are plain functions (crawler.discovery), the CMS layouts are
strategy modules (crawler.strategies), the politeness rules are middlewares. This module only
turns their answers into requests and items and keeps ``self.sites`` up to date.

Usage: ``scrapy crawl yingji [-a seeds=PATH] [-a shard=K/N]``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from parsel import Selector
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import FormRequest, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import discovery
from crawler.discovery import ColumnKind
from crawler.items import ReportItem
from crawler.netguard import RefusedAddress
from crawler.seeds import Seed, SeedError, load_seeds, select_shard
from crawler.sitestate import SiteState
from crawler.strategies import (
    KIND_HANWEB_PROXY,
    KIND_PAGE,
    Entry,
    Followup,
    Listing,
    extract_listing,
    generic,
    gkmlpt,
    hanweb,
    ucap,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

PAGE_MAXSIZE = 5 * 1024 * 1024  # default of YINGJI_PAGE_MAXSIZE: never 0 (= no cap)

#: Statuses that only anti-bot services send (加速乐 521/412 challenges, 567 …).
BLOCK_STATUSES = frozenset({412, 521, 567})

PRIORITY_ARTICLE = 100  # reports first: a capped or killed crawl keeps what matters
PRIORITY_LIST = 50  # more pages of a list already entered


class YingjiSpider(Spider):
    name = "yingji"

    def __init__(self, seeds: str | None = None, shard: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.shard = shard  # kept: the run record and the health check look runs up by shard
        self.seed_list: list[Seed] = select_shard(load_seeds(seeds), shard)
        self.seeds_by_url: dict[str, Seed] = {s.url: s for s in self.seed_list}
        self.documents_seen: set[str] = set()
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
        for seed in self.seed_list:
            em = bool(discovery.EM_AGENCY_RE.search(seed.name))
            yield self._page(
                seed.url,
                seed,
                hops=0,
                em=em or discovery.is_bureau_url(seed.url),
                kind=0,
                start=True,
            )
            for column in seed.columns:
                yield self._page(
                    column,
                    seed,
                    hops=1,
                    kind=int(ColumnKind.REPORTS),
                    start=True,
                    em=em or discovery.is_bureau_url(column),
                )

    # ------------------------------------------------------------------ request builders

    def _meta(self, seed: Seed, **extra: Any) -> dict[str, Any]:
        return {"seed_url": seed.url, **extra}

    def _page(
        self,
        url: str,
        seed: Seed,
        *,
        hops: int,
        em: bool,
        kind: int,
        start: bool = False,
        priority: int = 0,
    ) -> Request:
        maxsize = self.settings.getint("YINGJI_PAGE_MAXSIZE", PAGE_MAXSIZE)
        return Request(
            discovery.canonical_url(url),
            callback=self.parse_page,
            errback=self.on_error,
            priority=priority,
            meta=self._meta(
                seed,
                hops=hops,
                em=em,
                kind=kind,
                start=start,
                source_url=url,
                download_maxsize=maxsize,
            ),
        )

    def _followup(self, f: Followup, seed: Seed, meta: dict[str, Any]) -> Request:
        common = self._meta(
            seed,
            hops=meta["hops"],
            em=meta["em"],
            kind=meta["kind"],
            download_maxsize=self.settings.getint("YINGJI_PAGE_MAXSIZE", PAGE_MAXSIZE),
        )
        if f.kind == KIND_PAGE:
            return self._page(
                f.url,
                seed,
                hops=meta["hops"],
                em=meta["em"],
                kind=meta["kind"],
                priority=PRIORITY_LIST,
            )
        callback = self.parse_hanweb_proxy if f.kind == KIND_HANWEB_PROXY else self.parse_gkmlpt
        if f.method == "POST":
            return FormRequest(
                f.url,
                formdata=dict(f.formdata),
                callback=callback,
                errback=self.on_error,
                priority=PRIORITY_LIST,
                meta={**common, "formdata": dict(f.formdata)},
            )
        return Request(
            f.url, callback=callback, errback=self.on_error, priority=PRIORITY_LIST, meta=common
        )

    # ------------------------------------------------------------------ callbacks

    def _site(self, response: Response) -> tuple[Seed, SiteState]:
        seed_url = response.meta["seed_url"]
        return self.seeds_by_url[seed_url], self.sites[seed_url]

    def _blocked(self, response: Response, site: SiteState) -> bool:
        if isinstance(response, TextResponse):
            reason = discovery.block_reason(response.text)
            if reason:
                site.blocked = True
                site.note_error(f"{reason} at {response.url}")
                self.logger.warning("%s: %s at %s", site.name, reason, response.url)
                return True
        return False

    def parse_page(self, response: Response) -> Iterator[Request | ReportItem]:
        """A home, hub, column or list page: report entries become requests, columns are
        followed within the hop budget, list pages of any family are walked."""
        seed, site = self._site(response)
        site.pages_fetched += 1
        if not isinstance(response, TextResponse):
            return
        if self._blocked(response, site):
            return
        meta = response.meta
        redirect = discovery.script_redirect(response.text)
        if redirect:
            yield self._page(
                response.urljoin(redirect),
                seed,
                hops=meta.get("hops", 0),
                em=meta.get("em", False),
                kind=meta.get("kind", 0),
                start=meta.get("start", False),
            )
            return
        source = meta.get("source_url") or response.url
        listing = extract_listing(source, response.text, seed.family)
        if meta.get("kind", 0) >= ColumnKind.BUREAU and not any(
            discovery.classify_title(e.title, em_context=True) for e in listing.entries
        ):
            # a column whose index page IS the report (六盘水 …/zfxxgknb/2024n/, a city
            # collection with one column per bureau)
            item = self._article_item(response, seed, site, "", meta.get("em", False))
            if item is not None:
                yield item
                return
        yield from self._walk(listing, response, seed, site)

    def parse_hanweb_proxy(self, response: Response) -> Iterator[Request | ReportItem]:
        seed, site = self._site(response)
        site.pages_fetched += 1
        if self._blocked(response, site):
            return
        listing = hanweb.extract_proxy(
            response.url, response.text, response.meta.get("formdata", {})
        )
        yield from self._walk(listing, response, seed, site, follow_columns=False)

    def parse_gkmlpt(self, response: Response) -> Iterator[Request | ReportItem]:
        seed, site = self._site(response)
        site.pages_fetched += 1
        try:
            listing = gkmlpt.extract_api(response.url, response.text)
        except ValueError as exc:
            if not self._blocked(response, site):
                site.note_error(f"gkmlpt API answer unreadable at {response.url}: {exc}")
            return
        yield from self._walk(listing, response, seed, site, follow_columns=False)

    def _walk(
        self,
        listing: Listing,
        response: Response,
        seed: Seed,
        site: SiteState,
        follow_columns: bool = True,
    ) -> Iterator[Request | ReportItem]:
        meta = response.meta
        hops, em, kind = meta.get("hops", 0), meta.get("em", False), meta.get("kind", 0)
        max_hops = self.settings.getint("YINGJI_MAX_HOPS", 6)
        for entry in listing.entries:
            if discovery.is_skippable_url(entry.url):
                continue
            in_em = em or discovery.is_bureau_url(entry.url)
            verdict = discovery.classify_title(entry.title, em_context=in_em)
            if verdict is not None:
                if not verdict.graphic:
                    yield from self._report(entry, seed, site, in_em)
                continue
            if not follow_columns or hops + 1 > max_hops:
                continue
            col = discovery.column_kind(entry.title, entry.url)
            # inside a report column only sub-columns (per-year, per-bureau) lead further
            if col is None or (kind == ColumnKind.REPORTS and col < ColumnKind.BUREAU):
                continue
            # the bureau's context carries into its sub-columns, not into the portal's own
            # navigation (a 政府信息公开年报 link in the page header leads out of the section)
            inherits = discovery.is_under(entry.url, response.url) or (
                col >= ColumnKind.BUREAU and not entry.in_nav
            )
            col_em = (
                (em and inherits)
                or col == ColumnKind.BUREAU
                or discovery.is_bureau_url(entry.url)
                or (col == ColumnKind.REPORTS and bool(discovery.EM_AGENCY_RE.search(entry.title)))
            )
            yield self._page(
                entry.url,
                seed,
                hops=hops + 1,
                em=col_em,
                kind=int(col),
                priority=int(col) * 10 - hops,
            )
        for f in listing.followups:
            yield self._followup(f, seed, meta)

    def _report(
        self, entry: Entry, seed: Seed, site: SiteState, em: bool
    ) -> Iterator[Request | ReportItem]:
        if discovery.is_document_url(entry.url):
            # a list linking the document itself: the download pipeline fetches it (once:
            # several lists may link the same file)
            key = discovery.canonical_url(entry.url)
            if key in self.documents_seen:
                return
            self.documents_seen.add(key)
            site.items_yielded += 1
            yield ReportItem(
                site_name=seed.name,
                region=seed.region,
                site_url=seed.url,
                url=entry.url,
                title=entry.title,
                published=entry.published,
            )
            return
        # no page-size cap here: a report link may serve a large scanned PDF after all; the
        # global DOWNLOAD_MAXSIZE still bounds it
        yield Request(
            discovery.canonical_url(entry.url),
            callback=self.parse_article,
            errback=self.on_error,
            priority=PRIORITY_ARTICLE,
            meta=self._meta(
                seed,
                em=em,
                title=entry.title,
                published=entry.published,
            ),
        )

    def parse_article(self, response: Response) -> Iterator[Request | ReportItem]:
        """A report article: one item with its HTML and the document links it carries."""
        seed, site = self._site(response)
        site.pages_fetched += 1
        listed = response.meta.get("title") or ""
        if not isinstance(response, TextResponse):
            # the "article" is a document after all (a link without extension)
            site.items_yielded += 1
            yield ReportItem(
                site_name=seed.name,
                region=seed.region,
                site_url=seed.url,
                url=response.url,
                title=listed,
                published=response.meta.get("published"),
            )
            return
        if self._blocked(response, site):
            return
        em = response.meta.get("em", True)
        item = self._article_item(response, seed, site, listed, em)
        if item is not None:
            yield item
        # 上一篇/下一篇 and 相关链接 often lead to other years' reports of the same bureau
        # (its own document links are the item's attachments, not other reports)
        for entry in generic.links(response.url, Selector(text=response.text)):
            if discovery.is_document_url(entry.url) or discovery.is_skippable_url(entry.url):
                continue
            verdict = discovery.classify_title(entry.title, em_context=em)
            if verdict and not verdict.graphic:
                yield from self._report(entry, seed, site, em)

    def _article_item(
        self, response: TextResponse, seed: Seed, site: SiteState, listed: str, em: bool
    ) -> ReportItem | None:
        """The item of a report page, titled by the better of the list's and the page's title.

        Lists cut long titles short ("…年度报…"); the page's own title wins when it names the
        same year. A title cut so short that only the page can confirm it is dropped when the
        page's title is not a report after all.
        """
        sel = Selector(text=response.text)
        own = ucap.article_title(sel) or generic.article_title(sel)
        own_verdict = discovery.classify_title(own, em_context=em) if own else None
        listed_verdict = discovery.classify_title(listed, em_context=em) if listed else None
        title = listed
        if (
            own
            and own_verdict
            and (
                listed_verdict is None
                or discovery.is_truncated(listed)
                or (own_verdict.year == listed_verdict.year and len(own) > len(listed))
            )
        ):
            title = own
        verdict = own_verdict if title == own else listed_verdict
        if verdict is None or (discovery.is_truncated(listed) and own_verdict is None):
            self.logger.debug("not a report after all: %s (%s)", response.url, own)
            return None
        site.years.add(verdict.year)
        site.items_yielded += 1
        return ReportItem(
            site_name=seed.name,
            region=seed.region,
            site_url=seed.url,
            url=response.url,
            title=title,
            published=response.meta.get("published") or generic.article_date(sel),
            body=response.body,
            body_encoding=response.encoding,
            attachments=generic.attachments(response.url, sel),
        )

    def closed(self, reason: str) -> None:
        """Log one line per site and, with YINGJI_SITES_FILE, write the states as JSON (read by
        tests and scripts that run the crawl in another process)."""
        for state in self.sites.values():
            self.logger.info(
                "site %s: %s (pages %d, reports %d)%s",
                state.name,
                state.status,
                state.pages_fetched,
                state.items_yielded,
                f" - {state.last_error}" if state.last_error and not state.items_yielded else "",
            )
        path = self.settings.get("YINGJI_SITES_FILE")
        if path:
            data = {url: state.to_dict() for url, state in self.sites.items()}
            Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")

    # ------------------------------------------------------------------ errors

    def on_error(self, failure: Failure) -> None:
        """Record why a request failed; a failed start page makes the site unreachable."""
        request = failure.request  # type: ignore[attr-defined]
        seed_url = request.meta.get("seed_url")
        site = self.sites.get(seed_url) if seed_url else None
        if site is None:
            return
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            message = str(failure.value)
            if "robots.txt" in message:
                if request.meta.get("start"):
                    site.robots_denied = True
                site.note_error(f"robots.txt forbids {request.url}")
            if failure.check(RefusedAddress):  # crawler/netguard.py: SSRF guard
                site.note_error(f"{message} at {request.url}")
                if request.meta.get("start") and not site.pages_fetched:
                    site.unreachable = True
            return
        if failure.check(HttpError):
            response = failure.value.response
            message = f"HTTP {response.status} at {request.url}"
            text = response.text if isinstance(response, TextResponse) else ""
            reason = discovery.block_reason(text) if text else None
            if response.status in BLOCK_STATUSES or (response.status in (403, 405) and reason):
                # WAFs answer 521/412 with a JS challenge, or 403 with a captcha page
                site.blocked = True
                detail = f"HTTP {response.status}" + (f", {reason}" if reason else "")
                site.note_error(f"blocked ({detail}) at {request.url}")
                return
        else:
            kind = failure.type.__name__ if failure.type else "error"
            message = f"{kind}: {failure.getErrorMessage()} at {request.url}"
        site.note_error(message)
        if request.meta.get("start") and not site.pages_fetched:
            site.unreachable = True
        self.logger.info("%s: %s", site.name, message)
