"""Realistic government sites on loopback, for tests and ``yingji demo``: no network needed.

Each site of ``yingji/sites/manifest.json`` gets its own address (127.0.0.2, 127.0.0.3 …; Linux
routes all of 127/8 to loopback) so that hosts differ as they do between real sites and the
spider's "stay on the seed's site" rule is exercised for real. Pages are files under
``yingji/sites/<site>/`` (``.html`` appended to names that lack it, ``file@query`` for URLs with
a query); ``<!--#report NAME-->`` in a page pulls in the HTML body of a bundled
sample report and ``<!--#datastore COLUMN N-->`` renders a Hanweb column's first N records.
Behaviours that files cannot express are listed per site in the manifest and implemented here:
Hanweb's dataproxy.jsp, gkmlpt's JSON API, downfile.jsp downloads named only by
Content-Disposition, a 500 that recovers, a slow page, redirects, a calendar trap, a 60 MB decoy
generated on the fly, robots.txt, a WAF block page, and an address nobody listens on.

Pages carry ETag and Last-Modified and answer conditional requests with 304, as real CMSs do,
so that incremental recrawls can be measured. Every request and every byte sent is counted per
path: tests assert on what the crawler did, not only on what it yielded.

    with serve_sites() as sites:
        sites.seeds_csv(tmp / "seeds.csv")
        sites.url_for("mengjin")          # http://127.0.0.2:41234/
        sites.requests("mengjin", "/robots.txt")
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import hashlib
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

SITES_ROOT: Traversable = resources.files("demo") / "sites"
SAMPLES_ROOT: Traversable = resources.files("demo") / "samples"
LAST_MODIFIED = format_datetime(dt.datetime(2025, 1, 20, 8, 0, tzinfo=dt.UTC), usegmt=True)
TRACKING = re.compile(r"^(utm_\w+|spm|_t|from)$")
BLOCK_PAGE = (
    "<html><head><title>安全验证</title></head><body><div class='waf'>"
    "<h3>访问过于频繁，请输入验证码后继续访问</h3><img src='/captcha.jpg'>"
    "<input name='code'></div></body></html>"
)
CHALLENGE_PAGE = (
    "<html><script>document.cookie='__jsl_clearance=1600000000.123|0|abc';"
    "location.href=location.pathname+location.search</script></html>"
)
DECOY_CHUNK = b"\0" * 65536


def load_manifest() -> dict[str, Any]:
    return json.loads((SITES_ROOT / "manifest.json").read_text("utf-8"))


@dataclass
class SiteRuntime:
    """One served site: its manifest entry, its address and what it has served."""

    spec: dict[str, Any]
    host: str
    port: int = 0
    server: ThreadingHTTPServer | None = None
    counts: Counter[str] = field(default_factory=Counter)
    bytes_sent: Counter[str] = field(default_factory=Counter)
    failed_once: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    max_in_flight: int = 0  # most requests served at once: politeness is measurable

    @property
    def key(self) -> str:
        return str(self.spec["key"])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def count(self, path: str, sent: int) -> None:
        with self.lock:
            self.counts[path] += 1
            self.bytes_sent[path] += sent


# --------------------------------------------------------------------------- page rendering


def _read_site_file(site_dir: str, rel: str) -> bytes | None:
    """A page file of a site. Files whose URL does not end in .html (``.shtml``, ``.htm``,
    ``list.jsp@page=2``) are stored with ``.html`` appended, so that the package data glob
    ``*.html`` ships them."""
    parts = rel.split("/")
    if any(not p or p in (".", "..") for p in parts):
        return None
    node = SITES_ROOT / site_dir
    for part in parts[:-1]:
        node = node / part
    for name in (parts[-1], parts[-1] + ".html"):
        if (node / name).is_file():
            return (node / name).read_bytes()
    return None


def _report_body(name: str) -> str:
    return (SAMPLES_ROOT / f"{name}.body.html").read_text("utf-8")


def _records(spec: dict[str, Any], column: str) -> list[str]:
    return list(spec.get("hanweb", {}).get("columns", {}).get(column, []))


def render(spec: dict[str, Any], raw: bytes, urls: dict[str, str] | None = None) -> bytes:
    """Expand the includes of a page (report bodies, Hanweb datastores, ``{{site:KEY}}``
    addresses of other served sites) and encode it in the site's charset."""
    text = raw.decode("utf-8")
    text = re.sub(
        r"\{\{site:(\w+)\}\}", lambda m: (urls or {}).get(m.group(1), "").rstrip("/"), text
    )
    text = re.sub(r"<!--#report (\w+)-->", lambda m: _report_body(m.group(1)), text)

    def datastore(m: re.Match[str]) -> str:
        column, n = m.group(1), int(m.group(2))
        records = _records(spec, column)
        hw = spec["hanweb"]
        nextgroup = (
            f'<a href="/module/web/jpage/dataproxy.jsp?page=1&webid={hw["webid"]}&path=/'
            f"&columnid={column}&unitid={hw['unitid']}&webname={quote(hw['webname'])}"
            '&permissiontype=0"></a>'
        )
        recs = "".join(f"<record><![CDATA[{r}]]></record>" for r in records[:n])
        return (
            f"<datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>"
            f"<recordset>{recs}</recordset></datastore>"
        )

    text = re.sub(r"<!--#datastore (\w+) (\d+)-->", datastore, text)
    encoding = spec.get("encoding", "utf-8")
    return text.encode(encoding, errors="xmlcharrefreplace")


