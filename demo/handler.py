"""HTTP plumbing of a served site: routing through the behaviours, ETag/304, counters.

Every request and every byte sent is counted per path, and the number of requests in flight is
tracked, so that tests assert on what the crawler did (politeness, revalidation, bytes saved),
not only on what it yielded. Pages carry ETag and Last-Modified and answer conditional requests
with 304, as real CMSs do, so that incremental recrawls can be measured.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from demo import behaviours
from demo.exchange import NOT_FOUND, Exchange, Reply, SiteRuntime
from demo.pages import file_for, read_site_file, render

#: page files that are not HTML (sitemap.xml, a script): the type their URL's extension says
TEXT_TYPES = {"xml": "application/xml", "txt": "text/plain", "js": "application/javascript"}
LAST_MODIFIED = format_datetime(dt.datetime(2025, 1, 20, 8, 0, tzinfo=dt.UTC), usegmt=True)


def answer(ex: Exchange) -> Reply:
    """The reply of a site to one request: the first behaviour that answers, else a page."""
    spec = ex.spec
    for behaviour in behaviours.active(spec):
        reply = behaviour.respond(ex)
        if reply is not None:
            return reply
    for rel in file_for(ex.path, ex.query):
        raw = read_site_file(spec["dir"], rel)
        if raw is not None:
            charset = "" if spec.get("charset_in_meta_only") else "; charset=utf-8"
            body = render(spec, raw, ex.urls, behaviours.includes(spec), ex.site.samples)
            ctype = TEXT_TYPES.get(ex.path.rsplit(".", 1)[-1], "text/html")
            return Reply(200, body, f"{ctype}{charset}")
    return NOT_FOUND


def make_handler(site: SiteRuntime, urls: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "nginx"
        sys_version = ""
        protocol_version = "HTTP/1.1"
        _in_flight = False

        def log_message(self, format: str, *args: Any) -> None:
            return  # tests read the counters, not a log

        def _send(self, reply: Reply) -> None:
            path = urlsplit(self.path).path
            if reply.stream is not None:
                self._send_stream(path, reply)
                return
            body, status = reply.body, reply.status
            cacheable = reply.cacheable and status == 200
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if cacheable and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self._served()
                self.end_headers()
                site.count(path, 0)
                return
            self.send_response(status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            if cacheable:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self._served()
            self.end_headers()
            sent = 0
            if self.command != "HEAD":
                with contextlib.suppress(OSError):
                    self.wfile.write(body)
                    sent = len(body)
            site.count(path, sent)

        def _send_stream(self, path: str, reply: Reply) -> None:
            assert reply.stream is not None
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(reply.length))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            # a stream is a decoy a client must refuse by these headers (or stop reading): its
            # exchange is over for the client here, while this thread may still be writing into
            # a socket the client closed; counting on would report a politeness breach the
            # client never made (its next request overlapping this thread's write). The bytes
            # it took are still counted below.
            self._served()
            self.end_headers()
            sent = 0
            if self.command != "HEAD":
                with contextlib.suppress(OSError):
                    for chunk in reply.stream():
                        self.wfile.write(chunk)
                        sent += len(chunk)
            site.count(path, sent)
            self.close_connection = True

        def _serve(self, form: dict[str, str] | None = None) -> None:
            with site.lock:
                site.in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site.in_flight)
            self._in_flight = True
            try:
                parts = urlsplit(self.path)
                ex = Exchange(
                    site=site,
                    urls=urls,
                    method=self.command,
                    path=parts.path,
                    query=parts.query,
                    form=form or {},
                    headers=dict(self.headers.items()),
                )
                self._send(answer(ex))
            finally:
                self._served()

        def _served(self) -> None:
            """Stop counting this request as in flight, once.

            Called just before the last bytes of a response go out: the client cannot have
            the whole response (and so cannot start its next request) before that, while
            counting until the handler returns would see the client's next request overlap
            this thread's clean-up and report a politeness breach that never happened.
            """
            if self._in_flight:
                self._in_flight = False
                with site.lock:
                    site.in_flight -= 1

        def do_GET(self) -> None:
            self._serve()

        def do_HEAD(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", errors="replace") if length else ""
            self._serve(dict(parse_qsl(body, keep_blank_values=True)))

    return Handler
