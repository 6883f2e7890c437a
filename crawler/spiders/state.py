"""What the spider carries from one request to its callback, and the decisions made on it.

State travels in ``cb_kwargs`` as frozen dataclasses; ``meta`` keeps only what middlewares
read (``seed_url`` for the site guard and the run record, ``start``, ``download_maxsize``).
The decisions are plain functions, so they are tested without a crawl.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlsplit

from parsel import Selector
from scrapy.http import TextResponse

from crawler import discovery
from crawler.discovery import ColumnKind, TitleVerdict
from crawler.sitestate import SiteState
from crawler.strategies import Entry


@dataclass(frozen=True)
class PageState:
    """A home, hub, column or list page: how far from the start and inside what."""

    hops: int = 0
    em: bool = False  # inside the emergency bureau's part of the site
    kind: int = 0  # the ColumnKind of the link that led here (0: none)
    source_url: str | None = None  # the URL as linked, before canonicalisation
    #: the column this page belongs to (its first page: a list's later pages are the same
    #: column) and the year it is for, for the run record's "what was tried"
    column: str | None = None
    year: int | None = None

    def at(self, url: str) -> PageState:
        """This state on a request for ``url``: the linked URL kept, and a column page that
        starts a column names it."""
        column = self.column or (discovery.canonical_url(url) if self.kind else None)
        return replace(self, source_url=url, column=column)


@dataclass(frozen=True)
class ArticleState:
    """A report page, with what the list said about it."""

    em: bool = True
    title: str = ""
    published: str | None = None
    #: an article over several pages: the text of the pages read so far, and the first's URL
    parts: tuple[str, ...] = ()
    first_url: str | None = None


@dataclass(frozen=True)
class FollowupState:
    """A family's follow-up fetch (Hanweb's dataproxy, gkmlpt's API) of a list page."""

    kind: str
    page: PageState
    formdata: tuple[tuple[str, str], ...] = ()


def column_state(entry: Entry, page: PageState, page_url: str, max_hops: int) -> PageState | None:
    """The state of a column link found on a page, or None when it is not followed.

    Inside a report column only sub-columns (per-year, per-bureau) lead further. The bureau's
    context carries into its sub-columns, not into the portal's own navigation (a
    政府信息公开年报 link in the page header leads out of the section).
    """
    if page.hops + 1 > max_hops:
        return None
    col = discovery.column_kind(entry.title, entry.url)
    if (
        (col is None or col < ColumnKind.BUREAU)
        and page.kind == ColumnKind.REPORTS
        and (
            discovery.is_year_link(entry.title, entry.url)
            or discovery.is_body_kind_link(entry.title)
        )
    ):
        # a report collection's per-year column ("2023年度") or branch of a kind of body
        # (区直部门, 2024年部门年报), whatever its folder's name suggests (bmnb_15433/ reads
        # as a disclosure hub by its slug)
        col = ColumnKind.REPORTS
    if col is None or (page.kind == ColumnKind.REPORTS and col < ColumnKind.BUREAU):
        return None
    inherits = discovery.is_under(entry.url, page_url) or (
        col >= ColumnKind.BUREAU and not entry.in_nav
    )
    em = (
        (page.em and inherits)
        or col == ColumnKind.BUREAU
        or discovery.is_bureau_url(entry.url)
        or (col == ColumnKind.REPORTS and bool(discovery.EM_AGENCY_RE.search(entry.title)))
    )
    year = column_year(entry.title, entry.url) or page.year
    # a list's 下一页 or page-number link read as a column link stays in the list's column
    same = discovery.is_pagination_link(entry.title, entry.url) or discovery.is_page_option(
        entry.title, entry.url
    )
    column = page.column if same else None
    return PageState(hops=page.hops + 1, em=em, kind=int(col), column=column, year=year)


_YEAR_TEXT_RE = re.compile(r"^((?:19|20)\d{2})$")
_YEAR_SEGMENT_RE = re.compile(r"^((?:19|20)\d{2})(?:n[a-z]*)?$", re.I)


def column_year(title: str, url: str) -> int | None:
    """The year a column link names: in its text ("2023年度", "2024年部门年报", a bare "2023"),
    else in a folder (``2024n/``, ``2024nbmnb/``) or a query value (``?year=2023``); None for a
    column of every year."""
    year = discovery.title_year(title)
    if year is None:
        parts = urlsplit(url)
        words = [
            discovery.normalise_title(title),
            *reversed(parts.path.split("/")),
            *(v for _, v in parse_qsl(parts.query)),
        ]
        found = (m for w in words if (m := _YEAR_TEXT_RE.match(w) or _YEAR_SEGMENT_RE.match(w)))
        year = next((int(m.group(1)) for m in found), None)
    if year is None or not discovery.FIRST_REPORT_YEAR <= year <= dt.date.today().year:
        return None
    return year


def note_page(site: SiteState, state: PageState, url: str) -> None:
    """A home, hub, column or list page was read: counted, and a column page enters its column
    (and its year) in the site's record of what was tried."""
    site.pages_fetched += 1
    if state.kind:
        site.enter_column(state.column or discovery.canonical_url(url), state.year)


def article_title(listed: str, own: str | None, em: bool) -> tuple[str, TitleVerdict] | None:
    """The better of the list's and the page's title, with its verdict; None: not a report.

    Lists cut long titles short ("…年度报…"); the page's own title wins when it names the
    same year. A title cut so short that only the page can confirm it is dropped when the
    page's title is not a report after all.
    """
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
        return None
    return title, verdict


#: Pages of one article read at most (a trap of endless "下一页" ends here).
MAX_ARTICLE_PAGES = 10


def article_next_page(response: TextResponse, state: ArticleState) -> str | None:
    """The next page of an article split over several pages, or None (the last page, or the
    page cap reached)."""
    if len(state.parts) + 1 >= MAX_ARTICLE_PAGES:
        return None
    sel = Selector(text=response.text)
    anchors = [
        ("".join(a.css("::text").getall()), response.urljoin(a.attrib["href"]))
        for a in sel.css("a[href]")
        if not a.attrib["href"].startswith("javascript:")
    ]
    return discovery.article_next_page(response.url, anchors)


_BODY_RE = re.compile(r"<body\b[^>]*>(.*)</body>", re.S | re.I)


def join_pages(pages: tuple[str, ...]) -> str:
    """One HTML document of an article's pages: the first page with the body content of the
    others added at the end of its body, so that a parser sees every table in order."""
    first, rest = pages[0], [(_BODY_RE.search(p) or re.match(r"(.*)", p, re.S)) for p in pages[1:]]
    extra = "\n".join(m.group(1) for m in rest if m)
    end = first.lower().rfind("</body>")
    return first[:end] + extra + first[end:] if end >= 0 else first + extra
