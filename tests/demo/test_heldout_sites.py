"""The held-out sites (manifest group "heldout") serve what their manifest entries claim.

They were built after the discovery sites, to judge whether the generic path generalises: the
same capabilities in other shapes. These tests pin the sites themselves (each report served
from its sample; the POST-only endpoint, the CDATA records, the search that needs its hidden
inputs, the endless list), so that tests/system/test_heldout_crawl.py can trust them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from demo import SAMPLES
from demo.server import Sites, load_manifest, serve_sites
from demo.variants import body_page, sample_record

GROUP = ("heldout",)
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def sites() -> Iterator[Sites]:
    with serve_sites(first_host=200, groups=GROUP) as served:
        yield served


def fetch(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    try:
        with OPENER.open(url, data=data, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def text(url: str) -> str:
    status, body = fetch(url)
    assert status == 200, url
    return body.decode("utf-8")


def test_the_group_is_apart_and_each_site_names_its_capability() -> None:
    heldout = load_manifest(GROUP)["sites"]
    others = {s["key"] for s in load_manifest(("default", "discovery"))["sites"]}
    assert len(heldout) >= 9 and not {s["key"] for s in heldout} & others
    for site in heldout:
        assert site["group"] == "heldout" and site["capability"], site["key"]
        assert len({r["year"] for r in site["reports"]}) >= 2, site["key"]
        for r in site["reports"]:
            assert sample_record(r["sample"])["year"] == r["year"], r


def test_every_report_is_served_from_the_samples(sites: Sites) -> None:
    for report in sites.expected_reports():
        spec = sites.sites[report["site"]].spec
        status, body = fetch(report["url"])
        assert status == 200, report["url"]
        if report["in_body"]:
            pages = report.get("pages", [report["path"]])
            for n, path in enumerate(pages, 1):
                part = body_page(report["sample"], n, len(pages))
                assert part[:300] in text(sites.url_for(report["site"]).rstrip("/") + path)
        else:
            assert "三、收到和处理" not in body.decode("utf-8")
        for attachment in report["attachments"]:
            rel = "/" + attachment.split("/", 3)[3]
            assert fetch(attachment)[1] == (SAMPLES / spec["files"][rel]).read_bytes()


def test_a_post_only_endpoint_answers_nothing_to_a_get(sites: Sites) -> None:
    api = sites.url_for("tianyuan") + "common/search/infoList"
    form = urllib.parse.urlencode({"channelId": "24679", "pageIndex": "2", "pageSize": "2"})
    posted = json.loads(fetch(api, form.encode())[1])
    assert posted["result"]["total"] == 5 and len(posted["result"]["records"]) == 2
    assert posted["result"]["records"][0]["thumb"].endswith(".png")  # before the link
    assert json.loads(fetch(f"{api}?{form}")[1])["result"]["records"] == []


def test_records_of_html_inside_cdata(sites: Sites) -> None:
    url = sites.url_for("liangzhou") + "common/xmlData.do?colId=29411&page=2&perpage=2"
    xml = text(url)
    assert xml.count("<record><![CDATA[<li><a href=") == 2
    assert 'title="凉州区应急管理局2023年政府信息公开工作年度报告"' in xml


def test_the_search_needs_the_forms_hidden_inputs(sites: Sites) -> None:
    base = sites.url_for("xiaonan")
    assert '<input type="hidden" name="siteId" value="1">' in text(base)
    query = urllib.parse.quote("孝感市孝南区应急管理局 年度报告")
    assert fetch(f"{base}search.jspx?q={query}")[0] == 400
    found = text(f"{base}search.jspx?siteId=1&channelId=&q={query}")
    assert "/c/www/tzgg/26541.jhtml" in found and "找到相关结果 3 条" in found


def test_the_endless_list_answers_any_page_and_claims_more(sites: Sites) -> None:
    base = sites.url_for("aes") + "aes/yjglj/xxgknb/"
    first, far = text(base + "list_1.html"), text(base + "list_777777.html")
    assert "阿尔山市应急管理局2024年" in first and "阿尔山市应急管理局" not in far
    assert "totalPage: 9999" in far and "javascript:turnPage(777778)" in far
    assert "javascript:turnPage(1000000)" in far
    assert fetch(base + "list_1000001.html")[0] == 404


def test_the_bureau_sitemap_is_only_at_the_conventional_index_name(sites: Sites) -> None:
    base = sites.url_for("jiading")
    assert "Sitemap:" not in text(base + "robots.txt")
    assert fetch(base + "sitemap.xml")[0] == 404
    assert "/sitemaps/publicity.xml</loc>" in text(base + "sitemap_index.xml")
    assert "/publicity/tzgg/168807" in text(base + "sitemaps/publicity.xml")
    assert "168807" not in text(base + "publicity/tzgg")


def test_a_json_list_per_year_chosen_by_tabs_without_links(sites: Sites) -> None:
    base = sites.url_for("mianzhu")
    shell = text(base + "info/bm/yjglj/gknb.html")
    assert '<li data-year="2023">2023年度</li>' in shell and "年度报告" not in shell
    api = base + "info/iList.jsp?node_id=GKmzs&cat_id=3021&cur_page=1&year="
    rows = {y: json.loads(fetch(api + y)[1])["rows"] for y in ("2024", "2023", "2022")}
    assert [len(r) for r in rows.values()] == [2, 1, 1]
    assert rows["2023"][0]["title"] == "绵竹市应急管理局2023年度政府信息公开工作年度报告"
    assert json.loads(fetch(api)[1])["rows"] == rows["2024"]  # no year: the newest
