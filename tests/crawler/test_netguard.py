"""The address guard: which addresses a crawl of public sites may never ask (SSRF).

The decisions on literal addresses, seeds, allowed networks and proxies are checked here on the
middleware itself; name resolution, redirects and the spider's record of a refusal are checked
by a real crawl in tests/system/test_netguard_crawl.py.
"""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.netguard import (
    AddressGuardMiddleware,
    RefusedAddress,
    literal_address,
    non_public_kind,
    parse_networks,
)
from crawler.spiders.yingji import YingjiSpider


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("100.127.255.254", "CGNAT"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.7", "reserved"),  # documentation
        ("2001:db8::1", "reserved"),
        ("::ffff:10.0.0.1", "private"),  # IPv4-mapped IPv6
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:a00:1::1", "private"),  # 6to4 of 10.0.0.1
    ],
)
def test_non_public_addresses_are_named_by_kind(address: str, kind: str) -> None:
    assert non_public_kind(ipaddress.ip_address(address)) == kind


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "180.76.149.248", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass(address: str) -> None:
    assert non_public_kind(ipaddress.ip_address(address)) is None


def test_short_and_numeric_ipv4_forms_are_literals() -> None:
    # what inet_aton (and so the system resolver) reads as an address
    assert literal_address("127.1") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("0x0a.0.0.1") == ipaddress.ip_address("10.0.0.1")
    assert literal_address("::1") == ipaddress.ip_address("::1")
    assert literal_address("www.gov.cn") is None
    assert literal_address("cafe.de") is None


def test_allowed_networks_must_be_networks() -> None:
    assert parse_networks(["10.20.0.0/16", " ", "fd00::/8"]) == (
        ipaddress.ip_network("10.20.0.0/16"),
        ipaddress.ip_network("fd00::/8"),
    )
    with pytest.raises(ValueError, match="not a network"):
        parse_networks(["10.0.0.0/33"])


def _guard(tmp_path: Path, seed_url: str, **settings: Any) -> AddressGuardMiddleware:
    seeds = tmp_path / "seeds.csv"
    seeds.write_text(f"name,region,url\n测试市应急管理局,测试,{seed_url}\n", "utf-8")
    crawler = get_crawler(YingjiSpider, {"HTTPPROXY_ENABLED": False, **settings})
    crawler.spider = YingjiSpider.from_crawler(crawler, seeds=str(seeds))
    return AddressGuardMiddleware.from_crawler(crawler)


def _refusal(guard: AddressGuardMiddleware, url: str, **meta: Any) -> RefusedAddress | None:
    return asyncio.run(guard.refusal(Request(url, meta=meta)))


def test_a_loopback_seed_may_be_crawled_but_not_other_loopback_hosts_or_ports(
    tmp_path: Path,
) -> None:
    guard = _guard(tmp_path, "http://127.0.0.5:8000/")
    assert _refusal(guard, "http://127.0.0.5:8000/news/2024.html") is None
    other_host = _refusal(guard, "http://127.0.0.99:8000/")
    assert other_host is not None and str(other_host) == "refused: 127.0.0.99 is a loopback address"
    assert _refusal(guard, "http://127.0.0.5:6379/") is not None  # the seed's host, not its port
    private = _refusal(guard, "http://10.0.0.1/")
    assert private is not None and private.kind == "private"
    assert str(private) == "refused: 10.0.0.1 is a private address"
    assert isinstance(private, IgnoreRequest)  # Scrapy drops it and calls the errback
    metadata = _refusal(guard, "http://169.254.169.254/latest/meta-data/")
    assert metadata is not None and metadata.kind == "link-local"
    assert _refusal(guard, "http://[::ffff:a00:1]/") is not None
    assert _refusal(guard, "http://[fe80::1]:8080/") is not None


def test_allowed_networks_let_an_intranet_through(tmp_path: Path) -> None:
    guard = _guard(tmp_path, "http://127.0.0.5:8000/", YINGJI_ALLOWED_NETWORKS=["10.20.0.0/16"])
    assert _refusal(guard, "http://10.20.3.4/report.pdf") is None
    assert _refusal(guard, "http://[::ffff:10.20.3.4]/report.pdf") is None
    assert _refusal(guard, "http://10.21.0.1/") is not None


def test_behind_a_proxy_literal_addresses_are_still_checked(tmp_path: Path) -> None:
    guard = _guard(tmp_path, "http://127.0.0.5:8000/")
    proxy = {"proxy": "http://127.0.0.7:3128"}
    assert _refusal(guard, "http://10.0.0.1/", **proxy) is not None
    assert _refusal(guard, "http://2130706433/", **proxy) is not None
    # a name is the proxy's to resolve: nothing is asked of the local resolver
    assert _refusal(guard, "http://intranet.invalid/", **proxy) is None


def test_the_environments_proxy_counts_unless_the_request_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", "http://127.0.0.7:3128")
    monkeypatch.setenv("no_proxy", "bypass.invalid")
    guard = _guard(tmp_path, "http://127.0.0.5:8000/", HTTPPROXY_ENABLED=True)
    assert guard.proxied(Request("http://intranet.invalid/"), "intranet.invalid")
    assert not guard.proxied(Request("http://bypass.invalid/"), "bypass.invalid")
    assert not guard.proxied(Request("https://intranet.invalid/"), "intranet.invalid")
    explicit = Request("http://intranet.invalid/", meta={"proxy": None})
    assert not guard.proxied(explicit, "intranet.invalid")


def test_only_http_and_https_are_fetched(tmp_path: Path) -> None:
    guard = _guard(tmp_path, "http://127.0.0.5:8000/")
    local_file = _refusal(guard, "file:///etc/passwd")
    assert local_file is not None and str(local_file) == "refused: file URLs are not fetched"
    assert _refusal(guard, "ftp://ftp.example.com/report.pdf") is not None
    assert _refusal(guard, "https://8.8.8.8/report.pdf") is None


def test_a_refusal_is_counted_on_its_site_by_reason(tmp_path: Path) -> None:
    seed = "http://127.0.0.5:8000/"
    guard = _guard(tmp_path, seed)
    site = guard.crawler.spider.sites[seed]  # type: ignore[union-attr]
    requests = [
        Request("http://10.0.0.1/", meta={"seed_url": seed}),  # a spider's request
        Request("http://192.168.1.1/a.pdf", meta={"yingji_site": seed}),  # an attachment's
        Request("http://169.254.169.254/", meta={"seed_url": seed}),
        Request("file:///etc/passwd", meta={"seed_url": seed}),
        Request("http://10.0.0.2/"),  # no site named: counted in the stats only
    ]
    for request in requests:
        with pytest.raises(RefusedAddress):
            asyncio.run(guard.process_request(request))
    assert site.refused == {"private address": 2, "link-local address": 1, "non-web URL": 1}
    assert site.requests_dropped == 0  # the site's own rules dropped nothing
    assert guard.crawler.stats.get_value("yingji/netguard/refused") == 5  # type: ignore[union-attr]
