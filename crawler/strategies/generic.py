"""Any CMS: the links of a page, its 下一页/尾页/?page=N pagination, an article's title and files.

Every page goes through this reading, family pages included; the family modules only add what
ordinary links cannot show (script page counts, embedded XML, JSON APIs).
"""

from __future__ import annotations

import re
from itertools import islice
from urllib.parse import unquote, urlencode, urljoin, urlsplit

from parsel import Selector

from crawler.discovery import (
    canonical_url,
    filled_pages,
    handler_url,
    is_document_url,
    is_page_option,
    is_pagination_link,
    is_year_link,
    normalise_title,
    onchange_target,
    script_handlers,
    script_page_urls,
    unwrap_document_url,
)
from crawler.items import Attachment
from crawler.strategies.base import Entry, Followup, Listing

DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
#: Page furniture whose links are never list entries or attachments of the article.
FURNITURE = "header, footer, nav, .header, .footer, .nav, #header, #footer, #nav"
#: Where CMSs put an article's title, most specific first.
TITLE_QUERIES = (
    "meta[name=ArticleTitle]::attr(content)",
    "ucaptitle ::text",
    "meta[name=title]::attr(content)",
    ".article-title ::text",
    ".art_title ::text",
    ".content-title ::text",
    "h1 ::text",
    ".title ::text",
    "h2 ::text",
    "title::text",
)


#: Anchors read per page. A site is never sent more than YINGJI_MAX_PAGES_PER_SITE (400)
#: requests, so links past a few thousand can never be followed; a page of 50,000 links (a
#: sitemap dump, a trap) took minutes of CPU and slowed every other site. 2,000 is five times
#: the page cap and twice the largest real portal page seen.
MAX_LINKS = 2000
#: Elements of the box around a link whose text is read (its heading, its row's date). A heading
#: box or a list row holds a few; a box with more is a whole list, which is neither, and reading
#: it for each of its links is quadratic.
BOX_ELEMENTS = 40


def _anchors(sel: Selector, limit: int) -> list[Selector]:
    """The first ``limit`` anchors with an href, in document order, without wrapping the rest."""
    return sel.xpath(f"(//a[@href])[position() <= {int(limit)}]")


def _box_text(node: Selector) -> str | None:
    """The text of a small box, or None for a box of more than BOX_ELEMENTS elements (counted
    lazily: a list of 50,000 links is not walked to learn that it is large)."""
    root = node.root
    if not hasattr(root, "iter") or len(list(islice(root.iter(), BOX_ELEMENTS + 1))) > BOX_ELEMENTS:
        return None
    return "".join(node.xpath(".//text()").getall())


MORE_RE = re.compile(r"^(?:更多|查看更多|more|更多>+|>+|\+|more>+|更多\+)$", re.I)


def _anchor_text(a: Selector) -> str:
    """The text a visitor reads for a link; for a bare 更多/more link, the heading of its box
    (``<div><h3>政府信息公开年报</h3><a href="…">更多>></a></div>``)."""
    text = normalise_title("".join(a.css("::text").getall()))
    title = normalise_title(a.attrib.get("title", ""))
    best = title if len(title) > len(text) else text
    if MORE_RE.match(best) or not best:
        for parent in (*a.xpath(".."), *a.xpath("../..")):  # nearest box first
            box = _box_text(parent)
            heading = normalise_title(box).replace(text, "") if box else ""
            if heading and len(heading) <= 20:
                return heading
    return best


def _published(a: Selector) -> str | None:
    """A date next to the link (same list item or table row), as lists show it."""
    for node in (a, *a.xpath("ancestor::*[self::li or self::tr or self::dd or self::p][1]")):
        box = _box_text(node)
        m = DATE_RE.search(box) if box else None
        if m:
            y, mo, d = m.groups()
            return f"{y}-{int(mo):02d}-{int(d):02d}"
    return None


def _is_furniture(a: Selector) -> bool:
    """Whether a link sits in the page header, navigation bar or footer (repeated site-wide)."""
    return bool(
        a.xpath("ancestor::*[self::header or self::footer or self::nav]")
        or a.xpath(
            "ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' header ') or "
            "contains(concat(' ', normalize-space(@class), ' '), ' footer ') or "
            "contains(concat(' ', normalize-space(@class), ' '), ' nav ') or "
            "@id='header' or @id='footer' or @id='nav']"
        )
    )


def links(url: str, sel: Selector, limit: int = MAX_LINKS) -> list[Entry]:
    """The followable links of the page's first ``limit`` anchors, with their best titles
    (``title`` attribute when the visible text is cut short) and nearby dates."""
    found: list[Entry] = []
    for a in _anchors(sel, limit):
        href = a.attrib.get("href", "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:")) or href == "#":
            continue
        found.append(
            Entry(
                url=urljoin(url, href),
                title=_anchor_text(a),
                published=_published(a),
                in_nav=_is_furniture(a),
            )
        )
    return found


