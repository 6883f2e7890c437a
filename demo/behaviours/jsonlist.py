"""A list page that is an empty shell: its inline script fetches the column's items from an
endpoint, by column id and page number, as JSON, JSONP or XML, with the site's own key names.

Many CMS builds (and in-house portals) render lists this way; gkmlpt is one shape of it. The
manifest says everything that differs between them (``jsonlist``):

    "path": "/api/info/list", "format": "json" | "jsonp" | "xml",
    "column_param": "channelId", "page_param": "pageNo", "size_param": "pageSize",
    "per_page": 3, "callback_param": "callback",          # JSONP only
    "keys": {"total": "totalCount", "list": "data.list",   # dotted: nested envelopes
             "title": "docTitle", "url": "docUrl", "date": "pubDate"},
    "columns": {"1877": [{"title": …, "url": …, "date": …}, …]},
    "method": "POST",                                      # optional: a GET gets an empty list
    "year_param": "year",                                  # optional: items filtered by "year"
    "extra": {"thumb": "/images/ico.png"},                 # optional: fields put before the rest

``"format": "xml-cdata"`` answers as Hanweb-like builds do: each ``<record>`` of the
``<recordset>`` holds the list item's HTML in a CDATA section (``<li><a href title>…</a>
<span>date</span></li>``), titles cut short in the text and whole in ``title=``.
An unknown column gets an empty list (as real endpoints answer), never an error page.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply


def _nest(dotted: str, value: Any, into: dict[str, Any]) -> None:
    *outer, last = dotted.split(".")
    node = into
    for part in outer:
        node = node.setdefault(part, {})
    node[last] = value


def page_of(conf: dict[str, Any], params: dict[str, str]) -> tuple[list[dict[str, str]], int]:
    """The items of the requested page of a column and the column's total."""
    items = conf["columns"].get(params.get(conf["column_param"], ""), [])
    if "year_param" in conf:  # a list per year: ?year=2023 (no year: the newest)
        years = sorted({str(it["year"]) for it in items}, reverse=True)
        wanted = params.get(conf["year_param"]) or (years[0] if years else "")
        items = [it for it in items if str(it["year"]) == wanted]
    per = int(params.get(conf.get("size_param", ""), "") or conf.get("per_page", 10))
    try:
        page = max(int(params.get(conf["page_param"], "1") or 1), 1)
    except ValueError:
        page = 1
    return items[(page - 1) * per : page * per], len(items)


def _cdata(keys: dict[str, str], chosen: list[dict[str, str]], total: int) -> Reply:
    def item(it: dict[str, str]) -> str:
        title = escape(str(it["title"]), {'"': "&quot;"})
        short = title if len(title) <= 16 else title[:16] + "…"
        link = f'<a href="{it["url"]}" title="{title}" target="_blank">{short}</a>'
        return (
            f"<{keys['item']}><![CDATA[<li>{link}<span>{it['date']}</span></li>]]></{keys['item']}>"
        )

    xml = (
        f"<?xml version='1.0' encoding='UTF-8'?><{keys['root']}><totalrecord>{total}</totalrecord>"
        f"<{keys['list']}>{''.join(item(it) for it in chosen)}</{keys['list']}></{keys['root']}>"
    )
    return Reply(200, xml.encode("utf-8"), "text/xml; charset=utf-8")


def respond(ex: Exchange) -> Reply | None:
    conf = ex.spec["jsonlist"]
    if ex.path != conf["path"]:
        return None
    params = {**ex.params, **ex.form}
    if conf.get("method") == "POST" and ex.method != "POST":
        params = {}  # the servlet reads its form only: a GET names no column
    chosen, total = page_of(conf, params)
    keys = conf["keys"]
    per = int(params.get(conf.get("size_param", ""), "") or conf.get("per_page", 10))
    if conf["format"] == "xml-cdata":
        return _cdata(keys, chosen, total)
    if conf["format"] == "xml":
        rows = "".join(
            f"<{keys['item']}>"
            + "".join(
                f"<{keys[f]}>{escape(str(it[f]))}</{keys[f]}>" for f in ("title", "url", "date")
            )
            + f"</{keys['item']}>"
            for it in chosen
        )
        xml = (
            f"<?xml version='1.0' encoding='UTF-8'?><{keys['root']}>"
            f"<{keys['total']}>{total}</{keys['total']}>{rows}</{keys['root']}>"
        )
        return Reply(200, xml.encode("utf-8"), "text/xml; charset=utf-8")
    doc: dict[str, Any] = {"code": 0, "msg": "success"}
    _nest(keys["total"], total, doc)
    if "pages" in keys:
        _nest(keys["pages"], (total + per - 1) // per, doc)
    extra = conf.get("extra", {})
    rows_json = [{**extra, **{keys[f]: it[f] for f in ("title", "url", "date")}} for it in chosen]
    _nest(keys["list"], rows_json, doc)
    text = json.dumps(doc, ensure_ascii=False)
    if conf["format"] == "jsonp":
        callback = params.get(conf.get("callback_param", "callback"), "") or "callback"
        return Reply(200, f"{callback}({text});".encode(), "application/javascript; charset=utf-8")
    return Reply(200, text.encode("utf-8"), "application/json; charset=utf-8")


BEHAVIOUR = Behaviour("jsonlist", respond)
