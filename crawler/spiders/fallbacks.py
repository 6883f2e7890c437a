"""Fallbacks for a site whose columns left a year without a report, or found none at all.

A report misfiled under another column (规划计划, 通知公告) is linked from no list the spider
walks. Once the site's columns are exhausted (the spider is idle), two more sources are
asked, each once per site: the site's sitemaps (``/sitemap.xml``, ``/sitemap_index.xml`` and
the ``Sitemap:`` lines of robots.txt, sitemap indexes followed) and the site's own search
page, found as a search form on any page, queried with the bureau's name and 年度报告. The
decisions are plain functions; the spider makes the requests. What each fallback read and gave
(sitemaps read, candidate pages; search pages read, report links; no search form) is kept on
the site (``SiteState.fallbacks``), so the run record of a site with none found says what was
tried.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from parsel import Selector
from scrapy import Request
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap

from crawler import discovery
from crawler.spiders.state import ArticleState, PageState
from crawler.strategies import generic

SITEMAP = "sitemap"
SEARCH = "search"

#: Input names of a site search box.
SEARCH_PARAM_RE = re.compile(r"^(?:keyword|keywords|searchword|q|query|kw|wd|key|word|text)$", re.I)
#: Candidates read from one sitemap at most.
MAX_SITEMAP_URLS = 300
ARTICLE_PATH_RE = re.compile(
    r"\d{4,}[^/]*\.(?:s?html?|jsp|php|aspx?)$|\.(?:s?html?)\?\w+=\d+|/\d{4,}/?$", re.I
)


@dataclass(frozen=True)
class SearchForm:
    action: str
    param: str
    #: the form's hidden inputs (siteId, channelid …): engines answer nothing without them
    hidden: tuple[tuple[str, str], ...] = ()


def needs_fallback(years: set[int]) -> bool:
    """Whether the columns left a gap: nothing found, or a year missing between two found."""
    return not years or len(years) < max(years) - min(years) + 1


def search_form(url: str, text: str) -> SearchForm | None:
    """A GET search form of the page (``<form action="/search/search.jsp"><input
    name="keyword">``), or None."""
    for form in Selector(text=text or "<html></html>").css("form"):
        if form.attrib.get("method", "get").lower() != "get":
            continue
        hidden = tuple(
            (i.attrib["name"], i.attrib.get("value", ""))
            for i in form.css("input[type=hidden][name]")
        )
        for name in form.css("input::attr(name)").getall():
            if SEARCH_PARAM_RE.match(name):
                return SearchForm(urljoin(url, form.attrib.get("action", "") or url), name, hidden)
    return None


def search_url(form: SearchForm, site_name: str) -> str:
    """The search for the bureau's annual reports: "<bureau> 年度报告"."""
    bureau = site_name
    if not discovery.EM_AGENCY_RE.search(site_name):
        bureau = re.sub(r"(?:人民)?政府$", "", site_name) + "应急管理局"
    query = urlencode([*form.hidden, (form.param, f"{bureau} 年度报告")])
    return form.action + ("&" if "?" in form.action else "?") + query