#: Elements whose click opens a URL built by script: anchors to ``javascript:`` and anything
#: with an ``onclick`` (list rows ``<li onclick="window.open('…')">``, year tabs, file spans).
SCRIPTED = "(//*[@onclick] | //a[starts-with(normalize-space(@href), 'javascript:')])"
DATE_TEXT_RE = re.compile(r"[\[(（【]?\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?[\])）】]?")


def _handlers(sel: Selector) -> dict[str, tuple[str, str]]:
    return script_handlers(sel.css("script:not([src])::text").getall())


def scripted(url: str, sel: Selector, limit: int = MAX_LINKS) -> list[tuple[Selector, str]]:
    """(element, absolute URL) of the first ``limit`` elements whose click opens a URL: a call
    of an inline script's handler (``goPage(3)``, ``showYear('2023')``, ``download('id')``)
    or a URL written in the code (``window.open('/c/x.html')``). An anchor with a real href
    is read by :func:`links`; its onclick (a visit counter) is not a second link."""
    handlers = _handlers(sel)
    out: list[tuple[Selector, str]] = []
    for el in sel.xpath(f"{SCRIPTED}[position() <= {int(limit)}]"):
        href = el.attrib.get("href", "").strip()
        if href and not href.startswith(("javascript:", "#")):
            continue
        target = handler_url(f"{el.attrib.get('onclick', '')} {href}", handlers)
        if target:
            out.append((el, urljoin(url, target)))
    return out


def scripted_links(url: str, sel: Selector) -> list[Entry]:
    """List entries opened by script (:func:`scripted`), titled by their text without the
    date a row shows beside it."""
    found: list[Entry] = []
    for el, target in scripted(url, sel):
        text = normalise_title(el.attrib.get("title", "")) or normalise_title(
            DATE_TEXT_RE.sub("", "".join(el.xpath(".//text()").getall()))
        )
        found.append(Entry(target, text, _published(el), _is_furniture(el)))
    return found


def pagination(url: str, sel: Selector) -> list[Followup]:
    """Next pages of the same list: 下一页/尾页 links, page numbers with a page parameter (by
    link or by a ``javascript:goPage(N)`` handler), the options of a ``<select>`` page
    jumper, and on a list's first page the pages between the ones linked."""
    linked: list[tuple[str, str]] = []  # (text, URL) of every page link
    here = canonical_url(url)
    for el, target in scripted(url, sel):
        text = "".join(el.xpath(".//text()").getall())
        if is_pagination_link(text, target) and canonical_url(target) != here:
            linked.append((text, target))
    for a in sel.css("a[href]"):
        href = a.attrib.get("href", "").strip()
        if not href or href.startswith("javascript:"):
            continue
        target = urljoin(url, href)
        text = "".join(a.css("::text").getall())
        if is_pagination_link(text, target) and canonical_url(target) != here:
            linked.append((text, target))
    # <select> page jumpers: <option value="index_2.html">第3页</option>
    for option in sel.css("select option[value]"):
        target = _option_target(url, option)
        text = "".join(option.css("::text").getall())
        if target and is_page_option(text, target) and canonical_url(target) != here:
            linked.append((text, target))
    # page URLs built by an inline script call: initPagination({pageCount: 3, link: …}), read
    # on the list's first page only: every page repeats the call, and a page that is itself
    # one of the URLs it names would only name its siblings again (an endless list's pages
    # each claim thousands more)
    for script in sel.css("script:not([src])::text").getall():
        pages = [urljoin(url, page) for page in script_page_urls(script)]
        if here not in {canonical_url(p) for p in pages}:
            linked.extend(("", p) for p in pages)
    # the pages between those linked (1 2 3 … 9, or only 首页 and 末页)
    linked.extend(("", p) for p in filled_pages(url, linked))
    return [Followup(target) for _, target in linked]


def _option_target(url: str, option: Selector) -> str | None:
    """The URL an option opens: its value, the URL its select's onchange builds from it, or
    the query its form sends (``<form action="list.jsp"><select name="year">`` with
    ``onchange="this.form.submit()"``: ``list.jsp?year=2023``)."""
    value = option.attrib.get("value", "").strip()
    if not value or value.startswith("javascript:"):
        return None
    onchange = option.xpath("ancestor::select[1]/@onchange").get() or ""
    built = onchange_target(onchange, value)
    if built is None and not FORM_VALUE_URL_RE.search(value) and _in_form(option):
        return _form_query(url, option, value)  # the form's field, not a relative URL
    return urljoin(url, built or value)