def _file_for(path: str, query: str) -> list[str]:
    """Candidate files for a URL: ``dir/`` is ``dir/index.html``; a query selects
    ``file@k=v&k2=v2`` (tracking parameters ignored, as real servers ignore them)."""
    rel = path.lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    params = sorted((k, v) for k, v in parse_qsl(query) if not TRACKING.match(k))
    out = []
    if params:
        out.append(f"{rel}@{urlencode(params)}")
    out.append(rel)
    if "." not in rel.rsplit("/", 1)[-1]:
        out.append(rel + ".html")  # /gkmlpt/index
    return out


# --------------------------------------------------------------------------- the handler


def make_handler(site: SiteRuntime, urls: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    spec = site.spec

    class Handler(BaseHTTPRequestHandler):
        server_version = "nginx"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return  # tests read the counters, not a log

        # ---- sending

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str = "text/html",
            headers: dict[str, str] | None = None,
            cacheable: bool = True,
        ) -> None:
            path = urlsplit(self.path).path
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if cacheable and status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self._served()
                self.end_headers()
                site.count(path, 0)
                return
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if cacheable and status == 200:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self._served()
            self.end_headers()
            sent = 0
            if self.command != "HEAD":
                with contextlib.suppress(OSError):
                    self.wfile.write(body)
                    sent = len(body)
            site.count(path, sent)

        def _not_found(self) -> None:
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", cacheable=False)

        def _decoy(self) -> None:
            size = int(spec.get("decoy_bytes", 60 * 1024 * 1024))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.send_header("Content-Disposition", "attachment; filename=archive.zip")
            self.end_headers()
            sent = 0
            try:
                while sent < size and self.command != "HEAD":
                    chunk = DECOY_CHUNK[: size - sent]
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except OSError:
                pass
            site.count(urlsplit(self.path).path, sent)
            self.close_connection = True

        def _trap(self, query: str) -> None:
            """A calendar that invents the next day for ever."""
            params = dict(parse_qsl(query))
            try:
                day = dt.date.fromisoformat(params.get("date", "2024-01-01"))
            except ValueError:
                day = dt.date(2024, 1, 1)
            nxt = day + dt.timedelta(days=1)
            prev = day - dt.timedelta(days=1)
            path = urlsplit(self.path).path
            body = (
                f"<html><head><meta charset='utf-8'><title>信息公开日历 {day}</title></head>"
                f"<body><h2>{day:%Y年%m月%d日} 信息公开</h2><p>本日无公开信息。</p>"
                f"<a href='{path}?date={prev}'>上一页</a> "
                f"<a href='{path}?date={nxt}'>下一页</a></body></html>"
            )
            self._send(200, body.encode("utf-8"), "text/html; charset=utf-8")

        def _downfile(self, query: str) -> None:
            params = dict(parse_qsl(query))
            entry = spec.get("downfiles", {}).get(params.get("filename", ""))
            if not entry:
                self._not_found()
                return
            data = (SAMPLES_ROOT / entry["file"]).read_bytes()
            name = entry["name"]
            disposition = (
                f"attachment; filename=\"{params['filename']}\"; filename*=UTF-8''{quote(name)}"
            )
            self._send(
                200,
                data,
                "application/octet-stream",
                {"Content-Disposition": disposition},
            )

        def _hanweb_proxy(self, query: str, form: dict[str, str]) -> None:
            q = dict(parse_qsl(query))
            column = form.get("columnid") or q.get("columnid", "")
            records = _records(spec, column)
            if not records or form.get("unitid", q.get("unitid")) != spec["hanweb"]["unitid"]:
                self._send(
                    200,
                    b"<datastore><totalrecord>0</totalrecord></datastore>",
                    "text/xml; charset=utf-8",
                    cacheable=False,
                )
                return
            start = max(int(q.get("startrecord", "1")), 1)
            end = int(q.get("endrecord", str(start + 44)))
            perpage = int(q.get("perpage", "15")) or 15
            chosen = records[start - 1 : end]
            xml = (
                f"<?xml version='1.0' encoding='UTF-8'?><datastore>"
                f"<totalrecord>{len(records)}</totalrecord>"
                f"<totalpage>{(len(records) + perpage - 1) // perpage}</totalpage><recordset>"
                + "".join(f"<record><![CDATA[{r}]]></record>" for r in chosen)
                + "</recordset></datastore>"
            )
            self._send(200, xml.encode("utf-8"), "text/xml; charset=utf-8")

        def _gkmlpt_api(self, path: str, query: str) -> None:
            g = spec["gkmlpt"]
            params = dict(parse_qsl(query))
            cat = path.rsplit("/", 1)[-1]
            if params.get("sid") != g["sid"] or cat not in g["categories"]:
                self._send(
                    200,
                    b'{"total":0,"articles":[],"msg":"sid error"}',
                    "application/json",
                    cacheable=False,
                )
                return
            articles = g["categories"][cat]
            per = int(g.get("per_page", 10))
            page = max(int(params.get("page", "1") or 1), 1)
            chunk = articles[(page - 1) * per : page * per]
            body = json.dumps({"total": len(articles), "articles": chunk}, ensure_ascii=False)
            self._send(200, body.encode("utf-8"), "application/json; charset=utf-8")

        # ---- routing

        def _route(self, form: dict[str, str] | None = None) -> None:
            parts = urlsplit(self.path)
            path, query = parts.path, parts.query
            if path == "/robots.txt":
                robots = spec.get("robots", "User-agent: *\nDisallow:\n")
                self._send(200, robots.encode("utf-8"), "text/plain")
                return
            if spec.get("blocked"):
                status = int(spec.get("blocked_status", 200))
                page = BLOCK_PAGE if status == 200 else CHALLENGE_PAGE
                self._send(
                    status, page.encode("utf-8"), "text/html; charset=utf-8", cacheable=False
                )
                return
            delay = spec.get("slow", {}).get(path)
            if delay:
                time.sleep(float(delay))
            if path in spec.get("fail_once", []):
                with site.lock:
                    first = path not in site.failed_once
                    site.failed_once.add(path)
                if first:
                    self._send(
                        500, b"<html><body>500 Internal Server Error</body></html>", cacheable=False
                    )
                    return
            target = spec.get("redirects", {}).get(path)
            if target:
                self._send(301, b"", headers={"Location": target}, cacheable=False)
                return
            if path in spec.get("decoys", []):
                self._decoy()
                return
            if any(path == p for p in spec.get("traps", [])):
                self._trap(query)
                return
            if path == "/module/download/downfile.jsp":
                self._downfile(query)
                return
            if path == "/module/web/jpage/dataproxy.jsp" and "hanweb" in spec:
                self._hanweb_proxy(query, form or {})
                return
            if path.startswith("/gkmlpt/api/all/") and "gkmlpt" in spec:
                self._gkmlpt_api(path, query)
                return
            alias = spec.get("files", {}).get(path)
            if alias:
                data = (SAMPLES_ROOT / alias).read_bytes()
                ctype = {
                    "pdf": "application/pdf",
                    "docx": "application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document",
                    "doc": "application/msword",
                }.get(alias.rsplit(".", 1)[-1], "application/octet-stream")
                self._send(200, data, ctype)
                return
            for rel in _file_for(path, query):
                raw = _read_site_file(spec["dir"], rel)
                if raw is not None:
                    charset = "" if spec.get("charset_in_meta_only") else "; charset=utf-8"
                    self._send(200, render(spec, raw, urls), f"text/html{charset}")
                    return
            self._not_found()

        def _serve(self, form: dict[str, str] | None = None) -> None:
            with site.lock:
                site.in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site.in_flight)
            self._in_flight = True
            try:
                self._route(form)
            finally:
                self._served()

        def _served(self) -> None:
            """Stop counting this request as in flight, once.

            Called just before the last bytes of a response go out: the client cannot have
            the whole response (and so cannot start its next request) before that, while
            counting until the handler returns would see the client's next request overlap
            this thread's clean-up and report a politeness breach that never happened.
            """
            if getattr(self, "_in_flight", False):
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


