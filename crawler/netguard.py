"""Requests never leave the public internet: the address guard (server-side request forgery).

yingji crawls public government sites, but it runs inside someone's network: a hostile or
hijacked page that links or redirects to ``http://10.0.0.1/``, ``http://169.254.169.254/``
(cloud metadata) or ``http://localhost:6379/`` must not make the crawler send that request.
:class:`AddressGuardMiddleware` is a downloader middleware placed right after the site guard
(off-site links are dropped there without a DNS lookup) and before robots.txt, so it sees each
request before robots.txt is asked for it, and again on every redirect hop (Scrapy's
RedirectMiddleware hands the next hop back to the engine, which sends it through the downloader
middlewares anew; the download pipeline's ``engine.download_async`` loops the same way).

A request is refused when its host is a non-public address (loopback, private, link-local, CGNAT
100.64/10, multicast, reserved or unspecified; IPv4 or IPv6, IPv4-mapped IPv6 included) or a
name that resolves to one, and when its scheme is not http(s) (``file://`` and ``ftp://`` reach
as far inside as a private address does). Names are resolved in a thread (never blocking the
reactor) and cached per host for the crawl. Exempt: the seeds' own hosts and ports, whatever
their address (the tests' and the demo's sites live on 127.0.0.x; an intranet seed is the
operator's choice), and the networks listed in ``YINGJI_ALLOWED_NETWORKS``. Behind an HTTP proxy
(``http_proxy`` / ``request.meta["proxy"]``) host names are the proxy's to resolve, so only
literal addresses are checked.

A refusal raises :class:`RefusedAddress` (an ``IgnoreRequest``) whose message gives the reason
("refused: 10.0.0.1 is a private address"); the spider records it on the site and the download
pipeline on the document, the site counts its refusals by reason (``SiteState.refused``, shown
in the run record), and the crawl stats count refusals per kind
(``yingji/netguard/refused/<kind>``). What remains possible is DNS rebinding between this check
and the connection (a name answering differently a second later); the resolver caches and the
short window make it hard, and a proxy that enforces the same rule closes it.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
#: "Private" in the everyday sense (RFC 1918, IPv6 unique-local and site-local); the other
#: non-global ranges (documentation, benchmarking, 240/4 …) are called reserved.
_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fec0::/10")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: Forms inet_aton reads as IPv4 that ipaddress does not: "127.1", "0x7f.0.0.1", "2130706433".
_LEGACY_IPV4 = re.compile(r"[0-9a-fA-FxX.]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Hosts whose answers are remembered; a crawl of thousands of sites stays well under it.
_CACHE_SIZE = 20_000


class RefusedAddress(IgnoreRequest):
    """A request to a non-public address; ``kind`` names the range (for stats and tests)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def reason(self) -> str:
        """The refusal's reason as the run record counts it ("private address")."""
        return "non-web URL" if self.kind == "scheme" else f"{self.kind} address"


