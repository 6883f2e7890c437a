"""A real crawl meets sites that point inside the network: nothing is ever sent there.

Sites on 127.0.0.x redirect their start pages to a private address, to the cloud-metadata
address, to another loopback host and to ``localhost``, and link an attachment on another
loopback host. Listeners on those loopback hosts count every request they get: none may arrive
(not even for robots.txt). Each such site ends "unreachable" with the refusal as its reason, and
the crawl stats count the refusals per kind. An allowed network lets the same request through;
behind a proxy a host name goes to the proxy, a literal private address still does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0.01",
    "DOWNLOAD_TIMEOUT": "3",
    "EXTENSIONS": "{}",
    "ITEM_PIPELINES": json.dumps({"pipelines.download.DownloadPipeline": 100}),
    "LOG_LEVEL": "INFO",
    "RETRY_TIMES": "0",
    # the items as the download step leaves them (not yingji's export records of stored reports)
    "FEED_EXPORTERS": json.dumps({"jsonl": "scrapy.exporters.JsonLinesItemExporter"}),
    "FEED_EXPORT_FIELDS": json.dumps(["site_url", "url", "title", "documents"]),
}
REPORT_TITLE = "测试市应急管理局2024年政府信息公开工作年度报告"


@dataclass
class Server:
    """An HTTP server on one loopback address: fixed answers per path, every request counted."""

    host: str
    routes: dict[str, tuple[int, dict[str, str], str]] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    httpd: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        assert self.httpd is not None
        return f"http://{self.host}:{self.httpd.server_address[1]}"

    def start(self) -> Server:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.seen.append(self.path)
                # a proxy's request line holds the absolute URL: answer by its path
                path = "/" + urlsplit(self.path).path.lstrip("/")
                status, headers, body = server.routes.get(path, (404, {}, "not here"))
                data = body.encode("utf-8")
                self.send_response(status)
                headers = {"Content-Type": "text/html; charset=utf-8", **headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((self.host, 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


def redirect(location: str) -> tuple[int, dict[str, str], str]:
    return 302, {"Location": location}, ""


def page(body: str) -> tuple[int, dict[str, str], str]:
    return 200, {}, f"<html><head><title>测试</title></head><body>{body}</body></html>"


@dataclass
class Crawl:
    returncode: int
    log: str
    sites: dict[str, dict[str, Any]]
    items: list[dict[str, Any]]

    def stat(self, name: str) -> int:
        """A counter from Scrapy's closing stats dump ('name': value)."""
        marker = f"'{name}': "
        for line in self.log.splitlines():
            if marker in line:
                return int(line.split(marker, 1)[1].split(",")[0].rstrip("}"))
        return 0


def run_crawl(
    workdir: Path, seeds: dict[str, str], env: dict[str, str] | None = None, **settings: str
) -> Crawl:
    seed_file = workdir / "seeds.csv"
    seed_file.write_text(
        "name,region,url\n" + "".join(f"{name},测试,{url}\n" for name, url in seeds.items()),
        "utf-8",
    )
    states, feed = workdir / "sites.json", workdir / "items.jsonl"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seed_file}"]
    all_settings = {
        **SETTINGS,
        "YINGJI_FILES_STORE": str(workdir / "files"),
        "YINGJI_SITES_FILE": str(states),
        **settings,
    }
    for name, value in all_settings.items():
        cmd += ["-s", f"{name}={value}"]
    cmd += ["-O", str(feed)]
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proc = subprocess.run(
        cmd, cwd=REPO, env={**base, **(env or {})}, capture_output=True, text=True, timeout=120
    )
    items = [json.loads(x) for x in feed.read_text("utf-8").splitlines() if x.strip()]
    sites = json.loads(states.read_text("utf-8")) if states.exists() else {}
    return Crawl(proc.returncode, proc.stderr, sites, items)


@pytest.fixture(scope="module")
def inside() -> Iterator[dict[str, Server]]:
    """Hosts inside the network: any request they get is a failure of the guard."""
    servers = {
        "other": Server("127.0.0.99").start(),  # another loopback host
        "localhost": Server("127.0.0.1").start(),  # what 'localhost' resolves to
    }
    for s in servers.values():
        s.routes["/admin"] = page("internal")
        s.routes["/secret.pdf"] = (200, {"Content-Type": "application/pdf"}, "%PDF-1.4 secret")
    try:
        yield servers
    finally:
        for s in servers.values():
            s.stop()


@pytest.fixture(scope="module")
def hostile(inside: dict[str, Server]) -> Iterator[dict[str, Server]]:
    """Seed sites on loopback whose start pages or attachments point inside the network."""
    other, local = inside["other"].origin, inside["localhost"]
    port = local.origin.rsplit(":", 1)[1]
    sites = {
        "private": Server("127.0.0.41"),
        "metadata": Server("127.0.0.42"),
        "loopback": Server("127.0.0.43"),
        "localhost": Server("127.0.0.44"),
        "attachment": Server("127.0.0.45"),
    }
    for s in sites.values():
        s.start()
    sites["private"].routes["/"] = redirect("http://10.0.0.1/")
    sites["metadata"].routes["/"] = redirect("http://169.254.169.254/latest/meta-data/")
    sites["loopback"].routes["/"] = redirect(f"{other}/admin")
    sites["localhost"].routes["/"] = redirect(f"http://localhost:{port}/admin")
    att = sites["attachment"]
    att.routes["/"] = page(f'<ul><li><a href="/report.html">{REPORT_TITLE}</a></li></ul>')
    att.routes["/report.html"] = page(
        f"<h1>{REPORT_TITLE}</h1><p>一、总体情况</p>"
        f'<p>附件：<a href="{other}/secret.pdf">{REPORT_TITLE}.pdf</a></p>'
    )
    try:
        yield sites
    finally:
        for s in sites.values():
            s.stop()


