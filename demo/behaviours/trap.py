"""A crawler trap (``traps``: paths): a calendar that invents the next day for ever."""

from __future__ import annotations

import datetime as dt

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply, html


def respond(ex: Exchange) -> Reply | None:
    if ex.path not in ex.spec["traps"]:
        return None
    try:
        day = dt.date.fromisoformat(ex.params.get("date", "2024-01-01"))
    except ValueError:
        day = dt.date(2024, 1, 1)
    nxt = day + dt.timedelta(days=1)
    prev = day - dt.timedelta(days=1)
    return html(
        f"<html><head><meta charset='utf-8'><title>信息公开日历 {day}</title></head>"
        f"<body><h2>{day:%Y年%m月%d日} 信息公开</h2><p>本日无公开信息。</p>"
        f"<a href='{ex.path}?date={prev}'>上一页</a> "
        f"<a href='{ex.path}?date={nxt}'>下一页</a></body></html>"
    )


BEHAVIOUR = Behaviour("traps", respond)
