"""Guangdong's 政府信息公开目录 platform (gkmlpt): a JS app over a JSON API.

``/gkmlpt/index#{catId}`` is one page for every column (the fragment picks it), the page script
holds ``SID: '755031'``, and the lists come from ``GET /gkmlpt/api/all/{catId}?page=N&sid=SID``
answering ``{"total": N, "articles": [{"title", "url", "create_time"}]}``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector

from crawler.discovery import ColumnKind, column_kind
from crawler.strategies.base import Entry, Followup, Listing

NAME = "gkmlpt"
#: gkmlpt JSON API
KIND_GKMLPT_API = "gkmlpt-api"
FOLLOWUP_KINDS = {KIND_GKMLPT_API: "gkmlpt API answer"}

SID_RE = re.compile(r"\bSID\s*[:=]\s*['\"]?(\d+)", re.I)
CAT_HREF_RE = re.compile(r"(?:gkmlpt/index)?#(\d+)$")
API_PATH_RE = re.compile(r"/gkmlpt/api/all/(\d+)")
#: A category with more pages than this is not a report column.
MAX_PAGES = 100


def applies(url: str, text: str) -> bool:
    return "/gkmlpt/" in url and bool(SID_RE.search(text))


def find_sid(text: str) -> str | None:
    m = SID_RE.search(text)
    return m.group(1) if m else None


def api_url(page_url: str, cat: str, page: int, sid: str) -> str:
    return urljoin(page_url, f"/gkmlpt/api/all/{cat}?{urlencode({'page': page, 'sid': sid})}")


def report_categories(url: str, sel: Selector) -> list[str]:
    """Category ids whose link text reads like a report column, plus the one in the URL."""
    cats: list[str] = []
    frag = urlsplit(url).fragment
    if frag.isdigit():
        cats.append(frag)
    for a in sel.css("a[href]"):
        m = CAT_HREF_RE.search(a.attrib["href"].strip())
        text = "".join(a.css("::text").getall())
        if m and column_kind(text, "") in (ColumnKind.REPORTS, ColumnKind.BUREAU):
            cats.append(m.group(1))
    return list(dict.fromkeys(cats))


def extract(url: str, text: str, sel: Selector, cats: list[str] | None = None) -> Listing:
    sid = find_sid(text)
    if not sid:
        return Listing()
    wanted = list(dict.fromkeys([*(cats or []), *report_categories(url, sel)]))
    return Listing(followups=[Followup(api_url(url, c, 1, sid), KIND_GKMLPT_API) for c in wanted])


def _date(value: object) -> str | None:
    if isinstance(value, int | float) and value > 0:
        seconds = value / 1000 if value > 1e11 else value
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")
    if isinstance(value, str) and value:
        return value[:10]
    return None


def extract_api(url: str, text: str) -> Listing:
    """One API page: its articles and, from the first page, the other pages ``total`` implies.

    Raises ValueError for an answer that is not the API's JSON (a WAF page, an error page).
    """
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("articles"), list):
        raise ValueError("not a gkmlpt API answer")
    entries = [
        Entry(
            url=urljoin(url, str(a.get("url") or a.get("post_url") or "")),
            title=str(a.get("title") or ""),
            published=_date(a.get("create_time") or a.get("publish_time")),
        )
        for a in data["articles"]
        if isinstance(a, dict) and (a.get("url") or a.get("post_url"))
    ]
    listing = Listing(entries=entries)
    query = dict(parse_qsl(urlsplit(url).query))
    page = int(query.get("page", "1"))
    total = int(data.get("total") or 0)
    per_page = len(data["articles"])
    m = API_PATH_RE.search(url)
    if m and per_page and page == 1:
        # the first page's size tells how many pages there are; later pages add nothing
        pages = min(math.ceil(total / per_page), MAX_PAGES)
        listing.followups.extend(
            Followup(api_url(url, m.group(1), n, query.get("sid", "")), KIND_GKMLPT_API)
            for n in range(2, pages + 1)
        )
    return listing


def parse_followup(kind: str, url: str, text: str, formdata: dict[str, str]) -> Listing:
    return extract_api(url, text)


def article_title(sel: Selector) -> str | None:
    return None