@pytest.fixture(scope="module")
def crawl(
    hostile: dict[str, Server], inside: dict[str, Server], tmp_path_factory: pytest.TempPathFactory
) -> Crawl:
    seeds = {f"{key}市应急管理局": f"{s.origin}/" for key, s in hostile.items()}
    result = run_crawl(tmp_path_factory.mktemp("netguard"), seeds)
    assert result.returncode == 0, result.log[-3000:]
    return result


def _site(crawl: Crawl, server: Server) -> dict[str, Any]:
    return crawl.sites[f"{server.origin}/"]


def test_nothing_reaches_the_hosts_inside(crawl: Crawl, inside: dict[str, Server]) -> None:
    assert inside["other"].seen == []
    assert inside["localhost"].seen == []


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("private", "refused: 10.0.0.1 is a private address"),
        ("metadata", "refused: 169.254.169.254 is a link-local address"),
        ("loopback", "refused: 127.0.0.99 is a loopback address"),
        ("localhost", "refused: localhost resolves to"),
    ],
)
def test_a_start_page_redirected_inside_makes_the_site_unreachable_with_the_reason(
    crawl: Crawl, hostile: dict[str, Server], key: str, reason: str
) -> None:
    site = _site(crawl, hostile[key])
    assert hostile[key].seen[:1] == ["/robots.txt"] and "/" in hostile[key].seen
    assert site["status"] == "unreachable", site
    assert reason in site["last_error"]


def test_refusals_are_counted_per_kind(crawl: Crawl) -> None:
    assert crawl.stat("yingji/netguard/refused/private") == 1
    assert crawl.stat("yingji/netguard/refused/link-local") == 1
    assert crawl.stat("yingji/netguard/refused/loopback") == 3  # 127.0.0.99 twice, localhost
    # refused before any connection: no attempt timed out or was turned away by a host
    failures = [x for x in crawl.log.splitlines() if "downloader/exception_type_count/" in x]
    assert failures and all("crawler.netguard.RefusedAddress" in x for x in failures), failures


def test_an_attachment_inside_the_network_is_recorded_as_not_downloaded(
    crawl: Crawl, hostile: dict[str, Server]
) -> None:
    (item,) = crawl.items
    assert item["url"] == f"{hostile['attachment'].origin}/report.html"
    kinds = {d["kind"]: d for d in item["documents"]}
    assert "sha256" in kinds["article"]
    assert kinds["attachment"]["error"] == (
        "not downloaded: refused: 127.0.0.99 is a loopback address"
    )


def test_an_allowed_network_lets_the_same_redirect_through(
    inside: dict[str, Server], tmp_path: Path
) -> None:
    site = Server("127.0.0.46").start()
    try:
        site.routes["/"] = redirect(f"{inside['other'].origin}/admin")
        before = len(inside["other"].seen)
        result = run_crawl(
            tmp_path,
            {"内网市应急管理局": f"{site.origin}/"},
            YINGJI_ALLOWED_NETWORKS="127.0.0.96/30",
        )
        assert result.returncode == 0, result.log[-3000:]
        assert "/admin" in inside["other"].seen[before:]
        assert result.sites[f"{site.origin}/"]["status"] == "none found"
        assert result.stat("yingji/netguard/refused") == 0
    finally:
        site.stop()


def test_behind_a_proxy_names_go_to_the_proxy_and_private_addresses_nowhere(
    tmp_path: Path,
) -> None:
    proxy = Server("127.0.0.47").start()
    named, literal = Server("127.0.0.48").start(), Server("127.0.0.49").start()
    try:
        proxy.routes["/intranet"] = page("via proxy")
        named.routes["/"] = redirect("http://portal.internal.invalid/intranet")
        literal.routes["/"] = redirect("http://10.0.0.1/intranet")
        seeds = {"代理市应急管理局": f"{named.origin}/", "代理县应急管理局": f"{literal.origin}/"}
        env = {"http_proxy": proxy.origin, "no_proxy": "127.0.0.48,127.0.0.49"}
        result = run_crawl(tmp_path, seeds, env=env)
        assert result.returncode == 0, result.log[-3000:]
        # the name was not resolved here (it cannot be) but handed to the proxy
        assert "http://portal.internal.invalid/intranet" in proxy.seen
        assert not any("10.0.0.1" in line for line in proxy.seen)
        assert result.sites[f"{named.origin}/"]["status"] == "none found"
        lit = result.sites[f"{literal.origin}/"]
        assert lit["status"] == "unreachable"
        assert "refused: 10.0.0.1 is a private address" in lit["last_error"]
    finally:
        for s in (proxy, named, literal):
            s.stop()


def test_each_site_counts_its_refusals_by_reason(crawl: Crawl, hostile: dict[str, Server]) -> None:
    refused = {key: _site(crawl, server)["refused"] for key, server in hostile.items()}
    assert refused == {
        "private": {"private address": 1},
        "metadata": {"link-local address": 1},
        "loopback": {"loopback address": 1},
        "localhost": {"loopback address": 1},
        "attachment": {"loopback address": 1},  # the download step's request, on its site
    }
