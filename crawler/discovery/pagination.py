"""Pagination links: the 下一页/尾页/index_N/?page=N links of a list."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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
        )
    return False


PAGE_OPTION_RE = re.compile(r"^第?(\d{1,4})页?$")


def is_page_option(text: str, value: str) -> bool:
    """Whether a ``<select>`` page jumper's option leads to a page of the same list: its text is
    a page number ("3", "第3页") and its value a page URL (``index_2.html``, ``?page=3``)."""
    m = PAGE_OPTION_RE.match(normalise_title(text))
    return bool(m) and is_pagination_link(m.group(1), value)


ARTICLE_PART_RE = re.compile(r"^(?P<stem>.+?)(?:_(?P<n>\d{1,2}))?(?P<ext>\.[a-z]+)$", re.I)


def article_next_page(url: str, anchors: list[tuple[str, str]]) -> str | None:
    """The next page of an article split over several (``t2024_1.html`` → ``t2024_1_2.html``,
    "下一页" or the page number): a link to the same file name with the next ``_N`` suffix.
    ``anchors`` are (text, absolute URL) pairs of the page."""
    path = urlsplit(url).path
    folder, _, name = path.rpartition("/")
    m = ARTICLE_PART_RE.match(name)
    if not m:
        return None
    wanted = f"{folder}/{m.group('stem')}_{int(m.group('n') or 1) + 1}{m.group('ext')}"
    for text, target in anchors:
        parts = urlsplit(target)
        if parts.netloc == urlsplit(url).netloc and parts.path == wanted:
            t = normalise_title(text)
            if NEXT_PAGE_TEXT_RE.match(t) or t.isdigit():
                return target
    return None