#: An option value that is itself a URL or a path, not a form field's value.
FORM_VALUE_URL_RE = re.compile(r"[/.?=#]")


def _in_form(option: Selector) -> bool:
    """Whether the option's select is a named field of a form."""
    return bool(option.xpath("ancestor::select[1][@name and ancestor::form]"))


def _form_query(url: str, option: Selector, value: str) -> str | None:
    """The URL a GET form sends with the option's select set to ``value`` and its hidden
    fields as they are (a GET form replaces its action's query); None for a POST form, whose
    choice is no URL."""
    select = option.xpath("ancestor::select[1]")
    name = select.attrib.get("name", "").strip()
    form = select.xpath("ancestor::form[1]")
    if form.attrib.get("method", "get").strip().lower() != "get":
        return None
    fields = [
        (field.attrib["name"], field.attrib.get("value", ""))
        for field in form.css("input[type=hidden][name]")
    ]
    action = urljoin(url, form.attrib.get("action", "").strip() or url)
    return f"{action.split('?', 1)[0].split('#', 1)[0]}?{urlencode([*fields, (name, value)])}"


def year_options(url: str, sel: Selector) -> list[Entry]:
    """A ``<select>`` of years (年度: 2024年 / 2023年 …) whose options are the years' columns."""
    out: list[Entry] = []
    for option in sel.css("select option[value]"):
        target = _option_target(url, option)
        text = normalise_title("".join(option.css("::text").getall()))
        if target and is_year_link(text, target):
            out.append(Entry(url=target, title=text))
    return out


def extract(url: str, sel: Selector) -> Listing:
    entries = links(url, sel) + scripted_links(url, sel) + year_options(url, sel)
    return Listing(entries=entries, followups=pagination(url, sel))


def article_title(sel: Selector) -> str | None:
    for query in TITLE_QUERIES:
        text = normalise_title(" ".join(sel.css(query).getall()))
        if text:
            return text
    return None


def article_date(sel: Selector) -> str | None:
    for query in (
        "meta[name=PubDate]::attr(content)",
        "publishtime ::text",
        "meta[name=firstpublishedtime]::attr(content)",
    ):
        m = DATE_RE.search(" ".join(sel.css(query).getall()))
        if m:
            y, mo, d = m.groups()
            return f"{y}-{int(mo):02d}-{int(d):02d}"
    return None


def attachments(url: str, sel: Selector, limit: int = MAX_LINKS) -> list[Attachment]:
    """Document links among an article's first ``limit`` anchors (PDF/DOC/DOCX/WPS/XLS …,
    download endpoints included), each once, with the link text as the name hint; page
    furniture is skipped."""
    found: dict[str, Attachment] = {}
    for a in _anchors(sel, limit):
        href = a.attrib.get("href", "").strip()
        if not href or href.startswith("javascript:"):
            continue
        target = unwrap_document_url(urljoin(url, href))
        if not is_document_url(target) or _is_furniture(a):  # the cheap test first
            continue
        key = canonical_url(target)
        name = normalise_title("".join(a.css("::text").getall())) or None
        if not name:
            name = unquote(urlsplit(target).path.rsplit("/", 1)[-1]) or None
        if key not in found:
            found[key] = Attachment(url=target, name=name)
    for handled in _handler_downloads(url, sel):
        found.setdefault(canonical_url(handled.url), handled)
    return list(found.values())


#: What names a download rather than a page: in the handler's URL or in the clicked text.
DOWNLOAD_HINT_RE = re.compile(r"down|attach|file|fujian|附件|下载", re.I)
DOCUMENT_NAME_RE = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|ofd|rtf)$", re.I)


def _handler_downloads(url: str, sel: Selector) -> list[Attachment]:
    """Files behind download handlers: ``onclick="downloadFile('id')"``,
    ``href="javascript:downLoad('id')"`` or ``<span onclick="download('id', 'x.pdf')">``, the
    URL pattern read from the inline scripts. A handler that opens a page (a pager's
    ``goPage(2)``) is no download: the URL or the clicked text must name a file."""
    out: dict[str, Attachment] = {}
    for el, target in scripted(url, sel):
        name = normalise_title("".join(el.xpath(".//text()").getall())) or None
        if _is_furniture(el) or not (
            is_document_url(target)
            or DOWNLOAD_HINT_RE.search(urlsplit(target).path)
            or DOCUMENT_NAME_RE.search(name or "")
        ):
            continue
        out.setdefault(canonical_url(target), Attachment(target, name))
    return list(out.values())
