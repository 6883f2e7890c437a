"""URLs: the canonical form (tracking parameters dropped), the template that bounds traps, joins."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

#: Query parameters that only track visitors: dropping them merges duplicate URLs.
TRACKING_PARAM_RE = re.compile(
    r"^(?:utm_\w+|spm|fbclid|gclid|wxfrom|isappinstalled|share\w*|clicktime|enterid|jsessionid)$",
    re.I,
)
#: Cache busters: dropped only when their value looks like a timestamp or a random number, so
#: that a meaningful ``from=news`` or ``v=2`` is kept.
CACHE_BUSTER_RE = re.compile(
    r"^(?:_t|t|_|ts|_ts|timestamp|time|rnd|random|r|v|nocache|from)$", re.I
)
CACHE_BUSTER_VALUE_RE = re.compile(
    r"^(?:\d{8,}|0?\.\d{4,}|[a-z]+(?:message|timeline|singlemessage|groupmessage))$", re.I
)


def is_tracking_param(key: str, value: str) -> bool:
    """Whether a query parameter only tracks the visitor or busts caches."""
    if TRACKING_PARAM_RE.match(key):
        return True
    return bool(CACHE_BUSTER_RE.match(key) and CACHE_BUSTER_VALUE_RE.match(value))


def canonical_url(url: str) -> str:
    """One spelling per page: no fragment, no tracking parameters, no ;jsessionid, sorted query.

    Keeps ``#`` out except for gkmlpt's ``/gkmlpt/index#catId``, which is how that app names a
    column (the spider reads the fragment before calling this).
    """
    parts = urlsplit(url.strip())
    path = re.sub(r";jsessionid=[^/?#]*", "", parts.path, flags=re.I) or "/"
    if ".." in path or "/./" in path:
        trailing = path.endswith("/")
        path = posixpath.normpath(path)
        if trailing and not path.endswith("/"):
            path += "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k, v)
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), path, urlencode(sorted(query)), "")
    )


_TEMPLATE_DIGITS = re.compile(r"\d+")


def url_template(url: str) -> str:
    """The shape of a URL with every number replaced: pages of one trap share one template.

    ``/list?date=2023-01-02`` and ``/list?date=2023-01-03`` both give ``/list?date=N-N-N``; a
    per-template cap stops calendar-style traps however many dates they invent.
    """
    parts = urlsplit(canonical_url(url))
    query = "&".join(f"{k}={_TEMPLATE_DIGITS.sub('N', v)}" for k, v in parse_qsl(parts.query, True))
    return f"{parts.netloc}{_TEMPLATE_DIGITS.sub('N', parts.path)}?{query}"


def absolute(base: str, href: str) -> str:
    """Resolve a link (relative ``../`` ones included) against the page it was found on."""
    return urljoin(base, href.strip())


BASE_HREF_RE = re.compile(r"<base\b[^>]*\bhref\s*=\s*[\"']?([^\"'\s>]+)", re.I)


def link_base(linked: str | None, final: str, text: str, redirected: bool = False) -> str:
    """The URL a page's relative links resolve against.

    A browser resolves against the URL it ended on: after a redirect (a TRS column linked as
    ``…/nb`` answering 301 to ``…/nb/``) the linked URL is wrong by a folder, and every
    relative report link would 404. ``<base href>`` overrides both. Without either, the URL as
    linked is kept, fragment included (gkmlpt names its column in the fragment).
    """
    base = final if redirected or not linked else linked
    if redirected and linked:
        fragment = urlsplit(linked).fragment
        if fragment and not urlsplit(final).fragment:
            base = f"{final}#{fragment}"
    m = BASE_HREF_RE.search(text[:20000] if text else "")
    if m and not m.group(1).lower().startswith(("javascript:", "#")):
        return urljoin(base, m.group(1))
    return base
