"""A site directory page as the seed expansion reads it: its title, its links with the list
(block) each sits in and the headings above it, and the tabs that lead to more of the directory.

Why blocks and headings: real 政府网站导航 pages group links in lists (``ul``, ``table``,
``select``, ``div``), one per kind (县区政府, 市直部门, 友情链接), and on a province's page one per
city under a heading (洛阳市: 孟津区 偃师区 …). Which list a link sits in says whether the
directory itself vouches for it (crawler/directory.py's host rule); the heading says which city
a county name belongs to when the province has two of that name.

Plain functions over parsel/lxml; no Scrapy, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from parsel import Selector

from crawler.middlewares import site_key

#: elements that hold one list of links (the smallest one around a link is its block)
BLOCK_TAGS = frozenset(
    {"ul", "ol", "dl", "table", "select", "div", "nav", "section", "p", "footer", "aside"}
)
#: elements whose short text heads the list after them (a city's name, a tab's title)
HEADING_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "dt", "th", "strong", "b", "span", "em", "label",
     "caption", "legend", "p", "div"}
)  # fmt: skip
MAX_HEADING_CHARS = 20
#: link texts of the directory's other pages (a 县区政府 tab, the 网站群 page)
TAB_TEXT_RE = re.compile(
    r"网站群|网站导航|政府网站|县区|区县|县市|市县|县\(市|县（市|省辖市|地方政府|下级政府|各县"
)
TAB_EXCLUDE_RE = re.compile(r"报表|年报|报告|通知|公告|考核|检查|普查|监管|工作")
MAX_TAB_CHARS = 12
#: a site's default document: ``/index.html`` is ``/``
DEFAULT_DOCUMENT = re.compile(r"/(?:index|default|main)\.(?:s?html?|jsp|php|aspx?)$", re.I)


@dataclass(frozen=True)
class DirectoryLink:
    url: str  # absolute, as linked
    text: str  # the link's text, else its title or image alt
    page: str  # the page it was found on
    block: int  # the list it sits in, numbered per page
    headings: tuple[str, ...] = ()  # short texts above it, nearest first


@dataclass(frozen=True)
class DirectoryPage:
    url: str
    title: str
    links: tuple[DirectoryLink, ...]
    tabs: tuple[str, ...]  # other pages of the directory on the same site, in page order


def site_identity(url: str) -> str:
    """One key per site: no scheme, no ``www.``, no default document, no trailing slash."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    port = f":{parts.port}" if parts.port not in (None, 80, 443) else ""
    path = DEFAULT_DOCUMENT.sub("/", parts.path).rstrip("/")
    return f"{host}{port}{path}" + (f"?{parts.query}" if parts.query else "")


def _text(el: lxml_html.HtmlElement) -> str:
    return re.sub(r"\s+", "", "".join(el.itertext()))


def _link_text(el: lxml_html.HtmlElement) -> str:
    text = _text(el)
    if text:
        return text
    alt = next((img.get("alt") for img in el.iter("img") if img.get("alt")), "")
    return re.sub(r"\s+", "", el.get("title") or alt or "")


def _block(el: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    return next((a for a in el.iterancestors() if a.tag in BLOCK_TAGS), None)


def _headings(el: lxml_html.HtmlElement, limit: int = 3) -> tuple[str, ...]:
    """Short texts just before the link or one of its first ancestors: a ``th`` before its
    ``td``, a ``dt`` before its ``dd``, an ``h4`` before its ``ul``."""
    found: list[str] = []
    node = el
    for _ in range(6):
        parent = node.getparent()
        if parent is None:
            break
        for sibling in list(node.itersiblings(preceding=True))[:2]:
            if isinstance(sibling.tag, str) and sibling.tag in HEADING_TAGS:
                text = _text(sibling)
                if 2 <= len(text) <= MAX_HEADING_CHARS and text not in found:
                    found.append(text)
        if len(found) >= limit:
            break
        node = parent
    return tuple(found[:limit])


def _href(el: lxml_html.HtmlElement) -> str | None:
    if el.tag == "a":
        return el.get("href")
    value = el.get("value") or ""  # <option value="http://…">: a drop-down of sites
    return value if re.match(r"https?://", value.strip(), re.I) else None


def is_tab_link(text: str, url: str, page_url: str) -> bool:
    """A link to a page of the directory (this one included): same site, a directory word,
    short (县区政府, 县（市、区）, 网站群, 政府网站导航)."""
    return (
        len(text) <= MAX_TAB_CHARS
        and bool(TAB_TEXT_RE.search(text))
        and not TAB_EXCLUDE_RE.search(text)
        and site_key(url) == site_key(page_url)
    )


def read_page(url: str, text: str) -> DirectoryPage:
    """The links of a directory page at ``url`` (``text``: its decoded HTML)."""
    sel = Selector(text=text, base_url=url)
    root = sel.root
    base = url
    for b in root.iter("base"):
        if b.get("href"):
            base = urljoin(url, b.get("href").strip())
            break
    title = re.sub(r"\s+", " ", " ".join(root.xpath("//title//text()"))).strip()
    blocks: dict[int, int] = {}
    alive: list[object] = []  # lxml hands out one proxy per element only while it is referenced
    links: list[DirectoryLink] = []
    tabs: list[str] = []
    for el in root.iter("a", "option"):
        href = _href(el)
        if not href or href.strip().lower().startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        absolute = urljoin(base, href.strip())
        if urlsplit(absolute).scheme not in ("http", "https"):
            continue
        label = _link_text(el)
        if not label:
            continue
        if el.tag == "a" and is_tab_link(label, absolute, url):
            if absolute not in tabs and site_identity(absolute) != site_identity(url):
                tabs.append(absolute)
            continue
        block = _block(el)
        alive.append(block)
        number = blocks.setdefault(id(block), len(blocks))
        links.append(DirectoryLink(absolute, label, url, number, _headings(el)))
    return DirectoryPage(url, title, tuple(links), tuple(tabs))
