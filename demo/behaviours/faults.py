"""Transient faults of real servers: a slow page (``slow``: path -> seconds) and a 500 that
recovers on the next request (``fail_once``: paths), so that timeouts and retries are real."""

from __future__ import annotations

import time

from demo.behaviours.base import Behaviour
from demo.exchange import Exchange, Reply


def slow(ex: Exchange) -> Reply | None:
    delay = ex.spec["slow"].get(ex.path)
    if delay:
        time.sleep(float(delay))
    return None  # slow, then served as usual


def fail_once(ex: Exchange) -> Reply | None:
    if ex.path not in ex.spec["fail_once"]:
        return None
    site = ex.site
    with site.lock:
        first = ex.path not in site.failed_once
        site.failed_once.add(ex.path)
    if not first:
        return None
    return Reply(500, b"<html><body>500 Internal Server Error</body></html>", cacheable=False)


SLOW = Behaviour("slow", slow)
FAIL_ONCE = Behaviour("fail_once", fail_once)
