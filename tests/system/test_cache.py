"""The incremental parts of crawler/cache.py, each on its own, in real Scrapy processes.

A loopback server serves ``/file`` with an ETag and an old Last-Modified and counts what it is
asked. The crawls run ``scrapy runspider tests/system/size_spider.py`` with the HTTP cache
under :class:`RevalidatingPolicy` and the oversize memo, as ``yingji crawl`` enables them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CAP = 100_000


class FileServer(ThreadingHTTPServer):
    size = 200_000
    asked: Counter[str]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the crawler hangs up on a file over its cap: expected


class _Handler(BaseHTTPRequestHandler):
    server: FileServer

    def _answer(self) -> None:
        body = b"x" * self.server.size
        etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
        conditional = self.headers.get("If-None-Match") == etag
        self.server.asked[f"{self.command}{' 304' if conditional else ''}"] += 1
        self.send_response(304 if conditional else 200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", "Mon, 20 Jan 2020 08:00:00 GMT")
        self.send_header("Content-Length", "0" if conditional else str(len(body)))
        self.end_headers()
        if self.command == "GET" and not conditional:
            with contextlib.suppress(OSError):
                self.wfile.write(body)

    do_GET = _answer
    do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    server = FileServer(("127.0.0.1", 0), _Handler)
    server.asked = Counter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _crawl(server: FileServer, tmp: Path) -> list[int]:
    """One crawl; returns the sizes of the files it stored."""
    db = tmp / "items.db"
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    settings = {
        "ADDONS": '{"crawler.addons.RevalidatingCache": 200}',
        "YINGJI_INCREMENTAL": "True",
        "HTTPCACHE_DIR": str(tmp / "cache"),
        "DOWNLOAD_MAXSIZE": str(CAP),
        "ROBOTSTXT_OBEY": "False",
        "TELNETCONSOLE_ENABLED": "False",
    }
    root = f"http://127.0.0.1:{server.server_address[1]}/"
    cmd = [sys.executable, "-m", "scrapy", "runspider", str(HERE / "size_spider.py")]
    cmd += ["-a", f"root={root}", "-a", f"db={db}"]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    done = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS items (url TEXT, size INTEGER)")
        sizes = [size for (size,) in conn.execute("SELECT size FROM items")]
        conn.execute("DELETE FROM items")
    return sizes


@pytest.mark.slow
def test_a_file_over_the_cap_is_asked_with_head_until_it_fits(
    file_server: FileServer, tmp_path: Path
) -> None:
    assert _crawl(file_server, tmp_path) == []  # over the cap: cut off after the headers
    assert file_server.asked == Counter({"GET": 1})

    assert _crawl(file_server, tmp_path) == []  # still over: only a HEAD this time
    assert file_server.asked == Counter({"GET": 1, "HEAD": 1})

    file_server.size = 10_000  # the site replaced the file by a small one
    assert _crawl(file_server, tmp_path) == [10_000]
    assert file_server.asked == Counter({"GET": 2, "HEAD": 2})


@pytest.mark.slow
def test_a_cached_page_is_always_revalidated_never_served_stale(
    file_server: FileServer, tmp_path: Path
) -> None:
    file_server.size = 1_000  # Last-Modified is years old: RFC 2616's heuristic says "fresh"
    assert _crawl(file_server, tmp_path) == [1_000]
    assert _crawl(file_server, tmp_path) == [1_000]  # from the cache, after a 304
    assert file_server.asked == Counter({"GET": 1, "GET 304": 1})
    file_server.size = 2_000
    assert _crawl(file_server, tmp_path) == [2_000]  # the change is seen at once
