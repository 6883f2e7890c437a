"""A list that never ends (``endless_list``: path, pages, first): every ``list_N.html`` under
``path`` answers, each page's script claims thousands of pages and its 下一页/末页 links go on
through ``javascript:turnPage(N)``, as broken or hostile CMS builds do. Page 1 lists the
``first`` items; the others list none. A crawler must spend a bounded number of requests on it,
whatever the page counts say."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply, html

PAGE_RE = re.compile(r"list_(\d{1,9})\.html$")


def page(conf: dict[str, Any], n: int, site_name: str) -> str:
    rows = (
        "".join(
            f'<li><a href="{escape(it["url"])}">{escape(it["title"])}</a>'
            f"<span>{it['date']}</span></li>"
            for it in conf["first"]
        )
        if n == 1
        else ""
    )
    last = int(conf["pages"])
    nav = (f'<a href="javascript:turnPage({n - 1})">上一页</a> ' if n > 1 else "") + (
        f'<a href="javascript:turnPage({n + 1})">下一页</a> '
        f'<a href="javascript:turnPage({last})">末页</a>'
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>政府信息公开年报_{site_name}"
        f"</title></head><body><div class='main'><ul class='list'>{rows}</ul>"
        f"<div class='page'>共{last}页 第{n}页 {nav}</div></div>"
        "<script type='text/javascript'>\n"
        "var pageConf = {totalPage: 9999, url: 'list_{page}.html'};\n"
        "function turnPage(n) { location.href = 'list_' + n + '.html'; }\n"
        "</script></body></html>"
    )


def respond(ex: Exchange) -> Reply | None:
    conf = ex.spec["endless_list"]
    if not ex.path.startswith(conf["path"]):
        return None
    m = PAGE_RE.search(ex.path[len(conf["path"]) :])
    if not m or not 1 <= int(m.group(1)) <= int(conf["pages"]):
        return None
    return html(page(conf, int(m.group(1)), str(ex.spec["name"])))


BEHAVIOUR = Behaviour("endless_list", respond)
