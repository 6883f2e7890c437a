"""A crawl that meets hostile attachments stays under 1 GB, records each, and stores the report.

One loopback site (the bundled Mengjin site, passed through a small server) carries, beside its
real report, attachments made here in the shapes that once cost a crawl 5.7 GB: an ODT zip
bomb named ``.doc``, a huge flat ODT and a Word 2003 XML file with entities (both ``.doc``), a
flood RTF, a two-million-cell XLSX, billion laughs in a DOCX and an XLSX, a DOCX zip bomb.
While ``scrapy crawl`` runs, the resident memory of its whole process tree (the crawl, its
parse workers, any LibreOffice) is sampled; its peak must stay under 1 GB, every hostile
document must be recorded as failed with its reason, and the real report must be stored. A
Word 97 copy of the report is attached too, so that a LibreOffice converter is part of the
measured tree.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest

from demo import SAMPLES
from demo.server import serve_sites
from storage import Store
from storage.export import iter_reports
from tests.yingji_parser.hostile import LAUGHS, sheet, zipped
from tests.yingji_parser.test_hostile import fodt, wordml, workbook

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ARTICLE = "/xxgk/bmxxgk/yjglj/zfxxgknb/202401/t20240125_1001.html"
FOLDER = ARTICLE.rsplit("/", 1)[0]
PEAK_LIMIT = 1024 * 1024 * 1024
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def odt_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        with zf.open("content.xml", "w", force_zip64=True) as fh:
            for _ in range(200):
                fh.write(b"<p/>" * (1 << 18))  # 200 MB of empty paragraphs
    return buf.getvalue()


def docx_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            for _ in range(300):
                fh.write(b"\0" * (1 << 20))
    return buf.getvalue()


def laughs_docx() -> bytes:
    body = f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'  # noqa: E501
    return zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": LAUGHS + body})


#: attachment name -> (the bytes, words its recorded reason holds)
HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "odt-bomb.doc": (odt_bomb, "zip bomb"),
    "flat-odt.doc": (lambda: fodt("<text:p>年度报告</text:p>" * 700_000), "limit for conversion"),
    "entities.doc": (lambda: wordml("&lol9;", prolog=LAUGHS), "declares XML entities"),
    "flood.rtf": (lambda: b"{\\rtf1 " + b"\\par x" * 3_000_000 + b"}", "paragraphs and table"),
    "cells.xlsx": (
        lambda: workbook(**{"xl/worksheets/sheet1.xml": sheet(50, "A1:T100000")}),
        "2,000,000 (by its <dimension>) cells",
    ),
    "laughs.xlsx": (
        lambda: workbook(**{"xl/worksheets/sheet1.xml": LAUGHS + sheet(1)}),
        "declares XML entities",
    ),
    "laughs.docx": (laughs_docx, "declares XML entities"),
    "bomb.docx": (docx_bomb, "zip bomb"),
}


def _site(upstream: str, files: dict[str, bytes]) -> ThreadingHTTPServer:
    """The bundled site as it is, but its report's article also links the hostile files."""
    links = "".join(f'<a href="./{name}">附件{i}：{name}</a>' for i, name in enumerate(files))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            name = self.path.rsplit("/", 1)[-1]
            if self.path.startswith(FOLDER + "/") and name in files:
                self._send(200, files[name], "application/octet-stream")
                return
            try:
                with urllib.request.urlopen(upstream.rstrip("/") + self.path) as up:
                    status, body = up.status, up.read()
                    ctype = up.headers.get("Content-Type", "text/html")
            except urllib.error.HTTPError as err:
                status, body, ctype = err.code, err.read(), "text/html"
            if self.path == ARTICLE:
                body = body.replace(b"</div></div>", links.encode() + b"</div></div>", 1)
            self._send(status, body, ctype)

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the crawler hangs up on a decoy: as it should
                self.wfile.write(body)

    return ThreadingHTTPServer(("127.0.0.150", 0), Handler)


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
    return total


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    work = tmp_path_factory.mktemp("hostile-memory")
    files = {name: make() for name, (make, _) in HOSTILE.items()}
    files["copy.doc"] = (SAMPLES / "seed000.doc").read_bytes()  # LibreOffice runs in the tree
    with serve_sites(first_host=120) as demo:
        upstream = demo.url_for("mengjin")
        expected = [r for r in demo.expected_reports() if r["site_url"] == upstream]
        server = _site(upstream, files)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        site = f"http://127.0.0.150:{server.server_address[1]}/"
        try:
            yield _crawl(work, site) | {"site": site, "expected": expected}
        finally:
            server.shutdown()
            server.server_close()


def _crawl(work: Path, site: str) -> dict[str, object]:
    seeds = work / "seeds.csv"
    seeds.write_text(f"name,region,url\n孟津区人民政府,河南省洛阳市孟津区,{site}\n", "utf-8")
    database = work / "yingji.db"
    settings = {
        "AUTOTHROTTLE_ENABLED": "False",
        "DOWNLOAD_DELAY": "0",
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": f"sqlite:///{database}",
        "YINGJI_FILES_STORE": str(work / "files"),
        "YINGJI_SITES_FILE": str(work / "sites.json"),
        "EXTENSIONS": '{"crawler.runrecord.RunRecord": 500}',
        "ITEM_PIPELINES": json.dumps(
            {
                "pipelines.download.DownloadPipeline": 100,
                "pipelines.parse.ParsePipeline": 200,
                "pipelines.store.StorePipeline": 300,
            }
        ),
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seeds}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    log = work / "crawl.log"
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
        watched = psutil.Process(proc.pid)
        peak, deadline = 0, time.monotonic() + 240
        while proc.poll() is None and time.monotonic() < deadline:
            peak = max(peak, _tree_rss(watched))
            time.sleep(0.05)
        if proc.poll() is None:
            proc.kill()
    assert proc.wait() == 0, log.read_text()[-3000:]
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT u.url, d.parse_status, d.parse_error FROM documents d "
            "JOIN document_urls u ON u.sha256 = d.sha256"
        ).fetchall()
    with Store(f"sqlite:///{database}", upgrade=False) as store:
        reports = [(r["agency"], r["year"]) for r in iter_reports(store)]
    return {"peak": peak, "documents": {url: (s, e) for url, s, e in rows}, "reports": reports}


def test_the_whole_crawl_stays_under_one_gigabyte(crawled: dict[str, object]) -> None:
    peak = crawled["peak"]
    assert isinstance(peak, int)
    print(f"peak resident memory of the crawl tree: {peak / 2**20:.0f} MB")
    assert 0 < peak < PEAK_LIMIT, f"peak {peak / 2**20:.0f} MB"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hostile_attachment_is_recorded_failed_with_its_reason(
    crawled: dict[str, object], name: str
) -> None:
    documents = crawled["documents"]
    assert isinstance(documents, dict)
    url = f"{str(crawled['site']).rstrip('/')}{FOLDER}/{name}"
    status, error = documents[url]
    assert status == "failed"
    assert HOSTILE[name][1] in (error or ""), error


def test_the_word_97_copy_went_through_libreoffice(crawled: dict[str, object]) -> None:
    documents = crawled["documents"]
    assert isinstance(documents, dict)
    status, error = documents[f"{str(crawled['site']).rstrip('/')}{FOLDER}/copy.doc"]
    assert status != "failed", error


def test_the_real_report_on_the_same_site_is_stored(crawled: dict[str, object]) -> None:
    expected = crawled["expected"]
    assert isinstance(expected, list) and expected
    stored = set(crawled["reports"])  # type: ignore[arg-type]
    assert {(r["agency"], r["year"]) for r in expected} <= stored
