"""Pagination links: the 下一页/尾页/index_N/?page=N links of a list."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from crawler.discovery.titles import normalise_title

NEXT_PAGE_TEXT_RE = re.compile(r"^(?:下一?页|后一?页|下页|尾页|末页|最后一页|下一页>+|>|>>|›|»)$")
PAGE_PARAM_RE = re.compile(
    r"(?:^|&)(page|pageno|pagenum|pageindex|currpage|cur_page|curpage|p|pn|pagenumber)=(\d+)",
    re.I,
)
#: A page number inside a path parameter: ``nb.jsp;pageNo=3?year=2023``.
PATH_PAGE_PARAM_RE = re.compile(
    r";(?:page|pageno|pagenum|pageindex|currpage|curpage|p|pn)=(\d+)", re.I
)
INDEX_PAGE_RE = re.compile(r"(?:index|list|column-index)[_-](\d+)\.s?html?$", re.I)


def is_pagination_link(text: str, href: str) -> bool:
    """Whether an anchor moves along the same list: 下一页/尾页 text, or a bare page number whose
    URL carries a page parameter or an ``index_N.html`` name."""
    t = normalise_title(text)
    if NEXT_PAGE_TEXT_RE.match(t):
        return True
    if t.isdigit() and len(t) <= 4:
        parts = urlsplit(href)
        return bool(
            PAGE_PARAM_RE.search(parts.query)
            or INDEX_PAGE_RE.search(parts.path)
            or PATH_PAGE_PARAM_RE.search(parts.path)
            or _numbered_like(t, parts.path.rsplit("/", 1)[-1].split(";")[0], parts.query)
        )
    return False


def _numbered_like(number: str, name: str, query: str) -> bool:
    """Whether a link's file name or query carries its text's page number as a number of its
    own (``index_p3.html``, ``list-3.htm``, ``?pn=3`` for "3"; ``index_2.html`` for "3" in
    builds counting from 0). Years and ids are not page numbers: only up to three digits."""
    if len(number) > 3 or number == "0":
        return False
    found = re.findall(r"(?<!\d)\d{1,3}(?!\d)", f"{name}?{query}")
    return number in found or str(int(number) - 1) in found


PAGE_OPTION_RE = re.compile(r"^第?(\d{1,4})页?$")


def is_page_option(text: str, value: str) -> bool:
    """Whether a ``<select>`` page jumper's option leads to a page of the same list: its text is
    a page number ("3", "第3页") and its value a page URL (``index_2.html``, ``?page=3``)."""
    m = PAGE_OPTION_RE.match(normalise_title(text))
    return bool(m) and is_pagination_link(m.group(1), value)


ARTICLE_PART_RE = re.compile(r"^(?P<stem>.+?)(?:_(?P<n>\d{1,2}))?(?P<ext>\.[a-z]+)$", re.I)


def article_next_page(url: str, anchors: list[tuple[str, str]]) -> str | None:
    """The next page of an article split over several, or None: a "下一页" (or page-number)
    link to the same article one page on. Same article means the same file with the next
    ``_N`` suffix (``t2024_1.html`` → ``t2024_1_2.html``; a directory article ``…/2301577/``
    → ``…/2301577/index_2.html``), or the same path and query with the page parameter one on
    (``info.jsp?id=3301`` → ``info.jsp?id=3301&page=2``). ``anchors`` are (text, absolute URL)
    pairs of the page."""
    here = urlsplit(url)
    folder, _, name = here.path.rpartition("/")
    m = ARTICLE_PART_RE.match(name)
    if m:
        wanted = {f"{folder}/{m.group('stem')}_{int(m.group('n') or 1) + 1}{m.group('ext')}"}
    else:
        wanted = (
            {f"{folder}/index_2.{ext}" for ext in ("html", "htm", "shtml")} if not name else set()
        )
    current = dict(parse_qsl(here.query))
    page_key = next((k for k in current if PAGE_PARAM_RE.match(f"{k}=1")), None)
    number = int(current[page_key]) if page_key and current[page_key].isdigit() else 1
    for text, target in anchors:
        t = normalise_title(text)
        if not (NEXT_PAGE_TEXT_RE.match(t) or t.isdigit()):
            continue
        parts = urlsplit(target)
        if parts.netloc != here.netloc:
            continue
        if parts.path in wanted and (not m or parts.query == here.query):
            return target
        if parts.path == here.path and _next_by_param(
            current, dict(parse_qsl(parts.query)), number
        ):
            return target
    return None


def _next_by_param(current: dict[str, str], target: dict[str, str], number: int) -> bool:
    """Whether ``target``'s query is ``current``'s with a page parameter at ``number + 1``."""
    extra = {k: v for k, v in target.items() if current.get(k) != v}
    if len(extra) != 1:
        return False
    [(key, value)] = extra.items()
    return bool(PAGE_PARAM_RE.match(f"{key}={value}")) and value == str(number + 1)
