"""robots.txt Crawl-delay against a real server: the site's requests come that far apart.

A real Scrapy crawl (``scrapy runspider``) of a loopback site whose robots.txt says
``Crawl-delay: 1.5`` while DOWNLOAD_DELAY is 0.1 s; the server logs when each page was asked.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PAGES = ["/", "/a.html", "/b.html", "/c.html"]
SPIDER = """
import scrapy

class Walk(scrapy.Spider):
    name = "walk"
    def __init__(self, root="", **kw):
        super().__init__(**kw)
        self.root = root
    async def start(self):
        yield scrapy.Request(self.root)
    def parse(self, response):
        yield from response.follow_all(css="a")
"""


@pytest.fixture
def site() -> Iterator[tuple[str, list[tuple[str, float]]]]:
    log: list[tuple[str, float]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            log.append((self.path, time.monotonic()))
            if self.path == "/robots.txt":
                body = b"User-agent: *\nCrawl-delay: 1.5\nDisallow: /admin/\n"
                kind = "text/plain"
            else:
                links = "".join(f'<a href="{p}">p</a>' for p in PAGES)
                body = f"<html><body>{links}</body></html>".encode()
                kind = "text/html"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", log
    server.shutdown()
    server.server_close()


def test_pages_of_a_site_are_spaced_by_its_crawl_delay(
    site: tuple[str, list[tuple[str, float]]], tmp_path: Path
) -> None:
    root, log = site
    spider = tmp_path / "walk.py"
    spider.write_text(SPIDER, "utf-8")
    settings = {
        "ROBOTSTXT_OBEY": "True",
        "DOWNLOAD_DELAY": "0.1",
        "RANDOMIZE_DOWNLOAD_DELAY": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
        "AUTOTHROTTLE_ENABLED": "True",  # it may not undercut the site's delay
        "AUTOTHROTTLE_START_DELAY": "0.1",
        "DOWNLOADER_MIDDLEWARES": '{"crawler.crawldelay.CrawlDelayMiddleware": 110}',
        "YINGJI_MAX_CRAWL_DELAY": "30",
        "TELNETCONSOLE_ENABLED": "False",
    }
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"root={root}"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = [t for path, t in log if path != "/robots.txt"]
    assert sorted(path for path, _ in log if path != "/robots.txt") == sorted(PAGES)
    gaps = [b - a for a, b in itertools.pairwise(pages)]
    assert gaps and min(gaps[1:] or gaps) >= 1.4, gaps
