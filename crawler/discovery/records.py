"""Records of a list endpoint (JSON, JSONP or XML), read by shape rather than by key names.

Each CMS names its fields differently (docTitle/docUrl, name/link, title/href); what they
share is the shape: a repeated record holding a link-like string, a string of Chinese text
(the title) and often a date. The longest such array (or repeated XML element) is the list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from parsel import Selector

JSONP_RE = re.compile(r"^\s*[\w$.]+\s*\((.*)\)\s*;?\s*$", re.S)
CJK_RE = re.compile(r"[\u4e00-\u9fff]")
DATE_VALUE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
DATE_IN_TEXT_RE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
#: A link-like value that is a picture or a script (a record's thumbnail, icon): never the item.
ASSET_RE = re.compile(r"\.(?:png|jpe?g|gif|bmp|svg|webp|ico|css|js)(?:\?.*)?$", re.I)
LINK_VALUE_RE = re.compile(r"^(?:https?://|/|\./|\.\./)[^\s<>\"']*$|^[\w./-]+\.s?html?(?:\?\S*)?$")


@dataclass(frozen=True)
class Record:
    url: str
    title: str
    published: str | None = None


def load(text: str) -> Any:
    """The answer as JSON (a JSONP wrapper removed) or, failing that, as an XML tree.

    Raises ValueError for an answer that is neither (an HTML error page, a WAF page).
    """
    body = (text or "").strip().lstrip("\ufeff")
    m = JSONP_RE.match(body)
    for candidate in (body, m.group(1) if m else None):
        if candidate:
            try:
                return json.loads(candidate)
            except ValueError:
                pass
    if body.startswith("<") and not re.match(r"<(?:!doctype\s+html|html)\b", body, re.I):
        return _xml_records(Selector(text=body, type="xml"))
    raise ValueError("neither JSON, JSONP nor XML")


def _html_records(sel: Selector) -> list[dict[str, str]]:
    """Records whose text is HTML (Hanweb-like ``<record><![CDATA[<li><a href title>…</a>
    <span>date</span></li>]]></record>``): the link of each, its fullest title and the text
    beside it (where the date is)."""
    out: list[dict[str, str]] = []
    for node in sel.xpath("//*[not(*)]"):
        text = node.xpath("string()").get("")
        if "<a " not in text.lower():
            continue
        for a in Selector(text=text).css("a[href]"):
            shown = "".join(a.css("::text").getall()).strip()
            title = a.attrib.get("title", "").strip()
            out.append(
                {
                    "href": a.attrib["href"].strip(),
                    "title": title if len(title) > len(shown) else shown,
                    "around": "".join(Selector(text=text).xpath("//text()").getall()),
                }
            )
    return out


def _xml_records(sel: Selector) -> list[dict[str, str]]:
    """The most repeated XML element whose children are all leaves, as dicts of their text;
    records carrying HTML in their text are read as the links they hold."""
    from_html = _html_records(sel)
    if from_html:
        return from_html
    groups: dict[str, list[dict[str, str]]] = {}
    for node in sel.xpath("//*[*][not(*/*)]"):
        fields = {c.xpath("name()").get(""): c.xpath("string()").get("") for c in node.xpath("*")}
        groups.setdefault(node.xpath("name()").get(""), []).append(fields)
    return max(groups.values(), key=len, default=[])


def _date(value: str) -> str | None:
    m = DATE_VALUE_RE.match(value.strip()) or DATE_IN_TEXT_RE.search(value)
    if not m:
        return None
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}"


def _record(obj: dict[str, Any]) -> Record | None:
    strings = [v.strip() for v in obj.values() if isinstance(v, str) and v.strip()]
    links = [
        v
        for v in strings
        if LINK_VALUE_RE.match(v) and not CJK_RE.search(v) and not ASSET_RE.search(v)
    ]
    titles = [v for v in strings if CJK_RE.search(v) and not DATE_IN_TEXT_RE.search(v)]
    titles = titles or [v for v in strings if CJK_RE.search(v)]
    if not links or not titles:
        return None
    dates = [d for d in map(_date, strings) if d]
    return Record(url=links[0], title=max(titles, key=len), published=dates[0] if dates else None)


def _arrays(data: Any) -> Iterator[list[Any]]:
    if isinstance(data, list):
        yield data
        for item in data:
            yield from _arrays(item)
    elif isinstance(data, dict):
        for value in data.values():
            yield from _arrays(value)


def records(data: Any) -> list[Record]:
    """The list's records: of every array of objects, the one with the most readable records."""
    best: list[Record] = []
    for array in _arrays(data):
        found = [r for r in (_record(o) for o in array if isinstance(o, dict)) if r]
        if len(found) > len(best):
            best = found
    return best