def non_public_kind(ip: IPAddress) -> str | None:
    """Which kind of non-public address ``ip`` is, or None for a public (global) address.

    IPv6 forms that carry an IPv4 address (mapped ``::ffff:10.0.0.1``, NAT64 ``64:ff9b::``,
    6to4 ``2002::/16``) are judged by the IPv4 address inside.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return non_public_kind(inner)
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("CGNAT", isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT),
        ("private", any(ip in net for net in _PRIVATE if net.version == ip.version)),
        ("reserved", ip.is_reserved or not ip.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def literal_address(host: str) -> IPAddress | None:
    """``host`` as an address when it is written as one (including inet_aton's short forms)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDRs of ``YINGJI_ALLOWED_NETWORKS``; a bad one stops the crawl with its text."""
    networks = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            message = f"YINGJI_ALLOWED_NETWORKS: {value!r} is not a network ({exc})"
            raise ValueError(message) from exc
    return tuple(networks)


def _article(kind: str) -> str:
    return "an" if kind[0].lower() in "aeiou" else "a"


def _origin(url: str) -> tuple[str, int | None] | None:
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    return parts.hostname.lower().rstrip("."), port


def _resolve(host: str, port: int | None) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class AddressGuardMiddleware:
    """Downloader middleware: refuse requests to non-public addresses (see the module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.allowed = parse_networks(settings.getlist("YINGJI_ALLOWED_NETWORKS"))
        # as HttpProxyMiddleware decides: the environment's proxies unless the request says
        self.env_proxies = getproxies() if settings.getbool("HTTPPROXY_ENABLED", True) else {}
        self._cache: dict[str, tuple[str, ...]] = {}
        self._exempt: set[tuple[str, int | None]] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    # ------------------------------------------------------------------ decisions

    def exempt_origins(self) -> set[tuple[str, int | None]]:
        """Host and port of every seed URL and seed column: the operator asked for them."""
        if self._exempt is None:
            spider = self.crawler.spider
            urls: list[str] = []
            for seed in getattr(spider, "seed_list", None) or ():
                urls.append(seed.url)
                urls.extend(getattr(seed, "columns", ()))
            urls.extend(getattr(spider, "start_urls", None) or ())
            self._exempt = {o for o in map(_origin, urls) if o is not None}
        return self._exempt

    def proxied(self, request: Request, host: str) -> bool:
        """Whether the request goes through an HTTP proxy (which then resolves names)."""
        if "proxy" in request.meta:
            return request.meta["proxy"] is not None
        scheme = urlsplit(request.url).scheme
        return scheme in self.env_proxies and not proxy_bypass(host)

    def problem(self, ip: IPAddress) -> str | None:
        """The kind of a non-public address that no allowed network covers, else None."""
        kind = non_public_kind(ip)
        if kind is None:
            return None
        candidates = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            candidates.append(ip.ipv4_mapped)
        if any(c in net for c in candidates for net in self.allowed if c.version == net.version):
            return None
        return kind

    async def addresses(self, host: str, port: int | None) -> tuple[str, ...]:
        """All addresses ``host`` resolves to (cached); empty when it does not resolve."""
        if host not in self._cache:
            try:
                found = await maybe_deferred_to_future(deferToThread(_resolve, host, port))
            except (OSError, UnicodeError):
                return ()  # the download itself will fail with the resolver's error
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[host] = tuple(dict.fromkeys(found))
        return self._cache[host]

    async def refusal(self, request: Request) -> RefusedAddress | None:
        """Why ``request`` must not be sent, or None when it may."""
        scheme = urlsplit(request.url).scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            # Scrapy would read file://, ftp:// and s3:// too: a link or redirect to
            # file:///etc/passwd is as much a request inside as one to 127.0.0.1
            return RefusedAddress(
                f"refused: {scheme or 'scheme-less'} URLs are not fetched", "scheme"
            )
        origin = _origin(request.url)
        if origin is None or origin in self.exempt_origins():
            return None
        host, port = origin
        literal = literal_address(host)
        if literal is not None:
            kind = self.problem(literal)
            if kind:
                return RefusedAddress(f"refused: {host} is {_article(kind)} {kind} address", kind)
            return None
        if self.proxied(request, host):
            return None
        for text in await self.addresses(host, port):
            try:
                ip = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone index
            except ValueError:
                continue
            kind = self.problem(ip)
            if kind:
                return RefusedAddress(
                    f"refused: {host} resolves to {ip}, {_article(kind)} {kind} address", kind
                )
        return None

    # ------------------------------------------------------------------ Scrapy hook

    async def process_request(self, request: Request) -> Any:
        refused = await self.refusal(request)
        if refused is None:
            return None
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("yingji/netguard/refused")
            stats.inc_value(f"yingji/netguard/refused/{refused.kind}")
        logger.warning("%s (%s)", refused, request.url)
        # the site's count by reason (the run record shows it): the spider's requests name
        # their seed, the download pipeline's name the report's site
        sites = getattr(self.crawler.spider, "sites", None) or {}
        site = sites.get(request.meta.get("seed_url") or request.meta.get("yingji_site"))
        if site is not None:
            site.refuse(refused.reason, dropped=False)
        raise refused
