"""What the spider records about a site (failures, block pages, the end) and its plain items.

Plain functions on :class:`~crawler.sitestate.SiteState`, so the rules (robots.txt denial,
WAF statuses, an unreachable start page) are testable without a crawl.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import discovery
from crawler.items import ReportItem
from crawler.netguard import RefusedAddress
from crawler.seeds import Seed
from crawler.sitestate import SiteState

#: Statuses that only anti-bot services send (加速乐 521/412 challenges, 567 …).
BLOCK_STATUSES = frozenset({412, 521, 567})


def document_item(seed: Seed, url: str, title: str, published: str | None) -> ReportItem:
    """The item of a report that is a document itself (the download pipeline fetches it)."""
    return ReportItem(
        site_name=seed.name,
        region=seed.region,
        site_url=seed.url,
        url=url,
        title=title,
        published=published,
    )


def record_block(response: Response, site: SiteState) -> str | None:
    """Why a page served with status 200 is a block page (noted on ``site``), or None."""
    if not isinstance(response, TextResponse):
        return None
    reason = discovery.block_reason(response.text)
    if reason:
        site.blocked = True
        site.note_error(f"{reason} at {response.url}")
    return reason


def record_failure(failure: Failure, site: SiteState) -> str | None:
    """Note on ``site`` why a request failed; the message to log, or None when not worth one.

    A robots.txt denial of the start page marks the site robots-denied; a WAF status (or a
    403/405 carrying a captcha page) marks it blocked; any failure of a start page before any
    page was fetched marks it unreachable, a refused address (the SSRF guard) included.
    """
    request = failure.request  # type: ignore[attr-defined]
    if failure.check(IgnoreRequest) and not failure.check(HttpError):
        if "robots.txt" in str(failure.value):
            if request.meta.get("start"):
                site.robots_denied = True
            site.note_error(f"robots.txt forbids {request.url}")
        if failure.check(RefusedAddress):  # crawler/netguard.py: never a request inside the network
            site.note_error(f"{failure.value} at {request.url}")
            if request.meta.get("start") and not site.pages_fetched:
                site.unreachable = True
        return None
    if failure.check(HttpError):
        response = failure.value.response
        message = f"HTTP {response.status} at {request.url}"
        text = response.text if isinstance(response, TextResponse) else ""
        reason = discovery.block_reason(text) if text else None
        if response.status in BLOCK_STATUSES or (response.status in (403, 405) and reason):
            # WAFs answer 521/412 with a JS challenge, or 403 with a captcha page
            site.blocked = True
            detail = f"HTTP {response.status}" + (f", {reason}" if reason else "")
            site.note_error(f"blocked ({detail}) at {request.url}")
            return None
    else:
        kind = failure.type.__name__ if failure.type else "error"
        message = f"{kind}: {failure.getErrorMessage()} at {request.url}"
    site.note_error(message)
    if request.meta.get("start") and not site.pages_fetched:
        site.unreachable = True
    return message


def site_summary(state: SiteState) -> str:
    """The closing log line of one site."""
    error = f" - {state.last_error}" if state.last_error and not state.items_yielded else ""
    return (
        f"site {state.name}: {state.status} "
        f"(pages {state.pages_fetched}, reports {state.items_yielded}){error}"
    )


def write_sites(path: Path, sites: Mapping[str, SiteState]) -> None:
    """The per-site states as JSON, keyed by seed URL."""
    data = {url: state.to_dict() for url, state in sites.items()}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
