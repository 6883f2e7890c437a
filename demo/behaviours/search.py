"""The site's own search page (``search``: path, query parameter, and the index it searches):
a result lists every indexed item whose title holds every word of the query, as site search
engines (TRS 检索, 站内搜索) answer "<bureau> 年度报告". It is how a report filed under the wrong
column is found when no column lists it. ``required``: parameters the engine needs besides the
query (JEECMS's ``siteId``, TRS was5's ``channelid``: the form's hidden inputs); without them it
answers a 参数错误 page, as those engines do."""

from __future__ import annotations

from html import escape

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply, html


def matches(title: str, query: str) -> bool:
    words = query.split()
    return bool(words) and all(w in title for w in words)


def respond(ex: Exchange) -> Reply | None:
    conf = ex.spec["search"]
    if ex.path != conf["path"]:
        return None
    sent = {**ex.params, **ex.form}
    if any(sent.get(k) != v for k, v in conf.get("required", {}).items()):
        return html("<html><body><p>参数错误</p></body></html>", status=400, cacheable=False)
    query = sent.get(conf.get("param", "q"), "").strip()
    found = [it for it in conf["index"] if matches(it["title"], query)]
    rows = "".join(
        f'<li><a href="{escape(it["url"])}" target="_blank">{escape(it["title"])}</a>'
        f"<span class='date'>{escape(it['date'])}</span></li>"
        for it in found
    )
    title = escape(str(ex.spec["name"]))
    return html(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>站内搜索 - {title}</title>"
        f"</head><body><div class='header'><h1>{title}</h1></div>"
        f"<form action='{conf['path']}' method='get'><input name='{conf.get('param', 'q')}' "
        f"value='{escape(query)}'><button type='submit'>搜索</button></form>"
        f"<div class='search-result'><p>找到相关结果 {len(found)} 条</p>"
        f"<ul class='result-list'>{rows}</ul></div></body></html>",
        cacheable=False,
    )


BEHAVIOUR = Behaviour("search", respond)
