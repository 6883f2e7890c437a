"""A real crawl meets servers that never give a page: each site ends unreachable, with the cause.

Every server listens on its own 127.0.0.x address and misbehaves on every page (robots.txt
answers 404, as most sites do): a redirect loop (HTTP or ``<meta>`` refresh), a gzip bomb, a
page over the size cap, a lying ``Content-Length`` (data loss), a connection reset, a body too
slow for the timeout, and a port nobody listens on. None of these sites may read "none found":
the run table must say why.

And a site whose start page holds 50,000 links is crawled beside a normal one: its page is read
in bounded time, and the normal site's reports are stored.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from demo.server import serve_sites
from storage import Store
from storage.export import iter_reports

REPO = Path(__file__).resolve().parents[2]
PAGE_MAXSIZE = 100_000
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0.01",
    "DOWNLOAD_TIMEOUT": "1",
    "EXTENSIONS": "{}",
    "ITEM_PIPELINES": "{}",
    "LOG_LEVEL": "INFO",
    "RETRY_TIMES": "0",
    "YINGJI_PAGE_MAXSIZE": str(PAGE_MAXSIZE),
}

Behaviour = Callable[[socketserver.StreamRequestHandler, str], None]


def _send(h: socketserver.StreamRequestHandler, head: str, body: bytes = b"") -> None:
    h.wfile.write(head.encode("ascii") + b"\r\n" + body)
    h.wfile.flush()


def redirect_loop(h: socketserver.StreamRequestHandler, path: str) -> None:
    target = "/a" if path == "/" else "/"
    _send(h, f"HTTP/1.1 302 Found\r\nLocation: {target}\r\nContent-Length: 0\r\n")


def refresh_loop(h: socketserver.StreamRequestHandler, path: str) -> None:
    target = "/b" if path == "/" else "/"
    body = f'<html><head><meta http-equiv="refresh" content="0;url={target}"></head></html>'
    data = body.encode()
    _send(h, f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(data)}\r\n", data)


def gzip_bomb(h: socketserver.StreamRequestHandler, path: str) -> None:
    body = gzip.compress(b"\0" * (PAGE_MAXSIZE * 50))  # a few KB on the wire
    _send(
        h,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        f"Content-Length: {len(body)}\r\n",
        body,
    )


def oversize(h: socketserver.StreamRequestHandler, path: str) -> None:
    body = b"<html><body>" + b"x" * (PAGE_MAXSIZE * 3) + b"</body></html>"
    _send(h, f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n", body)


def lying_length(h: socketserver.StreamRequestHandler, path: str) -> None:
    body = b"<html><body><a href='/x.html'>x</a>"  # far shorter than announced
    _send(h, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10000\r\n", body)


def reset(h: socketserver.StreamRequestHandler, path: str) -> None:
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()  # linger 0: the close is a TCP RST


def slow_body(h: socketserver.StreamRequestHandler, path: str) -> None:
    _send(h, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n")
    for _ in range(20):  # 10 bytes every 0.5 s: 1000 bytes would take 50 s
        h.wfile.write(b"<p>slow</p>"[:10])
        h.wfile.flush()
        time.sleep(0.5)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline().decode("latin-1")
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        path = line.split()[1] if len(line.split()) > 1 else "/"
        behaviour: Behaviour = self.server.behaviour  # type: ignore[attr-defined]
        try:
            if path == "/robots.txt" and behaviour is not reset:
                _send(self, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n")
            else:
                behaviour(self, path)
        except OSError:
            pass  # the crawler hung up first, as it should


class HostileServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, host: str, behaviour: Behaviour) -> None:
        super().__init__((host, 0), _Handler)
        self.behaviour = behaviour

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


def _unused_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


#: site -> (behaviour, words its note must hold)
HOSTILE: dict[str, tuple[Behaviour | None, str]] = {
    "redirect-loop": (redirect_loop, "redirect loop"),
    "refresh-loop": (refresh_loop, "redirect loop"),
    "gzip-bomb": (gzip_bomb, "decompression bomb"),
    "oversize": (oversize, "over the size cap"),
    "lying-length": (lying_length, "data loss"),
    "reset": (reset, "connection lost or reset"),
    "slow-body": (slow_body, "timed out"),
    "refused": (None, "connection refused"),
}


@pytest.fixture(scope="module")
def sites() -> Iterator[dict[str, str]]:
    servers: list[HostileServer] = []
    urls: dict[str, str] = {}
    for i, (key, (behaviour, _)) in enumerate(HOSTILE.items()):
        host = f"127.0.0.{61 + i}"
        if behaviour is None:
            urls[key] = f"http://{host}:{_unused_port(host)}/"
            continue
        server = HostileServer(host, behaviour)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls[key] = server.url
    try:
        yield urls
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def many_links(h: socketserver.StreamRequestHandler, path: str) -> None:
    """A start page of 50,000 links (a sitemap dump, a trap); every page it links is a 404."""
    if path != "/":
        _send(h, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n")
        return
    items = "".join(f'<li><a href="/p/{i}.html">文章{i}</a></li>' for i in range(50_000))
    body = f"<html><body><h1>链接市应急管理局</h1><ul>{items}</ul></body></html>".encode()
    _send(
        h,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n",
        body,
    )


def run_crawl(workdir: Path, seeds: dict[str, str], **settings: str) -> dict[str, Any]:
    """``scrapy crawl yingji`` in a child process; the per-site states it wrote."""
    seed_file, states = workdir / "seeds.csv", workdir / "sites.json"
    seed_file.write_text(
        "name,region,url\n" + "".join(f"{name},测试,{url}\n" for name, url in seeds.items()),
        "utf-8",
    )
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seed_file}"]
    all_settings = {
        **SETTINGS,
        "YINGJI_FILES_STORE": str(workdir / "files"),
        "YINGJI_SITES_FILE": str(states),
        **settings,
    }
    for name, value in all_settings.items():
        cmd += ["-s", f"{name}={value}"]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"log": proc.stderr, "sites": json.loads(states.read_text("utf-8"))}


@pytest.fixture(scope="module")
def crawl(sites: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    seeds = {f"{key}市应急管理局": url for key, url in sites.items()}
    return run_crawl(tmp_path_factory.mktemp("hostile"), seeds)


@pytest.mark.parametrize("key", list(HOSTILE))
def test_a_site_that_never_gives_a_page_is_unreachable_with_the_cause(
    crawl: dict[str, Any], sites: dict[str, str], key: str
) -> None:
    site = crawl["sites"][sites[key]]
    assert site["status"] == "unreachable", site
    assert HOSTILE[key][1] in (site["last_error"] or ""), site
    assert site["pages_fetched"] == 0


def test_a_page_of_50000_links_beside_a_normal_site_leaves_the_normal_sites_reports_stored(
    tmp_path: Path,
) -> None:
    server = HostileServer("127.0.0.70", many_links)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    database = f"sqlite:///{tmp_path / 'yingji.db'}"
    try:
        with serve_sites(first_host=71) as demo:
            normal = demo.url_for("mengjin")
            expected = [r for r in demo.expected_reports() if r["site_url"] == normal]
            seeds = {"链接市应急管理局": server.url, "孟津区人民政府": normal}
            result = run_crawl(
                tmp_path,
                seeds,
                DATABASE_URL=database,
                DOWNLOAD_TIMEOUT="30",
                EXTENSIONS='{"crawler.runrecord.RunRecord": 500}',
                ITEM_PIPELINES=json.dumps(
                    {
                        "pipelines.download.DownloadPipeline": 100,
                        "pipelines.parse.ParsePipeline": 200,
                        "pipelines.store.StorePipeline": 300,
                    }
                ),
                YINGJI_PAGE_MAXSIZE=str(5 * 1024 * 1024),
            )
    finally:
        server.shutdown()
        server.server_close()
    assert expected
    assert result["sites"][normal]["status"] == "reports found"
    links_site = result["sites"][server.url]
    assert links_site["pages_fetched"] == 1 and links_site["status"] == "none found"
    with Store(database, upgrade=False) as store:
        stored = {(r["year"], r["agency"]) for r in iter_reports(store)}
    assert len(stored) == len({(r["year"], r["agency"]) for r in expected})