def robots_sitemaps(text: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt."""
    return re.findall(r"^\s*sitemap\s*:\s*(\S+)", text or "", flags=re.I | re.M)


def read_sitemap(body: bytes) -> Sitemap | None:
    """The sitemap (a ``urlset`` or a ``sitemapindex``) in ``body``, or None: a page that is
    no sitemap (a soft 404 answering with the home page) is none."""
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml raises several kinds on garbage; an unreadable sitemap is none
        return None
    return sitemap if sitemap.type in ("urlset", "sitemapindex") else None


def sitemap_locations(
    body: bytes, site_url: str, bureau_site: bool = False
) -> tuple[list[str], list[str]]:
    """(nested sitemaps, candidate report pages) of a sitemap, on the site's own host.

    Candidates are article-like pages (a dated or numbered file, or a numbered extensionless
    path) inside a bureau's section or a report column, or anywhere on a ``bureau_site`` (the
    bureau's own site: every section is the bureau's); the page's own title decides
    afterwards whether it is a report.
    """
    sitemap = read_sitemap(body)
    if sitemap is None:
        return [], []
    host = urlsplit(site_url).netloc.lower()
    locs = [e["loc"] for e in sitemap if e.get("loc") and urlsplit(e["loc"]).netloc.lower() == host]
    if sitemap.type == "sitemapindex":
        return locs, []
    pages = [
        loc
        for loc in locs
        if ARTICLE_PATH_RE.search(_path_and_query(loc))
        and (
            bureau_site
            or discovery.is_bureau_url(loc)
            or discovery.column_kind("", loc) is not None
        )
    ]
    return [], pages[:MAX_SITEMAP_URLS]


def report_links(url: str, text: str) -> int:
    """How many links of a page (a search's results) are titled as a bureau's report."""
    count = 0
    for entry in generic.links(url, Selector(text=text or "<html></html>")):
        em = discovery.is_bureau_url(entry.url)
        verdict = discovery.classify_title(entry.title, em_context=em)
        count += bool(verdict and not verdict.graphic)
    return count


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class FallbackMixin:
    """The spider's side of the fallbacks: search forms noted while crawling, and at idle
    one round of sitemap and search requests per site that needs them."""

    search_forms: dict[str, SearchForm]
    fallbacks_done: set[str]

    def note_search_form(self, seed_url: str, url: str, text: str) -> None:
        if seed_url not in self.search_forms:
            form = search_form(url, text)
            if form is not None and urlsplit(form.action).netloc == urlsplit(url).netloc:
                self.search_forms[seed_url] = form

    def on_idle(self) -> None:
        """Schedule the fallbacks of every site that needs them; keep the spider open."""
        scheduled = False
        for seed_url, site in self.sites.items():  # type: ignore[attr-defined]
            if seed_url in self.fallbacks_done or site.blocked or not site.pages_fetched:
                continue
            if not needs_fallback(site.years):
                continue
            self.fallbacks_done.add(seed_url)
            requests = self.fallback_requests(seed_url)
            tried = ", ".join(r.url for r in requests)
            self.logger.info(  # type: ignore[attr-defined]
                "%s: columns gave years %s; fallbacks tried: %s",
                site.name,
                sorted(site.years) or "none",
                tried,
            )
            for request in requests:
                self.crawler.engine.crawl(request)  # type: ignore[attr-defined]
                scheduled = True
        if scheduled:
            raise DontCloseSpider

    def fallback_requests(self, seed_url: str) -> list[Request]:
        seed = self.seeds_by_url[seed_url]  # type: ignore[attr-defined]
        site = self.sites[seed_url]  # type: ignore[attr-defined]
        meta = {"seed_url": seed_url}
        root = urljoin(seed_url, "/")
        site.fallback(SITEMAP)
        out = [
            Request(urljoin(root, "robots.txt"), callback=self.parse_robots, meta=meta),
            Request(urljoin(root, "sitemap.xml"), callback=self.parse_sitemap, meta=meta),
            # the other conventional name (WordPress, many CMS builds), named by no robots.txt
            Request(urljoin(root, "sitemap_index.xml"), callback=self.parse_sitemap, meta=meta),
        ]
        form = self.search_forms.get(seed_url)
        if form is None:
            site.fallback(SEARCH).note = "no form"  # on any page read
        else:
            site.fallback(SEARCH)
            state = PageState(hops=self.settings.getint("YINGJI_MAX_HOPS"))  # type: ignore[attr-defined]
            search = self._page(search_url(form, seed.name), seed, state)  # type: ignore[attr-defined]
            out.append(search.replace(callback=self.parse_search))
        return out

    def parse_search(self, response: Response, state: PageState) -> Iterator[Any]:
        """The site search's answer: its report links counted, then read as any list page."""
        found = self.sites[response.meta["seed_url"]].fallback(SEARCH)  # type: ignore[attr-defined]
        found.fetched += 1
        if isinstance(response, TextResponse):
            found.links += report_links(response.url, response.text)
        yield from self.parse_page(response, state)  # type: ignore[attr-defined]

    def parse_robots(self, response: Response) -> Iterator[Request]:
        for loc in robots_sitemaps(response.text if isinstance(response, TextResponse) else ""):
            meta = {"seed_url": response.meta["seed_url"]}
            yield Request(loc, callback=self.parse_sitemap, meta=meta)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        seed_url = response.meta["seed_url"]
        bureau_site = bool(discovery.EM_AGENCY_RE.search(self.seeds_by_url[seed_url].name))  # type: ignore[attr-defined]
        nested, pages = sitemap_locations(response.body, seed_url, bureau_site)
        found = self.sites[seed_url].fallback(SITEMAP)  # type: ignore[attr-defined]
        found.fetched += int(bool(nested or pages) or read_sitemap(response.body) is not None)
        found.links += len(pages)
        for loc in nested:
            yield Request(loc, callback=self.parse_sitemap, meta={"seed_url": seed_url})
        for loc in pages:
            yield Request(
                discovery.canonical_url(loc),
                callback=self.parse_article,  # type: ignore[attr-defined]
                errback=self.on_error,  # type: ignore[attr-defined]
                cb_kwargs={
                    "state": ArticleState(em=bureau_site or discovery.is_bureau_url(loc), title="")
                },
                meta={"seed_url": seed_url},
            )
