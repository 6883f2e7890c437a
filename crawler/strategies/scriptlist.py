"""Lists filled by script: an empty list page whose inline script fetches its records.

Many CMS builds (and hand-written portals) ship the list as a shell and fill it with
``$.ajax``/``$.getJSON``/``$.get``/``fetch`` from an endpoint named in the script, sending
the column id and page number. This family reads the endpoint and the parameters from the
script (:func:`crawler.discovery.scripts.script_endpoints`), fetches page 1 and reads the
answer, JSON, JSONP or XML, by shape (:mod:`crawler.discovery.records`); while pages come
back as full as the first, the next one is asked for.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import replace
from urllib.parse import urlencode, urljoin

from parsel import Selector

from crawler.discovery.records import load, records
from crawler.discovery.scripts import Endpoint, script_endpoints
from crawler.discovery.titles import FIRST_REPORT_YEAR
from crawler.strategies.base import Entry, Followup, Listing

NAME = "scriptlist"
KIND_SCRIPT_LIST = "script-list"
FOLLOWUP_KINDS = {KIND_SCRIPT_LIST: "script list answer"}
#: Pages of one endpoint asked for at most (the site guard bounds requests further).
MAX_PAGES = 50
#: Years of one endpoint asked for at most (reports exist since 2008).
MAX_YEARS = 20
CALL_RE = re.compile(r"\$\.(?:ajax|get|getJSON|post)\s*\(|\bfetch\s*\(|axios\.get\s*\(")
SCRIPT_RE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)

# keys of the follow-up state (never sent); a POST's parameters are its form data
_ENDPOINT, _PAGE_PARAM, _PAGE, _FULL, _METHOD = "endpoint", "page_param", "page", "full", "method"


def applies(url: str, text: str) -> bool:
    return bool(CALL_RE.search(text or ""))


def _page_url(base: str, endpoint: str, params: list[tuple[str, str]]) -> str:
    target = urljoin(base, endpoint)
    if not params:
        return target
    return target + ("&" if "?" in target else "?") + urlencode(params)


def _fetch(base: str, ep: Endpoint, page: int, full: int) -> Followup:
    params = list(ep.params)
    if ep.page_param:
        params.append((ep.page_param, str(page)))
    state = (
        (_ENDPOINT, urljoin(base, ep.url)),
        (_PAGE_PARAM, ep.page_param or ""),
        (_PAGE, str(page)),
        (_FULL, str(full)),
        (_METHOD, ep.method),
        *(("param:" + k, v) for k, v in ep.params),
    )
    if ep.method == "POST":
        return Followup(
            urljoin(base, ep.url), KIND_SCRIPT_LIST, "POST", formdata=tuple(params), state=state
        )
    return Followup(_page_url(base, ep.url, params), kind=KIND_SCRIPT_LIST, state=state)


YEAR_VALUE_RE = re.compile(r"^\s*((?:19|20)\d{2})\s*(?:年度?)?\s*$")
CALL_YEAR_RE = re.compile(r"""\(\s*['"]?((?:19|20)\d{2})['"]?\s*,""")


def page_years(text: str, sel: Selector) -> list[int]:
    """The years a page offers to choose from, newest first: ``data-*`` attributes holding a
    year (``<li data-year="2023">``), tabs and options whose text is only a year ("2023年度"),
    and years a script's call passes first (``loadList("2024", 1)``)."""
    found: set[int] = set()
    values = sel.xpath("//@*[starts-with(name(), 'data-')]").getall()
    values += sel.xpath("//li//text() | //span/text() | //option/text() | //a/text()").getall()
    for value in values:
        m = YEAR_VALUE_RE.match(value)
        if m:
            found.add(int(m.group(1)))
    for script in SCRIPT_RE.findall(text or ""):
        found.update(int(y) for y in CALL_YEAR_RE.findall(script))
    now = _dt.date.today().year
    return sorted((y for y in found if FIRST_REPORT_YEAR <= y <= now), reverse=True)


def extract(url: str, text: str, sel: Selector) -> Listing:
    """Page 1 of every list endpoint the page's inline scripts call; an endpoint that takes a
    year, once for every year the page offers."""
    followups: list[Followup] = []
    for script in SCRIPT_RE.findall(text or ""):
        for ep in script_endpoints(script):
            if ep.year_param is None:
                followups.append(_fetch(url, ep, 1, 0))
                continue
            for year in page_years(text, sel)[:MAX_YEARS]:
                year_ep = replace(ep, params=(*ep.params, (ep.year_param, str(year))))
                followups.append(_fetch(url, year_ep, 1, 0))
    return Listing(followups=followups)


def parse_followup(kind: str, url: str, text: str, formdata: dict[str, str]) -> Listing:
    """One page of records; the next page while this one is as full as the first."""
    if kind != KIND_SCRIPT_LIST:
        raise KeyError(kind)
    try:
        found = records(load(text))
    except ValueError:
        # not every AJAX call of a page fetches a list (visit counters, header includes):
        # an answer that is no data is no list; the spider still checks it for a block page
        return Listing()
    entries = [Entry(url=urljoin(url, r.url), title=r.title, published=r.published) for r in found]
    page, full = int(formdata.get(_PAGE, "1")), int(formdata.get(_FULL, "0")) or len(found)
    followups = []
    if formdata.get(_PAGE_PARAM) and found and len(found) >= full and page < MAX_PAGES:
        params = tuple((k[6:], v) for k, v in formdata.items() if k.startswith("param:"))
        method = formdata.get(_METHOD, "GET")
        endpoint = Endpoint(formdata[_ENDPOINT], params, formdata[_PAGE_PARAM], method)
        followups.append(_fetch(url, endpoint, page + 1, full))
    return Listing(entries=entries, followups=followups)


def article_title(sel: Selector) -> str | None:
    return None