# --------------------------------------------------------------------------- the site set


def _unused_port(host: str) -> int:
    """A port on ``host`` that nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class Sites:
    """The running sites: addresses, a seed list for them, and their counters."""

    def __init__(self, manifest: dict[str, Any], first_host: int = 2) -> None:
        self.manifest = manifest
        self.sites: dict[str, SiteRuntime] = {}
        for i, spec in enumerate(manifest["sites"]):
            self.sites[spec["key"]] = SiteRuntime(spec=spec, host=f"127.0.0.{first_host + i}")
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        urls: dict[str, str] = {}  # filled below, read by handlers at request time
        for site in self.sites.values():
            if site.spec.get("unreachable"):
                site.port = _unused_port(site.host)
                urls[site.key] = site.url
                continue
            server = ThreadingHTTPServer((site.host, 0), make_handler(site, urls))
            server.daemon_threads = True
            site.server = server
            site.port = int(server.server_address[1])
            urls[site.key] = site.url
            t = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},  # shutdown() waits up to one interval per site
                name=f"site-{site.key}",
                daemon=True,
            )
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        for site in self.sites.values():
            if site.server is not None:
                site.server.shutdown()
                site.server.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def _site(self, name: str) -> SiteRuntime:
        for site in self.sites.values():
            if name in (site.key, site.spec["name"]):
                return site
        raise KeyError(name)

    def url_for(self, name: str) -> str:
        """The start URL of a site, by key (``mengjin``) or by name (``孟津区人民政府``)."""
        return self._site(name).url

    def seeds(self) -> list[dict[str, str]]:
        return [
            {"name": s.spec["name"], "region": s.spec["region"], "url": s.url}
            for s in self.sites.values()
            if s.spec.get("seed", True)
        ]

    def seeds_csv(self, path: str | Path, keys: list[str] | None = None) -> Path:
        """Write a seed list ``name,region,url`` of the seed sites (or of ``keys``)."""
        p = Path(path)
        with p.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["name", "region", "url"])
            for site in self.sites.values():
                if (keys is None and site.spec.get("seed", True)) or (keys and site.key in keys):
                    w.writerow([site.spec["name"], site.spec["region"], site.url])
        return p

    def requests(self, name: str, path: str | None = None) -> int:
        site = self._site(name)
        with site.lock:
            return site.counts[path] if path else sum(site.counts.values())

    def bytes_sent(self, name: str, path: str | None = None) -> int:
        site = self._site(name)
        with site.lock:
            return site.bytes_sent[path] if path else sum(site.bytes_sent.values())

    def total_bytes(self) -> int:
        return sum(self.bytes_sent(k) for k in self.sites)

    def expected_reports(self) -> list[dict[str, Any]]:
        """Every report the sites hold, with the absolute URL the spider should yield."""
        out = []
        for site in self.sites.values():
            for report in site.spec.get("reports", []):
                out.append(
                    {
                        **report,
                        "site": site.key,
                        "site_url": site.url,
                        "url": site.url.rstrip("/") + report["path"],
                        "attachments": [
                            site.url.rstrip("/") + a for a in report.get("attachments", [])
                        ],
                    }
                )
        return out

    def expected_status(self) -> dict[str, str]:
        """Seed URL -> the site status a crawl should report."""
        return {s.url: s.spec["status"] for s in self.sites.values() if s.spec.get("seed", True)}


@contextlib.contextmanager
def serve_sites(first_host: int = 2) -> Iterator[Sites]:
    """Serve every bundled site on its own loopback address for the duration of the block."""
    sites = Sites(load_manifest(), first_host=first_host)
    sites.start()
    try:
        yield sites
    finally:
        sites.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the bundled test sites until Ctrl-C.")
    parser.add_argument("--seeds", help="write a seed CSV for the served sites to this path")
    args = parser.parse_args(argv)
    with serve_sites() as sites:
        if args.seeds:
            sites.seeds_csv(args.seeds)
        for s in sites.sites.values():
            print(f"{s.key:12} {s.url:28} {s.spec['name']}")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
