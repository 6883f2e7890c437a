"""Await work running in a ``concurrent.futures`` executor from the reactor thread.

Why not ``asyncio.wrap_future``: the pipelines must work whichever Twisted reactor the settings
install (asyncio or not), so the future is bridged to a Deferred that is fired on the reactor
thread, and awaited with Scrapy's ``maybe_deferred_to_future``.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable
from typing import Any, TypeVar

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import defer, reactor

T = TypeVar("T")


def future_to_deferred(fut: cf.Future[T], timeout: float | None = None) -> defer.Deferred[T]:
    """A Deferred that fires on the reactor thread with ``fut``'s result or exception.

    With ``timeout`` it fails with ``twisted.internet.defer.TimeoutError`` when the work takes
    longer (the work itself is not stopped: the caller decides what to do with it).
    """
    d: defer.Deferred[T] = defer.Deferred()

    def fire(f: cf.Future[T]) -> None:
        if d.called:  # timed out already
            return
        if f.cancelled():
            d.errback(cf.CancelledError())
            return
        exc = f.exception()
        if exc is not None:
            d.errback(exc)
        else:
            d.callback(f.result())

    fut.add_done_callback(lambda f: reactor.callFromThread(fire, f))
    if timeout is not None:
        d.addTimeout(timeout, reactor)
    return d


async def run_in(
    executor: cf.Executor, fn: Callable[..., T], *args: Any, timeout: float | None = None
) -> T:
    """``fn(*args)`` in ``executor``, awaited without blocking the reactor."""
    return await maybe_deferred_to_future(future_to_deferred(executor.submit(fn, *args), timeout))
