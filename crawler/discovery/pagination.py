"""Pagination links: the 下一页/尾页/index_N/?page=N links of a list."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

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


#: A page number at the end of a list page's file name: ``index_9.html``, ``index_p9.html``,
#: ``list-9.htm``, ``column-index-9.shtml``, ``9.html``.
NAME_PAGE_RE = re.compile(r"(^|[_\-p])(\d{1,7})(\.[a-z]{2,5})?$", re.I)
#: Pages filled in between the first page and the last one it links, at most: a list that
#: claims a million pages costs this many requests (the site's URL-template cap is lower).
MAX_FILLED_PAGES = 100


def page_slot(url: str) -> tuple[str, int, int] | None:
    """A list page's URL as (template, page number, number of the second page): the template
    is the URL with its page number replaced by ``{}`` — the page parameter of the query
    (``?page=9``: the second page is 2), a path parameter (``;pageNo=9``: 2), or the number
    ending the file name (``index_9.html``: 1, as TRS names its second page ``index_1``).
    None for a URL that carries no page number (a list's first page, ``index.html``)."""
    parts = urlsplit(url)
    for field, pattern in (("query", PAGE_PARAM_RE), ("path", PATH_PAGE_PARAM_RE)):
        value = getattr(parts, field)
        m = pattern.search(value)
        if m:
            group = m.lastindex or 1
            start, end = m.span(group)
            filled = value[:start].replace("{", "{{").replace("}", "}}")
            rest = value[end:].replace("{", "{{").replace("}", "}}")
            template = parts._replace(**{field: f"{filled}{{}}{rest}"})
            return _unsplit(template, field), int(m.group(group)), 2
    folder, _, name = parts.path.rpartition("/")
    m = NAME_PAGE_RE.search(name)
    if not m:
        return None
    path = f"{folder}/{name[: m.start(2)]}{{}}{name[m.end(2) :]}"
    return _unsplit(parts._replace(path=path), "path"), int(m.group(2)), 1


def _unsplit(parts: object, templated: str) -> str:
    """urlunsplit with the braces of the parts that are not the template escaped."""
    fields = parts._asdict()  # type: ignore[attr-defined]
    for key, value in fields.items():
        if key != templated:
            fields[key] = value.replace("{", "{{").replace("}", "}}")
    return urlunsplit(tuple(fields.values()))


def filled_pages(here: str, linked: list[tuple[str, str]]) -> list[str]:
    """The pages a list's first page does not link between the ones it does: "首页 1 2 3 … 9
    末页" or only 首页/末页 lead to 4…8 too, so every page is fetched without walking the
    list one 下一页 at a time — and a list whose 下一页 is a form post still gets its pages.
    ``linked`` are the (text, URL) pairs of the page's pagination links; a page number in a
    link's text tells how the URLs count (``index_2.html`` for "3": the second page is
    ``index_1``; for "2": it is ``index_2``).

    Only on the list's first page (one with no page number of the same shape, or number 1):
    a later page would extend the range again, and a list of endless pages would never end.
    At most :data:`MAX_FILLED_PAGES` from the lowest page number."""
    own = page_slot(here)
    numbers: dict[str, set[int]] = {}
    second: dict[str, int] = {}
    for text, target in linked:
        slot = page_slot(target)
        if slot is None:
            continue
        template, number, default = slot
        numbers.setdefault(template, set()).add(number)
        shown = normalise_title(text)
        if shown.isdigit() and int(shown) in (number, number + 1):
            second[template] = 2 if int(shown) == number else 1
        second.setdefault(template, default)
    out: list[str] = []
    for template, found in numbers.items():
        if own is not None and own[0] == template:
            if own[1] > 1:
                continue
            found = found | {own[1]}  # the page itself
        low = min(found | {second[template]})
        high = min(max(found), low + MAX_FILLED_PAGES - 1)
        out.extend(template.format(n) for n in range(low, high + 1) if n not in found)
    return out


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
