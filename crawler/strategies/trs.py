"""TRS WCM (拓尔思): list pages index.html, index_1.html … whose count is only in a script.

``createPageHTML(3, 0, "index", "html")`` (or ``var countPage = 3``) says there are 3 pages:
index.html is the first, index_1.html the second. No link on the page names the others, so
without reading the script a crawler sees only the first page.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.strategies.base import Followup, Listing

NAME = "trs"
FOLLOWUP_KINDS: dict[str, str] = {}  # TRS lists are ordinary pages

CREATE_PAGE_RE = re.compile(
    r"createPageHTML\s*\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
    r"(?:\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"])?"
)
#: Variant with a target element first: ``createPageHTML('page_div', 5, 0, 'index', 'shtml', 96)``.
CREATE_PAGE_EL_RE = re.compile(
    r"createPageHTML\s*\(\s*['\"][\w-]+['\"]\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
    r"\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
#: Newer TRS templates: ``new Pager({size:19, current:0, prefix:'index', suffix:'html'})``.
PAGER_RE = re.compile(
    r"Pager\(\s*\{\s*size\s*:\s*['\"]?(\d+)['\"]?\s*,\s*current\s*:\s*['\"]?(\d+)['\"]?"
    r"(?:\s*,\s*prefix\s*:\s*['\"]([\w-]+)['\"])?(?:\s*,\s*suffix\s*:\s*['\"](\w+)['\"])?"
)
COUNT_PAGE_RE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
CURRENT_PAGE_RE = re.compile(r"\bcurrentPage\s*=\s*['\"]?(\d+)")
#: A list page with more than this many pages is not a report column; stop generating URLs.
MAX_GENERATED_PAGES = 200


def applies(url: str, text: str) -> bool:
    return bool(CREATE_PAGE_RE.search(text) or PAGER_RE.search(text) or COUNT_PAGE_RE.search(text))


def page_count(text: str) -> tuple[int, int, str, str] | None:
    """(count, current, name, ext) from the page script, or None when the page has none."""
    m = CREATE_PAGE_RE.search(text) or CREATE_PAGE_EL_RE.search(text) or PAGER_RE.search(text)
    if m:
        return int(m.group(1)), int(m.group(2)), m.group(3) or "index", m.group(4) or "html"
    m = COUNT_PAGE_RE.search(text)
    if m:
        cur = CURRENT_PAGE_RE.search(text)
        return int(m.group(1)), int(cur.group(1)) if cur else 0, "index", "html"
    return None


def page_urls(url: str, text: str) -> list[str]:
    """The other pages of a TRS list, generated from the first page only.

    Page N (0-based) is ``{name}_{N}.{ext}`` beside the first; later pages repeat the same
    script, so generating from them too would only produce duplicates.
    """
    found = page_count(text)
    if not found:
        return []
    count, current, name, ext = found
    if count <= 1 or current != 0:
        return []
    path = urlsplit(url).path
    if re.search(rf"{re.escape(name)}_\d+\.\w+$", path):
        return []
    base = url if path.endswith("/") else urljoin(url, ".")
    return [urljoin(base, f"{name}_{n}.{ext}") for n in range(1, min(count, MAX_GENERATED_PAGES))]


def extract(url: str, text: str, sel: Selector) -> Listing:
    return Listing(followups=[Followup(u) for u in page_urls(url, text)])


def parse_followup(kind: str, url: str, text: str, formdata: dict[str, str]) -> Listing:
    raise KeyError(kind)  # TRS asks only for ordinary pages


def article_title(sel: Selector) -> str | None:
    return None
