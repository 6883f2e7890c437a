"""Guangdong's gkmlpt (政府信息公开目录平台): the list page is a shell and the articles come from
``/gkmlpt/api/all/<category>?page=N&sid=<site id>`` as JSON (``gkmlpt``: sid, per_page,
categories -> list of articles); a wrong sid gets an empty list, as the real API answers."""

from __future__ import annotations

import json

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply

PREFIX = "/gkmlpt/api/all/"


def respond(ex: Exchange) -> Reply | None:
    if not ex.path.startswith(PREFIX):
        return None
    g = ex.spec["gkmlpt"]
    params = ex.params
    cat = ex.path.rsplit("/", 1)[-1]
    if params.get("sid") != g["sid"] or cat not in g["categories"]:
        return Reply(
            200,
            b'{"total":0,"articles":[],"msg":"sid error"}',
            "application/json",
            cacheable=False,
        )
    articles = g["categories"][cat]
    per = int(g.get("per_page", 10))
    page = max(int(params.get("page", "1") or 1), 1)
    chunk = articles[(page - 1) * per : page * per]
    body = json.dumps({"total": len(articles), "articles": chunk}, ensure_ascii=False)
    return Reply(200, body.encode("utf-8"), "application/json; charset=utf-8")


BEHAVIOUR = Behaviour("gkmlpt", respond)
