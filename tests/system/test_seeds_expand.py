"""``yingji seeds expand URL`` as an operator runs it: a child process reading a directory served
on loopback (demo/sites/lywzq, demo/sites/hnwzdh), writing a seed file the crawler reads.

The directory is fetched through Scrapy with the project's rules, so the tests also watch what
was requested (robots.txt, the directory and its 县区 tab, nothing else) and that robots.txt
and the address guard hold.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.seeds import load_seeds, parse_seeds, select_shard
from demo.server import serve_sites
from demo.sites import Sites
from tests.yingji.served import YINGJI, clean_env

FAST = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=0"]
LUOYANG_COUNTIES = [
    ("老城区人民政府", "河南省洛阳市老城区", "http://www.lylc.gov.cn/", "410302"),
    ("西工区人民政府", "河南省洛阳市西工区", "http://www.xigong.gov.cn/", "410303"),
    ("瀍河回族区人民政府", "河南省洛阳市瀍河回族区", "http://www.chanhe.gov.cn/", "410304"),
    ("涧西区人民政府", "河南省洛阳市涧西区", "http://www.jianxi.gov.cn/", "410305"),
    ("偃师区人民政府", "河南省洛阳市偃师区", "https://www.yanshi.gov.cn/", "410307"),
    ("孟津区人民政府", "河南省洛阳市孟津区", "https://www.mengjin.gov.cn/", "410308"),
    ("洛龙区人民政府", "河南省洛阳市洛龙区", "http://www.luolong.gov.cn/", "410311"),
    ("新安县人民政府", "河南省洛阳市新安县", "http://www.xinan.gov.cn/", "410323"),
    ("栾川县人民政府", "河南省洛阳市栾川县", "http://www.luanchuan.gov.cn/", "410324"),
    ("嵩县人民政府", "河南省洛阳市嵩县", "http://www.songxian.gov.cn/", "410325"),
    ("汝阳县人民政府", "河南省洛阳市汝阳县", "http://www.ruyang.cn/", "410326"),
    ("宜阳县人民政府", "河南省洛阳市宜阳县", "http://www.yiyang.gov.cn/", "410327"),
    ("洛宁县人民政府", "河南省洛阳市洛宁县", "http://www.luoning.gov.cn/", "410328"),
    ("伊川县人民政府", "河南省洛阳市伊川县", "http://www.yichuan.gov.cn/", "410329"),
]


@pytest.fixture(scope="module")
def directories() -> Iterator[Sites]:
    with serve_sites(first_host=150, groups=("directory",)) as sites:
        yield sites


def seeds_expand(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*YINGJI, "seeds", "expand", *args, *FAST],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_city_directory_becomes_a_seed_file_of_its_districts_and_counties(
    directories: Sites, tmp_path: Path
) -> None:
    url = directories.url_for("lywzq") + "wzq/"
    done = seeds_expand(url, "--out", "luoyang.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["luoyang.csv"]
    text = (tmp_path / "luoyang.csv").read_text("utf-8")
    assert text.splitlines()[0] == "name,region,url,division"
    seeds = parse_seeds(text, "luoyang.csv")
    assert [(s.name, s.region, s.url, s.extra["division"]) for s in seeds] == LUOYANG_COUNTIES
    assert load_seeds(tmp_path / "luoyang.csv") == seeds  # what `yingji crawl --seeds` reads
    shards = [select_shard(seeds, f"{k}/3") for k in (1, 2, 3)]
    assert sorted(s.url for shard in shards for s in shard) == sorted(s.url for s in seeds)

    err = done.stderr.splitlines()
    assert err[0] == (
        f"yingji: 14 county-level government sites from 2 page(s) of {url} (河南省洛阳市): "
        "written to luoyang.csv"
    )
    assert "yingji: dropped 12 duplicate link(s) (http/https, www., index.html)" in err
    assert (
        "yingji: dropped 2 link(s) to suspected spam mirrors: www.156152.com, www.lyxinan.net"
    ) in err
    # robots.txt, the directory and its 县区 tab; not the 市直部门 tab, nothing off the site
    assert directories.requests("lywzq", "/robots.txt") == 1
    assert directories.requests("lywzq", "/wzq/") == 1
    assert directories.requests("lywzq", "/wzq/xqzf.html") == 1
    assert directories.requests("lywzq", "/wzq/szbm.html") == 0


def test_a_province_directory_gives_its_cities_with_level_city(
    directories: Sites, tmp_path: Path
) -> None:
    url = directories.url_for("hnwzdh") + "zfwzdh/"
    done = seeds_expand(url, "--level", "city", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    seeds = parse_seeds(done.stdout, "stdout")
    assert [(s.name, s.extra["division"]) for s in seeds] == [
        ("郑州市人民政府", "410100"),
        ("开封市人民政府", "410200"),
        ("洛阳市人民政府", "410300"),
        ("平顶山市人民政府", "410400"),
        ("新乡市人民政府", "410700"),
    ]
    assert "suspected spam mirrors: www.moneynaire.com" in done.stderr


def test_region_overrides_the_title(directories: Sites, tmp_path: Path) -> None:
    """Under 平顶山市's name the Luoyang counties are other cities' governments still: the
    region only gives context, every name is resolved on its own merits."""
    url = directories.url_for("lywzq") + "wzq/"
    done = seeds_expand(url, "--region", "河南省平顶山市", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "(河南省平顶山市)" in done.stderr.splitlines()[0]
    assert len(parse_seeds(done.stdout)) == 14
    bad = seeds_expand(url, "--region", "火星", cwd=tmp_path)
    assert (bad.returncode, bad.stderr) == (
        2,
        "yingji: --region '火星' names no administrative division\n",
    )


def test_a_directory_that_cannot_be_read_is_one_line_and_no_file(
    directories: Sites, tmp_path: Path
) -> None:
    url = directories.url_for("lywzq") + "nowhere/"
    done = seeds_expand(url, "--out", "x.csv", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"yingji: cannot read the directory: {url}: HTTP 404\n"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------ robots.txt and the address guard


class _Hostile(BaseHTTPRequestHandler):
    """A directory host whose robots.txt forbids /private/ and whose /moved/ redirects inside
    the network (a hijacked portal)."""

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            body, status, extra = b"User-agent: *\nDisallow: /private/\n", 200, {}
        elif self.path == "/sites.pdf":
            body, status, extra = b"%PDF-1.4\n", 200, {"Content-Type": "application/pdf"}
        elif self.path == "/moved/":
            body, status, extra = b"", 302, {"Location": "http://10.255.255.1/wzq/"}
        else:
            body, status, extra = b"<html><title>x</title></html>", 200, {}
        self.send_response(status)
        headers = {"Content-Type": "text/html", "Content-Length": str(len(body)), **extra}
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hostile() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_robots_txt_and_the_address_guard_hold_for_the_directory(
    hostile: str, tmp_path: Path
) -> None:
    denied = seeds_expand(f"{hostile}/private/wzq.html", cwd=tmp_path)
    assert denied.returncode == 2
    assert "robots.txt" in denied.stderr and denied.stderr.count("\n") == 1
    refused = seeds_expand(f"{hostile}/moved/", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == (
        "yingji: cannot read the directory: http://10.255.255.1/wzq/: "
        "refused: 10.255.255.1 is a private address\n"
    )
    document = seeds_expand(f"{hostile}/sites.pdf", cwd=tmp_path)
    assert (document.returncode, document.stderr) == (
        2,
        f"yingji: cannot read the directory: {hostile}/sites.pdf: "
        "not an HTML page (application/pdf)\n",
    )
