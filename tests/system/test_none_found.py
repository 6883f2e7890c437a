"""A site that has published no report: the run record says what was tried before "none found".

A realistic county portal on 127.0.0.x: its disclosure hub leads to the emergency bureau's
section, whose annual-report column has one column per year (2024年度, 2023年度), both empty
("暂无信息"); the bureau's section lists a notice, the home page links the city's report
collection on the city's own site (not followed) and has a search form whose answer finds
nothing; there is no sitemap. One real ``yingji crawl`` into a real SQLite database; then the
final table, ``yingji runs`` and ``run_sites.detail`` must all say the same: which columns and
years were walked, that the sitemap was missing and the search gave no report link, and the
request refused (the link off the site).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from tests.system.sitecrawl import run_crawl

NAME = "测试县人民政府"
PAGE = "<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
SEARCH = (
    "<form action='/search/s.jsp' method='get'><input name='keyword'><button>搜索</button></form>"
)
EMPTY_LIST = "<div class='list'><ul></ul><p>暂无信息</p></div>"
ROUTES = {
    "/": (
        "测试县人民政府",
        f"{SEARCH}<a href='/xxgk/'>政府信息公开</a><a href='http://www.example.cn/'>友情链接</a>"
        # the city's collection on the city's site: a column link, but off the site
        "<a href='http://www.example.cn/zfxxgknb/'>政府信息公开年报</a>",
    ),
    "/xxgk/": ("政府信息公开", "<a href='/xxgk/yjglj/'>县应急管理局</a>"),
    "/xxgk/yjglj/": (
        "县应急管理局",
        "<a href='/xxgk/yjglj/ndbg/'>政府信息公开年报</a>"
        "<ul><li><a href='/xxgk/yjglj/tzgg/202403/t20240301_11.html'>"
        "关于开展安全生产大检查的通知</a></li></ul>",
    ),
    "/xxgk/yjglj/ndbg/": (
        "政府信息公开年报",
        "<a href='/xxgk/yjglj/ndbg/2024/'>2024年度</a>"
        "<a href='/xxgk/yjglj/ndbg/2023/'>2023年度</a>",
    ),
    "/xxgk/yjglj/ndbg/2024/": ("2024年度", EMPTY_LIST),
    "/xxgk/yjglj/ndbg/2023/": ("2023年度", EMPTY_LIST),
    "/search/s.jsp": ("搜索结果", f"{SEARCH}<p>未找到相关结果</p>"),
}
COLUMNS = ["/xxgk/", "/xxgk/yjglj/", "/xxgk/yjglj/ndbg/", "/xxgk/yjglj/ndbg/2023/"]
COLUMNS.append("/xxgk/yjglj/ndbg/2024/")
TRIED = (
    "tried 5 columns (2 years: 2023, 2024), sitemap (none), search (0 links); refused 1: off-site 1"
)


class Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        route = ROUTES.get(urlsplit(self.path).path)
        if self.path == "/robots.txt":
            status, body = 200, "User-agent: *\nAllow: /\n"
        elif route is None:
            status, body = 404, PAGE.format(title="404", body="页面不存在")
        else:
            status, body = 200, PAGE.format(title=route[0], body=route[1])
        data = body.encode("utf-8")
        self.send_response(status)
        kind = "text/plain" if self.path == "/robots.txt" else "text/html"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.121", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.121:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def crawled(site: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    work = tmp_path_factory.mktemp("none-found")
    seeds = work / "seeds.csv"
    seeds.write_text(f"name,region,url\n{NAME},河南省洛阳市测试县,{site}\n", "utf-8")
    database = work / "yingji.db"
    proc = run_crawl(seeds, f"sqlite:///{database}", work, health=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return database, proc.stdout


@pytest.mark.slow
def test_the_final_table_says_what_was_tried_at_a_site_with_none_found(
    crawled: tuple[Path, str],
) -> None:
    _database, out = crawled
    row = next(line for line in out.splitlines() if line.startswith(NAME))
    assert row.split()[1:3] == ["none", "found"]
    assert row.endswith(TRIED), row
    assert "/search/s.jsp?keyword=" in "".join(Handler.seen)  # the search was really asked
    assert "/sitemap.xml" in Handler.seen


@pytest.mark.slow
def test_the_run_record_keeps_the_columns_years_fallbacks_and_refusals(
    crawled: tuple[Path, str], site: str
) -> None:
    database, _out = crawled
    db = sqlite3.connect(database)
    ((status, raw),) = db.execute("SELECT status, detail FROM run_sites").fetchall()
    db.close()
    detail = json.loads(raw)
    assert status == "none_found"
    assert detail["columns"] == len(COLUMNS)
    assert detail["column_urls"] == [site.rstrip("/") + c for c in COLUMNS]
    assert (detail["years_walked"], detail["years_found"]) == ([2023, 2024], [])
    assert detail["fallbacks"] == {
        "sitemap": {"fetched": 0, "links": 0, "note": None},
        "search": {"fetched": 1, "links": 0, "note": None},
    }
    assert detail["refused"] == {"off-site": 1}


@pytest.mark.slow
def test_yingji_runs_shows_the_same_note_later(crawled: tuple[Path, str]) -> None:
    database, _out = crawled
    runs = subprocess.run(
        [sys.executable, "-m", "yingji.cli", "runs", "--database", f"sqlite:///{database}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert runs.returncode == 0, runs.stderr
    row = next(line for line in runs.stdout.splitlines() if NAME in line)
    assert row.endswith(TRIED), row
