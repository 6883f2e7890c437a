"""Staying on the seed's site, and one request for URLs that differ only in tracking."""

from __future__ import annotations

from scrapy import Request

from crawler.middlewares import CanonicalRequestFingerprinter, same_site, site_key


def test_a_site_is_its_registrable_domain_with_subdomains() -> None:
    assert site_key("http://www.wuhai.gov.cn/") == "wuhai.gov.cn"
    assert same_site("http://yjglj.wuhai.gov.cn/ajj/", "http://www.wuhai.gov.cn/")
    assert same_site("http://yingji.jiading.cn/publicity/", "http://www.jiading.cn/")
    assert not same_site("http://www.156152.com/copy.html", "http://www.mengjin.gov.cn/")
    assert not same_site("http://www.luoyang.gov.cn/", "http://www.mengjin.gov.cn/")


def test_bare_ip_sites_are_one_host() -> None:
    assert same_site("http://180.76.149.248:88/book/", "http://180.76.149.248:88/")
    assert not same_site("http://127.0.0.10:8000/", "http://127.0.0.2:8000/")


def test_tracking_parameters_share_a_fingerprint() -> None:
    fp = CanonicalRequestFingerprinter()
    base = "http://x.gov.cn/a/t20240125_1.html"
    assert fp.fingerprint(Request(base)) == fp.fingerprint(
        Request(base + "?utm_source=wechat&spm=a.b&_t=1706150000000")
    )
    assert fp.fingerprint(Request(base)) != fp.fingerprint(Request(base + "?id=2"))
    post = Request(base, method="POST", body=b"startrecord=1")
    assert fp.fingerprint(post) != fp.fingerprint(
        Request(base, method="POST", body=b"startrecord=46")
    )
