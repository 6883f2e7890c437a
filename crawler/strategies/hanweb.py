"""Hanweb 大汉 JCMS: column pages embed their first records as XML; the rest come from a proxy.

The column page carries ``<script type="text/xml"><datastore>…<recordset><record><![CDATA[<li>
<a href="/art/…">title</a></li>]]></record>…`` and the jpage script fetches further records by
POSTing the column's form fields (columnid, unitid, webid …) to
``/module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=``. Static ``index_1.html``
pages do not exist on these sites (404).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector

from crawler.strategies.base import Entry, Followup, Listing

NAME = "hanweb"
#: Hanweb dataproxy.jsp XML
KIND_HANWEB_PROXY = "hanweb-proxy"
FOLLOWUP_KINDS = {KIND_HANWEB_PROXY: "Hanweb dataproxy answer"}

DATASTORE_RE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
TOTAL_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
NEXTGROUP_RE = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
#: The form fields jpage sends; read from the page's scripts and the nextgroup link.
FORM_FIELDS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourcecontenttype",
    "unitid",
    "webname",
    "permissiontype",
)
FIELD_RE = re.compile(
    r"\b(col|appid|webid|path|columnid|sourceContentType|unitid|webname|permissiontype)['\"]?"
    r"\s*[:=]\s*(?:'([^']*)'|\"([^\"]*)\"|([^,&}\s;'\"]+))",
    re.I,
)
TOTAL_JS_RE = re.compile(r"\btotalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
PERPAGE_JS_RE = re.compile(r"\bperPage\s*[:=]\s*['\"]?(\d+)", re.I)
DATE_RE = re.compile(r"(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2})")
#: The element that holds the datastore: its id is the ``uid`` of static jpage URLs.
UID_RE = re.compile(r"<div[^>]*\bid=['\"]?(\d+)['\"]?[^>]*>\s*(?:<script[^>]*>)?\s*$", re.I)
MAX_STATIC_PAGES = 100
#: Records asked for per proxy call (jpage asks for 3 pages at a time).
GROUP = 45


def applies(url: str, text: str) -> bool:
    return "<datastore" in text.lower()


def parse_records(xml: str, base_url: str) -> list[Entry]:
    """The links in a datastore's CDATA records (page or proxy answer alike)."""
    entries: list[Entry] = []
    for record in RECORD_RE.findall(xml):
        sel = Selector(text=record)
        for a in sel.css("a[href]"):
            href = a.attrib.get("href", "").strip()
            if not href or href.startswith(("javascript:", "#")):
                continue
            text = re.sub(r"\s+", "", "".join(a.css("::text").getall()))
            title = a.attrib.get("title", "").strip()
            date = DATE_RE.search(re.sub(r"<[^>]+>", " ", record))
            entries.append(
                Entry(
                    url=urljoin(base_url, href),
                    title=title if len(title) > len(text) else text,
                    published=date.group(1) if date else None,
                )
            )
    return entries


def total_records(text: str) -> int | None:
    m = TOTAL_RE.search(text) or TOTAL_JS_RE.search(text)
    return int(m.group(1)) if m else None


def form_fields(text: str) -> dict[str, str]:
    """The column's jpage parameters, from the nextgroup link first, then from the scripts."""
    fields: dict[str, str] = {}
    m = NEXTGROUP_RE.search(text)
    if m:
        href = Selector(text=m.group(1)).css("a::attr(href)").get() or ""
        for k, v in parse_qsl(urlsplit(href).query, keep_blank_values=True):
            if k.lower() in FORM_FIELDS:
                fields.setdefault(k, v)
    for m in FIELD_RE.finditer(text):
        key = m.group(1)
        value = next(g for g in m.groups()[1:] if g is not None)
        if key.lower() not in {k.lower() for k in fields}:
            fields[key] = value
    return fields


def proxy_followup(page_url: str, fields: dict[str, str], start: int, perpage: int) -> Followup:
    """A POST to dataproxy.jsp for records ``start`` .. ``start + GROUP - 1``."""
    query = urlencode({"startrecord": start, "endrecord": start + GROUP - 1, "perpage": perpage})
    form = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
    form.update(fields)
    return Followup(
        url=urljoin(page_url, f"{PROXY_PATH}?{query}"),
        kind=KIND_HANWEB_PROXY,
        method="POST",
        formdata=tuple(sorted(form.items())),
    )


def extract(url: str, text: str, sel: Selector) -> Listing:
    """Records embedded in the column page, and how to get the records after them: the proxy
    call when the page names its column, else the ``?uid=…&pageNum=N`` pages of the static
    jpage mode (``uid`` is the id of the element holding the datastore)."""
    m = DATASTORE_RE.search(text)
    if not m:
        return Listing()
    entries = parse_records(m.group(1), url)
    embedded = len(RECORD_RE.findall(m.group(1)))
    fields = form_fields(text)
    total = total_records(text)
    pm = PERPAGE_JS_RE.search(text)
    perpage = int(pm.group(1)) if pm else 15
    listing = Listing(entries=entries)
    if not entries or (total is not None and total <= embedded):
        return listing
    if "columnid" in {k.lower() for k in fields}:
        listing.followups.append(proxy_followup(url, fields, embedded + 1, perpage))
        return listing
    holder = UID_RE.search(text[: m.start()][-400:])
    if holder and total is not None:
        base = url.split("?", 1)[0]
        pages = min(-(-total // perpage), MAX_STATIC_PAGES)
        listing.followups.extend(
            Followup(f"{base}?{urlencode({'uid': holder.group(1), 'pageNum': n})}")
            for n in range(2, pages + 1)
        )
    return listing


def extract_proxy(url: str, text: str, formdata: dict[str, str]) -> Listing:
    """A dataproxy answer: its records, and the next call while records remain."""
    entries = parse_records(text, url)
    listing = Listing(entries=entries)
    n = len(RECORD_RE.findall(text))
    query = dict(parse_qsl(urlsplit(url).query))
    start = int(query.get("startrecord", "1"))
    end = int(query.get("endrecord", str(start + GROUP - 1)))
    total = total_records(text)
    more = end + 1 <= total if total is not None else n >= end - start + 1
    if n and more:
        fields = {k: v for k, v in formdata.items() if k.lower() in FORM_FIELDS}
        listing.followups.append(
            proxy_followup(url, fields, end + 1, int(query.get("perpage", "15")))
        )
    return listing


def parse_followup(kind: str, url: str, text: str, formdata: dict[str, str]) -> Listing:
    return extract_proxy(url, text, formdata)


def article_title(sel: Selector) -> str | None:
    return None
