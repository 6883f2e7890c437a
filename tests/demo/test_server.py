"""The bundled sites behave like the real ones they imitate (demo/server.py and its parts)."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from demo import SAMPLES
from demo.manifest import all_groups
from demo.server import SITES_ROOT, Sites, load_manifest, serve_sites

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    with serve_sites() as served:
        yield served


def fetch(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with OPENER.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def wait_for(check: Callable[[], bool], seconds: float = 5.0) -> None:
    """The server counts a request after writing it; give its thread a moment."""
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_each_site_has_its_own_loopback_address(sites: Sites) -> None:
    hosts = [s.host for s in sites.sites.values()]
    assert len(set(hosts)) == len(hosts)
    assert sites.url_for("孟津区人民政府") == sites.url_for("mengjin")
    status, _, body = fetch(sites.url_for("mengjin"))
    assert status == 200 and "政府信息公开".encode() in body


def test_seeds_csv_lists_the_seed_sites(sites: Sites, tmp_path: Path) -> None:
    from crawler.seeds import load_seeds

    seeds = load_seeds(sites.seeds_csv(tmp_path / "seeds.csv"))
    names = {s.name for s in seeds}
    assert "孟津区人民政府" in names and "嵩县人民政府" in names
    assert not any("镜像" in n for n in names), "the spam mirror is not a seed"


def test_the_old_site_is_gbk_with_the_charset_only_in_a_meta_tag(sites: Sites) -> None:
    status, headers, body = fetch(sites.url_for("luanchuan") + "zwgk/bmgk/ajj/index.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html"
    assert b"charset=gb2312" in body
    assert "县应急管理局" in body.decode("gbk")


def test_pages_answer_conditional_requests_with_304(sites: Sites) -> None:
    url = sites.url_for("weidong") + "xxgk/"
    status, headers, body = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    wait_for(lambda: sites.requests("weidong", "/xxgk/") == 1)
    before = sites.bytes_sent("weidong", "/xxgk/")
    assert before == len(body)
    status, _, body = fetch(url, headers={"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b""
    wait_for(lambda: sites.requests("weidong", "/xxgk/") == 2)
    assert sites.bytes_sent("weidong", "/xxgk/") == before


def test_downfile_names_the_file_only_in_content_disposition(sites: Sites) -> None:
    url = sites.url_for("xinan") + (
        "module/download/downfile.jsp?classid=0&filename=2f7c3b1e9a8d4c6b8e2f1a0b9c8d7e6f.doc"
    )
    status, headers, body = fetch(url)
    assert status == 200
    assert headers["Content-Type"] == "application/octet-stream"
    name = "新安县应急管理局2023年政府信息公开工作年度报告.doc"
    assert f"filename*=UTF-8''{quote(name)}" in headers["Content-Disposition"]
    assert body[:2] == b"PK", "a .doc that is really a DOCX"


def test_hanweb_dataproxy_serves_the_records_after_the_first_page(sites: Sites) -> None:
    base = sites.url_for("xinan")
    status, _, page = fetch(base + "col/col1229000101/index.html")
    assert page.count(b"<record>") == 3
    form = urlencode({"columnid": "1229000101", "unitid": "4407212", "webid": "12"}).encode()
    status, _, xml = fetch(
        base + "module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3", data=form
    )
    assert status == 200 and b"<totalrecord>7</totalrecord>" in xml
    assert xml.count(b"<record>") == 3 and b"art_1229000101_40001" in xml
    _, _, wrong = fetch(
        base + "module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3",
        data=urlencode({"columnid": "1229000101", "unitid": "1"}).encode(),
    )
    assert b"<record>" not in wrong
    assert fetch(base + "col/col1229000101/index_1.html")[0] == 404


def test_gkmlpt_api_pages_and_checks_the_sid(sites: Sites) -> None:
    base = sites.url_for("yiyang")
    _, _, body = fetch(base + "gkmlpt/api/all/2983?page=2&sid=760112")
    data = json.loads(body)
    assert data["total"] == 5 and len(data["articles"]) == 2
    _, _, wrong = fetch(base + "gkmlpt/api/all/2983?page=1&sid=1")
    assert json.loads(wrong)["articles"] == []


def test_a_500_recovers_and_redirects_redirect(sites: Sites) -> None:
    url = sites.url_for("luanchuan") + "zwgk/bmgk/ajj/ndbg/index.html"
    assert fetch(url)[0] == 500
    assert fetch(url)[0] == 200
    assert fetch(sites.url_for("mengjin") + "xxgk/bmxxgk/ajj/ndbg/")[0] == 200  # after a 301


def test_the_decoy_is_60_mb_and_counts_what_was_sent(sites: Sites) -> None:
    path = "/xxgk/bmxxgk/yjglj/zfxxgknb/nbhj/"
    url = sites.url_for("mengjin").rstrip("/") + path
    status, headers, _ = fetch(url, method="HEAD")
    assert status == 200 and int(headers["Content-Length"]) == 60 * 1024 * 1024
    req = urllib.request.Request(url)
    with OPENER.open(req, timeout=10) as resp:
        resp.read(1024 * 1024)
    wait_for(lambda: sites.requests("mengjin", path) == 2)
    assert sites.requests("mengjin", path) == 2
    assert sites.bytes_sent("mengjin", path) < 60 * 1024 * 1024


def test_the_trap_invents_a_next_day_for_ever(sites: Sites) -> None:
    _, _, body = fetch(sites.url_for("hongqi") + "zwgk/calendar.jsp?date=2099-12-31")
    assert b"date=2100-01-01" in body


def test_blocked_unreachable_and_robots_sites(sites: Sites) -> None:
    status, _, body = fetch(sites.url_for("ruyang") + "anything")
    assert status == 200 and "请输入验证码" in body.decode()
    _, _, robots = fetch(sites.url_for("luoning") + "robots.txt")
    assert b"Disallow: /" in robots
    site = sites.sites["songxian"]
    with pytest.raises(OSError), socket.create_connection((site.host, site.port), timeout=2):
        pass


def test_every_report_of_the_manifest_is_served_from_the_samples(sites: Sites) -> None:
    for report in sites.expected_reports():
        status, _, body = fetch(report["url"])
        assert status == 200, report["url"]
        sample = report["sample"]
        if report["kind"] == "document":
            assert body == (SAMPLES / f"{sample}.pdf").read_bytes()
        elif report["in_body"]:
            encoding = sites.sites[report["site"]].spec.get("encoding", "utf-8")
            assert (SAMPLES / f"{sample}.body.html").read_text("utf-8")[:200] in body.decode(
                encoding
            )
        for attachment in report["attachments"]:
            assert fetch(attachment)[0] == 200
    samples = {r["sample"] for r in load_manifest()["sites"][0]["reports"]}
    assert samples == {"seed000"}


def test_sites_hold_pages_only_and_serve_the_one_copy_of_each_sample() -> None:
    root = Path(str(SITES_ROOT))
    pages = [p for p in root.rglob("*") if p.is_file()]
    for path in pages:
        assert path.stat().st_size < 1024 * 1024, path
    assert all(p.name.endswith(".html") or p.name == "manifest.json" for p in pages), (
        "page files end in .html, the package data glob that ships them; documents are samples"
    )
    served = set()
    for site in load_manifest(all_groups())["sites"]:
        served |= set(site.get("files", {}).values())
        served |= {e["file"] for e in site.get("downfiles", {}).values()}
    assert served, "the manifest serves sample documents"
    for name in served:
        assert (SAMPLES / name).is_file(), name
