"""What inline scripts say about a list: page URLs built by a pagination call, and the URL
pattern a ``<select onchange>`` builds from its option's value.

CMS builds differ in function names (``createPageHTML``, ``initPagination``, ``laypage``,
``pageNav`` …) but not in what the call must carry: a page count and a page URL pattern with a
placeholder. Reading those two by shape, whatever the function, covers builds never seen.
"""

from __future__ import annotations

import re

#: A key or variable naming how many pages a list has (pageCount, totalPage, pages, countPage …).
PAGE_COUNT_RE = re.compile(
    r"""\b['"]?(?:page_?count|page_?total|total_?pages?|count_?pages?|pages|page_?num|max_?page|"""
    r"""page_?size_?total|total_?page_?num)['"]?\s*[:=]\s*['"]?(\d{1,4})\b""",
    re.I,
)
#: A quoted page URL with a page placeholder: 'list_{page}.html', "index_{0}.html", '?p=[page]'.
PAGE_PATTERN_RE = re.compile(
    r"""(['"])([^'"\s]*?(?:\{\{?\s*(?:page|pageno|pagenum|p|n|num|0|i)\s*\}?\}|\[page\]|%d)"""
    r"""[^'"\s]*)\1""",
    re.I,
)
PLACEHOLDER_RE = re.compile(
    r"\{\{?\s*(?:page|pageno|pagenum|p|n|num|0|i)\s*\}?\}|\[page\]|%d", re.I
)
#: Pages read from one script call at most; the site guard bounds what is fetched further.
MAX_SCRIPT_PAGES = 200

#: ``'prefix' + this.value + 'suffix'`` (or ``this.options[this.selectedIndex].value``).
ONCHANGE_RE = re.compile(
    r"""(['"])([^'"]*)\1\s*\+\s*(?:this|[\w$]+)(?:\.options\[[^\]]*\])?\.value"""
    r"""(?:\s*\+\s*(['"])([^'"]*)\3)?"""
)


def script_page_urls(script: str) -> list[str]:
    """Relative URLs of pages 2..N of a list from one inline script: the call must hold both a
    page count and a page URL pattern with a placeholder (page 1 is the page itself)."""
    count = PAGE_COUNT_RE.search(script)
    pattern = PAGE_PATTERN_RE.search(script)
    if not count or not pattern:
        return []
    pages = min(int(count.group(1)), MAX_SCRIPT_PAGES)
    template = pattern.group(2)
    return [PLACEHOLDER_RE.sub(str(n), template, count=1) for n in range(2, pages + 1)]


def onchange_target(onchange: str, value: str) -> str | None:
    """The URL a ``<select onchange="location.href='nb.jsp?year='+this.value">`` opens for an
    option of ``value``, or None when the handler builds no URL from it."""
    m = ONCHANGE_RE.search(onchange or "")
    if not m:
        return None
    return f"{m.group(2)}{value}{m.group(4) or ''}"
