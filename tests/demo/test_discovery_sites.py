"""The discovery sites (manifest group "discovery") serve what their manifest entries claim.

These sites hold reports today's crawler cannot find (issue 9); each exercises one capability
(its entry's ``capability``). The tests here pin the sites themselves: the pages, endpoints,
redirects and fallbacks a general crawler would need, so that a crawl test can assert the
database against ``expected_reports()`` and trust the fixture.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest

from demo import SAMPLES
from demo.server import SITES_ROOT, Sites, load_manifest, serve_sites
from demo.variants import body_page, sample_record

GROUP = ("discovery",)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
RAW = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    with serve_sites(first_host=60, groups=GROUP) as served:
        yield served


def fetch(url: str, follow: bool = True) -> tuple[int, dict[str, str], bytes]:
    try:
        with (OPENER if follow else RAW).open(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def wait_for(check: Callable[[], bool], seconds: float = 5.0) -> None:
    """The server counts a request just after writing it; give its thread a moment."""
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)


def text(url: str) -> str:
    status, _, body = fetch(url)
    assert status == 200, url
    return body.decode("utf-8")


def hrefs(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


def site_pages(key: str) -> list[str]:
    return [p.read_text("utf-8") for p in Path(str(SITES_ROOT / key)).rglob("*.html")]


# ---------------------------------------------------------------- the group and its expectations


def test_the_discovery_group_is_served_only_when_asked_for() -> None:
    default = {s["key"] for s in load_manifest()["sites"]}
    discovery = {s["key"] for s in load_manifest(GROUP)["sites"]}
    assert len(discovery) >= 15 and not default & discovery
    with serve_sites(first_host=100) as served:
        assert set(served.sites) == default


def test_each_site_names_its_capability_and_a_bureaus_reports_of_several_years() -> None:
    keys = set()
    for site in load_manifest(GROUP)["sites"]:
        assert site["group"] == "discovery" and site["capability"], site["key"]
        reports = site["reports"]
        assert len({r["year"] for r in reports}) >= 2, site["key"]
        assert len({r["agency"] for r in reports}) == 1, site["key"]
        for r in reports:
            record = sample_record(r["sample"])
            assert record["year"] == r["year"], r
            if r["sample"].startswith("variants/"):
                assert record["agency"] == r["agency"], r
            key = (r["agency"], r["year"])
            assert key not in keys, key
            keys.add(key)


def test_every_report_is_served_from_the_samples(sites: Sites) -> None:
    for report in sites.expected_reports():
        spec = sites.sites[report["site"]].spec
        status, _, body = fetch(report["url"])
        assert status == 200, report["url"]
        if report["kind"] == "document":
            assert body == (SAMPLES / spec["files"][report["path"]]).read_bytes()
        elif report["in_body"]:
            pages = report.get("pages", [report["path"]])
            for n, path in enumerate(pages, 1):
                part = body_page(report["sample"], n, len(pages))
                assert part[:300] in text(sites.url_for(report["site"]).rstrip("/") + path)
        else:  # a 详见附件 article: the report is its attachment
            assert "三、收到和处理" not in body.decode("utf-8")
        for attachment in report["attachments"]:
            status, _, data = fetch(attachment)
            rel = "/" + attachment.split("/", 3)[3]
            assert status == 200 and data == (SAMPLES / spec["files"][rel]).read_bytes()


# ---------------------------------------------------------------- 1: links against the response


def test_a_301_leads_to_a_list_whose_relative_links_resolve_only_after_it(sites: Sites) -> None:
    base = sites.url_for("laocheng")
    old = base + "xxgk/bmxxgk/ajj/ndbg/"
    assert old.removeprefix(base.rstrip("/")) in hrefs(text(base + "xxgk/bmxxgk/yjglj/"))
    status, headers, _ = fetch(old, follow=False)
    assert status == 301 and headers["Location"] == "/zwgk/bmzz/qyjglj/zfxxgknb/"
    new = urljoin(old, headers["Location"])
    links = [h for h in hrefs(text(new)) if h.startswith("./2")]
    assert links, "relative article links"
    for link in links:
        assert fetch(urljoin(new, link))[0] == 200
        assert fetch(urljoin(old, link))[0] == 404  # resolved against the request: lost
    assert 'createPageHTML(countPage, currentPage, "index", "html")' in text(new)
    assert "2022年政府信息公开工作年度报告" in text(new + "index_1.html")


def test_meta_refresh_base_href_and_jsessionid(sites: Sites) -> None:
    base = sites.url_for("xigong")
    home = text(base)
    refresh = re.search(r'content="0; url=([^"]+)"', home)
    assert refresh and ";jsessionid=" in refresh.group(1)
    portal = text(urljoin(base, refresh.group(1)))
    assert f'<base href="{base}portal/">' in portal
    report = next(r for r in sites.expected_reports() if r["site"] == "xigong")
    listing = text(base + "portal/xxgk/list.jsp;jsessionid=X?deptId=yjglj&catId=ndbg")
    link = next(h for h in hrefs(listing) if report["path"].split("?")[1] in h)
    assert link.startswith("xxgk/detail.jsp;jsessionid=")
    page = base + "portal/xxgk/list.jsp"
    assert fetch(urljoin(page, link))[0] == 404, "relative to the page, not to <base>, is lost"
    with_session = fetch(urljoin(base + "portal/", link))[2]
    assert with_session == fetch(report["url"])[2], "the session id selects nothing"


# ---------------------------------------------------------------- 2: pagination


def test_pages_named_only_by_an_inline_script(sites: Sites) -> None:
    col = sites.url_for("chanhe") + "zwgk/bmgk/yjglj/ndbg/"
    first = text(col + "list.html")
    assert "initPagination({ pageCount: 3, current: 1" in first
    assert not any("list_" in h for h in hrefs(first))
    assert "2022年政府信息公开工作年度报告" in text(col + "list_3.html")
    assert fetch(col + "list_4.html")[0] == 404


def test_a_report_over_two_article_pages(sites: Sites) -> None:
    report = next(r for r in sites.expected_reports() if r.get("pages"))
    one, two = (text(sites.url_for(report["site"]).rstrip("/") + p) for p in report["pages"])
    assert "三、收到和处理政府信息公开申请情况" not in one and "下一页" in one
    assert "三、收到和处理政府信息公开申请情况" in two and "四、政府信息公开行政复议" in two


def test_next_and_last_page_links(sites: Sites) -> None:
    col = sites.url_for("jianxi") + "xxgk/bmxxgk/yjglj/ndbg/"
    first = text(col + "index.jsp")
    assert "index.jsp?page=2" in hrefs(first) and "index.jsp?page=4" in hrefs(first)
    assert "尾页" in first and "2023年政府信息公开" not in first
    assert "2023年政府信息公开工作年度报告" in text(col + "index.jsp?page=3")
    assert "2022年政府信息公开工作年度报告" in text(col + "index.jsp?page=4")
    # past the end the servlet answers its first page, as real ones do: only the links end it
    assert fetch(col + "index.jsp?page=5")[2] == fetch(col + "index.jsp")[2]


def test_years_in_a_select_and_pages_in_a_path_parameter(sites: Sites) -> None:
    col = sites.url_for("ruzhou") + "zwgk/yjglj/"
    first = text(col + "nb.jsp")
    assert re.findall(r'<option value="(\d{4})"', first) == ["2024", "2023", "2022"]
    assert "2023年政府信息公开" not in first
    y2023 = text(col + "nb.jsp?year=2023")
    assert "nb.jsp;pageNo=2?year=2023" in hrefs(y2023) and "this.value+'?year=2023'" in y2023
    assert "nb.jsp;pageNo=3?year=2023" not in hrefs(y2023), "page 3: the jumper or page 2 only"
    assert "2023年政府信息公开工作年度报告" in text(col + "nb.jsp;pageNo=3?year=2023")
    assert "2022年政府信息公开工作年度报告" in text(col + "nb.jsp?year=2022")


# ---------------------------------------------------------------- 3: years by link text


def test_year_columns_named_by_link_text(sites: Sites) -> None:
    base = sites.url_for("yanshi")
    index = text(base + "xxgk/zfxxgknb/")
    years = re.findall(r'<a href="(/xxgk/zfxxgknb/bmnb_\d+/)">(\d{4})年度</a>', index)
    assert [y for _, y in years] == ["2024", "2023", "2022"]
    for path, year in years:
        assert f"偃师区应急管理局{year}年政府信息公开工作年度报告" in text(base + path.lstrip("/"))
    assert "2023年政府信息公开" not in index


# ---------------------------------------------------------------- 4: lists filled by script


def test_a_json_endpoint_with_its_own_key_names(sites: Sites) -> None:
    base = sites.url_for("jiaxian")
    shell = text(base + "zwgk/bmxxgk/yjglj/ndbg/")
    assert "年度报告" not in re.sub(r"<title>.*?</title>|crumbs.*?</div>", "", shell)
    assert 'url: "/api/info/list"' in shell and "channelId" in shell
    api = base + "api/info/list?channelId=1877&pageSize=3&pageNo="
    one, two = (json.loads(fetch(api + n)[2]) for n in ("1", "2"))
    assert one["data"]["totalCount"] == 6 and one["data"]["totalPage"] == 2
    titles = [a["docTitle"] for a in one["data"]["list"] + two["data"]["list"]]
    assert sum("应急管理局20" in t and t.endswith("年度报告") for t in titles) == 3
    for a in two["data"]["list"]:
        assert fetch(base + a["docUrl"].lstrip("/"))[0] == 200
    assert json.loads(fetch(base + "api/info/list?channelId=1&pageNo=1")[2])["data"]["list"] == []
    wait_for(lambda: sites.requests("jiaxian", "/api/info/list") == 3)
    assert sites.requests("jiaxian", "/api/info/list") == 3


def test_a_jsonp_endpoint(sites: Sites) -> None:
    base = sites.url_for("lushan")
    shell = text(base + "zwgk/ndbg/yjglj/")
    assert "/interface/getArticleList.do?callback=?" in shell
    url = base + "interface/getArticleList.do?callback=jQuery1113_17&cid=ndbg_yjglj&rows=2&p="
    bodies = [fetch(url + str(p))[2].decode() for p in (1, 2, 3)]
    assert all(b.startswith("jQuery1113_17(") and b.endswith(");") for b in bodies)
    data = [json.loads(b[len("jQuery1113_17(") : -2]) for b in bodies]
    assert data[0]["total"] == 5 and [len(d["rows"]) for d in data] == [2, 2, 1]
    assert any("2023年政府信息公开工作年度报告" in r["name"] for r in data[1]["rows"])


def test_an_xml_endpoint(sites: Sites) -> None:
    base = sites.url_for("xinhua")
    assert '"/cms/xmlList.jsp"' in text(base + "zwgk/bmgk/yjj/nb/")
    status, headers, body = fetch(base + "cms/xmlList.jsp?columnId=c1290&pageIndex=2&pageSize=3")
    xml = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/xml")
    assert "<count>5</count>" in xml and xml.count("<article>") == 2
    assert "新华区应急管理局2023年政府信息公开工作年度报告" in xml


# ---------------------------------------------------------------- 5: documents behind wrappers


def test_a_pdf_behind_a_viewer(sites: Sites) -> None:
    base = sites.url_for("muye")
    report = next(r for r in sites.expected_reports() if r["site"] == "muye" and not r["in_body"])
    page = text(report["url"])
    pdf = report["attachments"][0].removeprefix(base.rstrip("/"))
    assert f"/static/pdfjs/web/viewer.html?file={pdf}" in hrefs(page)
    assert not any(h == pdf for h in hrefs(page)), "the PDF itself is linked only via the viewer"
    assert "PDF.js" in text(base + f"static/pdfjs/web/viewer.html?file={quote(pdf)}")
    status, headers, data = fetch(report["attachments"][0])
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    assert data == (SAMPLES / "seed002.pdf").read_bytes()


def test_a_download_handler_named_in_a_script(sites: Sites) -> None:
    report = next(
        r for r in sites.expected_reports() if r["site"] == "fengquan" and r["attachments"]
    )
    page = text(report["url"])
    file_id = re.search(r"onclick=\"downloadFile\('(\w+)'\)\"", page)
    assert file_id and f"javascript:downLoad('{file_id.group(1)}');" in page
    assert '"/attach/download.do?fileId=" + id' in page
    assert report["attachments"][0].endswith(f"/attach/download.do?fileId={file_id.group(1)}")
    assert fetch(report["attachments"][0])[2] == (SAMPLES / "seed002.docx").read_bytes()
    assert fetch(sites.url_for("fengquan") + "attach/download.do?fileId=0")[0] == 404


def test_a_flipbook_whose_index_links_the_pdf(sites: Sites) -> None:
    base = sites.url_for("lcyjj")
    listing = text(base + "xxgk/xxgknb/")
    assert "/flipbook/2022nb/index.html" in hrefs(listing)
    book = base + "flipbook/2022nb/index.html"
    pdf = next(h for h in hrefs(text(book)) if h.endswith(".pdf"))
    report = next(r for r in sites.expected_reports() if r["kind"] == "document")
    assert urljoin(book, pdf) == report["url"]
    assert "<img" in text(urljoin(book, "files/basic-html/page1.html"))


# ---------------------------------------------------------------- 7: sub-columns of bodies


@pytest.mark.parametrize(
    ("key", "collection", "branch"),
    [("shilong", "xxgk/zfxxgkndbg/", "区直部门"), ("pingdingshan", "zwgk/zfxxgknb/", "市政府部门")],
)
def test_reports_under_a_sub_column_of_bodies(
    sites: Sites, key: str, collection: str, branch: str
) -> None:
    base = sites.url_for(key)
    index = text(base + collection)
    agency = next(r["agency"] for r in sites.expected_reports() if r["site"] == key)
    assert agency not in index
    sub = re.search(rf'<a href="(/[^"]+)">{branch}</a>', index)
    assert sub, branch
    found = text(base + sub.group(1).lstrip("/"))
    if key == "pingdingshan":  # one 部门年报 column per year inside it
        years = re.findall(r'<a href="(/[^"]+)">(\d{4})年部门年报</a>', found)
        found = "".join(text(base + p.lstrip("/")) for p, _ in years)
    for r in (r for r in sites.expected_reports() if r["site"] == key):
        assert r["path"] in found, r["path"]


# ---------------------------------------------------------------- 8: fallbacks


def test_a_misfiled_report_only_in_the_sitemap_named_by_robots(sites: Sites) -> None:
    base = sites.url_for("ye")
    robots = text(base + "robots.txt")
    sitemap = re.search(r"^Sitemap: (\S+)$", robots, re.M)
    assert sitemap and sitemap.group(1) == base + "sitemap.xml"
    status, headers, index = fetch(sitemap.group(1))
    assert status == 200 and headers["Content-Type"].startswith("application/xml")
    child = re.search(r"<loc>(\S+)</loc>", index.decode())
    assert child
    urls = re.findall(r"<loc>(\S+)</loc>", fetch(child.group(1))[2].decode())
    [misfiled] = [r for r in sites.expected_reports() if r["site"] == "ye" and r.get("misfiled")]
    assert misfiled["url"] in urls and "/ghjh/" in misfiled["path"]
    assert not any(misfiled["path"] in p for p in site_pages("ye") if "<urlset" not in p)


def test_a_misfiled_report_found_by_the_site_search(sites: Sites) -> None:
    base = sites.url_for("wugang")
    assert 'action="/search/search.jsp"' in text(base) and 'name="keyword"' in text(base)
    [misfiled] = [
        r for r in sites.expected_reports() if r["site"] == "wugang" and r.get("misfiled")
    ]
    assert not any(misfiled["path"] in p for p in site_pages("wugang"))
    found = text(base + "search/search.jsp?keyword=" + quote("舞钢市应急管理局 年度报告"))
    assert misfiled["path"] in hrefs(found)
    assert "找到相关结果 4 条" in found  # the three reports and a notice that names them
    assert misfiled["path"] not in text(base + "search/search.jsp?keyword=" + quote("教育局"))


# ---------------------------------------------------------------- 9: politeness


def test_crawl_delay_in_robots_and_request_times_kept(sites: Sites) -> None:
    base = sites.url_for("huojia")
    assert "Crawl-delay: 2" in text(base + "robots.txt").splitlines()
    time.sleep(0.3)  # the server counts a request just after writing it: let others land
    before = sites.request_times("huojia")
    text(base)
    wait_for(lambda: len(sites.request_times("huojia")) > len(before))
    times = sites.request_times("huojia")
    assert len(times) == len(before) + 1 == sites.requests("huojia")
    assert times == sorted(times)
