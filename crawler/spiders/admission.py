"""When the spider's start may enter the next site: at most ``YINGJI_SITES_IN_PROGRESS`` at once.

Scrapy reads ``Spider.start()`` to its end at once, whatever the downloader's load: every seed's
start pages would wait in the scheduler from the first second, and with one queue per site
(Scrapy's ``DownloaderAwarePriorityQueue``) the crawl would enter every site at the same time,
holding the frontier, the connection, the robots.txt parser and the download slot of all of
them at its peak, and the queue would weigh every site's slot at each pop. Admitted a seed at
a time while fewer than the setting's sites have requests waiting, what the crawl holds at once
is bounded by the setting, not by the seed list (issue 12); sites whose requests are in the
downloader or whose pages are being parsed do not count, so the request slots stay busy.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

POLL_SECONDS = 0.05  # how often a waiting start looks for room for the next site


async def room_for_a_site(crawler: Crawler) -> None:
    """Return once fewer than ``YINGJI_SITES_IN_PROGRESS`` sites have requests waiting in the
    scheduler (at once when the setting is 0, the engine is stopping, or the scheduler cannot
    tell: ``crawler.resume.JournalScheduler.sites_waiting``)."""
    from twisted.internet import reactor  # the installed one: importing it earlier installs one

    limit = crawler.settings.getint("YINGJI_SITES_IN_PROGRESS")
    engine = crawler.engine
    waited = False
    while limit > 0 and engine is not None and engine.running:
        waiting = getattr(engine.scheduler, "sites_waiting", None)
        if waiting is None or waiting() < limit:
            break
        waited = True
        await maybe_deferred_to_future(task.deferLater(reactor, POLL_SECONDS))
    if waited and crawler.stats:  # seeds that waited for room: the bound was reached
        crawler.stats.inc_value("yingji/start/waited")
