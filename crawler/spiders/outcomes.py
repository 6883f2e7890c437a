"""What the spider records about a site (failures, block pages, the end) and its plain items.

Plain functions on :class:`~crawler.sitestate.SiteState`, so the rules (robots.txt denial,
WAF statuses, an unreachable start page) are testable without a crawl.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from parsel import Selector
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import discovery
from crawler.items import Attachment, ReportItem
from crawler.middlewares import SiteRuleDrop
from crawler.netguard import RefusedAddress
from crawler.seeds import Seed
from crawler.sitestate import SiteState
from crawler.strategies import Entry, generic
from storage.runtable import site_note

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


def article_item(
    seed: Seed,
    url: str,
    title: str,
    published: str | None,
    body: bytes,
    encoding: str | None,
    attachments: Iterable[Attachment],
) -> ReportItem:
    """The item of a report page: its HTML as received (pages joined) and its documents."""
    return replace(
        document_item(seed, url, title, published),
        body=body,
        body_encoding=encoding,
        attachments=tuple(attachments),
    )


def related_reports(url: str, text: str, em: bool) -> list[Entry]:
    """Report links on an article page (上一篇/下一篇, 相关链接 often lead to other years'
    reports of the same bureau); its own document links are its attachments, not reports."""
    found = []
    for entry in generic.links(url, Selector(text=text)):
        if discovery.is_document_url(entry.url) or discovery.is_skippable_url(entry.url):
            continue
        verdict = discovery.classify_title(entry.title, em_context=em)
        if verdict and not verdict.graphic:
            found.append(entry)
    return found


def record_block(response: Response, site: SiteState) -> str | None:
    """Why a page served with status 200 is a block page (noted on ``site``), or None."""
    if not isinstance(response, TextResponse):
        return None
    reason = discovery.block_reason(response.text)
    if reason:
        site.blocked = True
        site.note_error(f"{reason} at {response.url}")
    return reason


#: What a failed fetch means to a reader of the run table, by exception name (Scrapy's own and
#: the Twisted ones it passes through); the first match names the cause in the site's note.
CAUSES: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"DownloadTimeoutError", "TimeoutError", "TCPTimedOutError"}), "timed out"),
    (frozenset({"DownloadCancelledError", "CancelledError"}), "over the size cap"),
    (frozenset({"ResponseDataLossError", "_DataLoss"}), "data loss (body cut short)"),
    (
        frozenset({"DownloadConnectionRefusedError", "ConnectionRefusedError"}),
        "connection refused",
    ),
    (
        frozenset({"ConnectionLost", "ConnectionDone", "ResponseNeverReceived", "ResponseFailed"}),
        "connection lost or reset",
    ),
    (frozenset({"CannotResolveHostError", "DNSLookupError"}), "host name does not resolve"),
)


def failure_cause(failure: Failure) -> str:
    """The cause of a failed fetch in a few words, then what the exception itself says."""
    value = failure.value
    detail = f"{type(value).__name__}: {value}" if str(value) else type(value).__name__
    if failure.check(IgnoreRequest):
        if "redirect" in str(value):  # RedirectLoopMiddleware, or REDIRECT_MAX_TIMES hops
            return f"redirect loop or chain too long ({value})"
        if "decompression" in str(value):  # HttpCompressionMiddleware: DOWNLOAD_MAXSIZE
            return f"decompression bomb ({value})"
        return f"ignored ({value})"
    names = {cls.__name__ for cls in type(value).__mro__}
    nested = getattr(value, "reasons", None) or [getattr(value, "__cause__", None)]
    for reason in nested:  # ResponseFailed wraps the Twisted reasons
        inner = getattr(reason, "value", reason)
        if inner is not None:
            names |= {cls.__name__ for cls in type(inner).__mro__}
    for kinds, cause in CAUSES:
        if names & kinds:
            return f"{cause} ({detail})"
    return detail


def _start_failed(site: SiteState, request: Request) -> None:
    """A start URL that ended without a page leaves the site unreachable until a page is read."""
    if request.meta.get("start") and not site.pages_fetched:
        site.unreachable = True


def record_failure(failure: Failure, site: SiteState) -> str | None:
    """Note on ``site`` why a request failed; the message to log, or None when not worth one.

    Never silent: every way a fetch ends without a page (redirect loop, decompression bomb,
    size cap, data loss, timeout after retries, refused or reset connection, refused address)
    is noted with its cause, and a start page failing before any page was read marks the site
    unreachable. A robots.txt denial of the start page marks the site robots-denied; a WAF
    status (or a 403/405 carrying a captcha page) marks it blocked. The site's own caps
    (:class:`~crawler.middlewares.SiteRuleDrop`) are deliberate and note nothing.
    """
    request = failure.request  # type: ignore[attr-defined]
    if failure.check(SiteRuleDrop):
        return None  # counted in requests_dropped / capped
    if failure.check(IgnoreRequest) and not failure.check(HttpError):
        if "robots.txt" in str(failure.value):
            if request.meta.get("start"):
                site.robots_denied = True
            site.note_error(f"robots.txt forbids {request.url}")
            return None
        refused = failure.check(RefusedAddress)  # crawler/netguard.py logs its refusals itself
        cause = str(failure.value) if refused else failure_cause(failure)
        message = f"{cause} at {request.url}"
        site.note_error(message)
        _start_failed(site, request)
        return None if refused else message
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
        message = f"{failure_cause(failure)} at {request.url}"
    site.note_error(message)
    _start_failed(site, request)
    return message


def site_summary(state: SiteState) -> str:
    """The closing log line of one site, with the run table's note: for a site with none found
    what was tried, the refusals, the first error (one renderer: storage/runtable.py)."""
    error = state.last_error if not state.items_yielded else None
    note = site_note(state.status, error, state.detail())
    return (
        f"site {state.name}: {state.status} "
        f"(pages {state.pages_fetched}, reports {state.items_yielded})"
        + (f" - {note}" if note else "")
    )


def write_sites(path: Path, sites: Mapping[str, SiteState]) -> None:
    """The per-site states as JSON, keyed by seed URL."""
    data = {url: state.to_dict() for url, state in sites.items()}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
