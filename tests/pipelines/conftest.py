"""A real HTTP server on 127.0.0.1 whose answers each test lays out, and which counts requests."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CRAWLKIT = Path(__file__).with_name("crawlkit.py")


@dataclass
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class DocServer:
    Route = Route

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = route.headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    server.not_modified[self.path] += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for k, v in route.headers.items():
                    # raw bytes in headers (GBK file names) go out as Latin-1, as real servers do
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes, status: int = 200, **headers: str) -> str:
        """Serve ``body`` at ``path`` (header names with ``_`` for ``-``); returns its URL."""
        hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
        self.routes[path] = Route(body, status, hdrs)
        return self.url(path)


@pytest.fixture
def docserver() -> Iterator[DocServer]:
    srv = DocServer()
    thread = threading.Thread(target=srv.httpd.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


@pytest.fixture
def crawl() -> Any:
    """``crawl(items, settings, workdir)``: a real crawl of those items in a child process."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("yingji_test_crawlkit", CRAWLKIT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run_crawl
