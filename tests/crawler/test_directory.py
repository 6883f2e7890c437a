"""Seed expansion from site directories: names -> divisions, duplicates, mirrors, levels.

The rules of crawler/directory.py and crawler/directorypage.py, run on small pages modelled on
real directories and on the demo's directory pages (demo/sites/lywzq, demo/sites/hnwzdh).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crawler.directory import (
    Reason,
    clean_url,
    directory_division,
    expand,
    government_name,
    is_non_public,
    resolve_place,
    write_seeds,
)
from crawler.directorypage import read_page, site_identity
from crawler.seeds import parse_seeds
from storage.identity import division_table

SITES = Path(__file__).resolve().parents[2] / "demo" / "sites"
TABLE = division_table()
LUOYANG = TABLE.by_code["410300"]
HENAN = TABLE.by_code["410000"]
BASE = "http://www.ly.gov.cn/wzq/"


def page(body: str, url: str = BASE, title: str = "网站群_洛阳市人民政府") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def seeds_of(html: str, directory=LUOYANG, level: str = "county", url: str = BASE):
    return expand([read_page(url, html)], directory, level, TABLE)


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("text", "place", "says"),
    [
        ("孟津区人民政府", "孟津区", True),
        ("洛阳市孟津区人民政府门户网站", "洛阳市孟津区", True),
        ("孟津区政府网", "孟津区", True),
        ("中国·孟津", "孟津", False),
        ("新安县", "新安县", False),
        ("孟津区人民政府（旧版）", "孟津区", True),
        ("锡林郭勒盟行政公署", "锡林郭勒盟", True),
        ("孟津区应急管理局", "孟津区应急管理局", False),
    ],
)
def test_a_government_name_is_its_place_and_the_government_words(
    text: str, place: str, says: bool
) -> None:
    name = government_name(text)
    assert name is not None and (name.place, name.says_government) == (place, says)


@pytest.mark.parametrize("text", ["12345政务服务便民热线", "2023年报", "a", "English"])
def test_texts_that_are_not_chinese_names_name_no_government(text: str) -> None:
    assert government_name(text) is None


@pytest.mark.parametrize(
    ("place", "code"),
    [
        ("孟津区", "410308"),
        ("洛阳市孟津区", "410308"),
        ("偃师市", "410307"),  # renamed 偃师区 in 2021: found by its stem
        ("孟津县", "410308"),
        ("孟津", "410308"),  # a short list: names without their level word
        ("瀍河", "410304"),  # 瀍河回族区
        ("嵩县", "410325"),
        ("郑州市", "410100"),  # outside the directory, but unique: still resolved
    ],
)
def test_places_resolve_in_the_directory_s_context(place: str, code: str) -> None:
    d = resolve_place(place, [LUOYANG], TABLE)
    assert d is not None and d.code == code


def test_a_section_heading_picks_among_namesakes() -> None:
    """桥西区 is in 石家庄市 and 张家口市: on 河北省's directory the city heading decides."""
    hebei = TABLE.by_code["130000"]
    html = page(
        "<dl><dt>石家庄市</dt><dd><a href='http://www.sjzqx.gov.cn/'>桥西区</a>"
        "<a href='http://www.xinhua.gov.cn/'>新华区</a></dd>"
        "<dt>张家口市</dt><dd><a href='http://www.zjkqxq.gov.cn/'>桥西区</a></dd></dl>",
        title="政府网站导航_河北省人民政府",
    )
    result = seeds_of(html, hebei, url="http://www.hebei.gov.cn/dh/")
    assert [(s.division, s.region) for s in result.seeds] == [
        ("130104", "河北省石家庄市桥西区"),
        ("130105", "河北省石家庄市新华区"),
        ("130703", "河北省张家口市桥西区"),
    ]


def test_without_a_heading_a_namesake_is_unresolved_not_guessed() -> None:
    hebei = TABLE.by_code["130000"]
    html = page(
        "<ul><li><a href='http://www.a.gov.cn/'>桥西区人民政府</a></li>"
        "<li><a href='http://www.b.gov.cn/'>新华区人民政府</a></li>"
        "<li><a href='http://www.c.gov.cn/'>高新区人民政府</a></li></ul>"
    )
    result = seeds_of(html, hebei)
    assert result.seeds == ()
    assert {d.text for d in result.of(Reason.UNRESOLVED)} == {
        "桥西区人民政府",
        "新华区人民政府",
        "高新区人民政府",
    }


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("网站群_洛阳市人民政府", "410300"),
        ("政府网站导航-河南省人民政府门户网站", "410000"),
        ("县区政府 - 洛阳市人民政府网站群", "410300"),
        ("锡林郭勒盟行政公署", "152500"),
    ],
)
def test_the_directory_s_government_is_read_from_its_title(title: str, code: str) -> None:
    d = directory_division(title, TABLE)
    assert d is not None and d.code == code


def test_a_title_naming_no_government_gives_no_division() -> None:
    assert directory_division("网站群", TABLE) is None


# ---------------------------------------------------------------- sites


def test_one_site_whatever_the_spelling_of_its_address() -> None:
    spellings = [
        "http://www.mengjin.gov.cn/",
        "https://www.mengjin.gov.cn",
        "http://mengjin.gov.cn/index.html",
        "https://WWW.MENGJIN.GOV.CN/index.htm",
    ]
    assert {site_identity(u) for u in spellings} == {"mengjin.gov.cn"}
    assert site_identity("http://www.mengjin.gov.cn/zwgk/") != site_identity(spellings[0])
    assert clean_url("http://www.xinan.gov.cn/index.html#top") == "http://www.xinan.gov.cn/"


@pytest.mark.parametrize(
    "url",
    ["http://10.1.2.3/", "http://127.0.0.1:8080/", "http://localhost/", "http://[::1]/",
     "http://intranet/", "http://169.254.169.254/latest/", "http://printer.local/"],
)  # fmt: skip
def test_non_public_addresses_are_recognised(url: str) -> None:
    assert is_non_public(url)


def test_public_names_and_addresses_are_not_non_public() -> None:
    assert not is_non_public("http://www.mengjin.gov.cn/")
    assert not is_non_public("http://122.137.242.24:8080/pub/")


# ---------------------------------------------------------------- the rules together


def test_departments_news_and_services_are_not_seeds() -> None:
    html = page(
        "<ul><li><a href='http://www.mengjin.gov.cn/'>孟津区人民政府</a></li>"
        "<li><a href='http://yjglj.ly.gov.cn/'>洛阳市应急管理局</a></li>"
        "<li><a href='http://www.mengjin.gov.cn/yjglj/'>孟津区应急管理局</a></li>"
        "<li><a href='http://fgw.ly.gov.cn/'>洛阳市发展和改革委员会</a></li>"
        "<li><a href='http://12345.ly.gov.cn/'>12345政务服务便民热线</a></li>"
        "<li><a href='/xwzx/'>新闻中心</a></li></ul>"
    )
    result = seeds_of(html)
    assert [s.url for s in result.seeds] == ["http://www.mengjin.gov.cn/"]
    assert len(result.of(Reason.NOT_GOVERNMENT)) == 5


def test_a_non_gov_cn_site_is_kept_only_from_the_directory_s_government_list() -> None:
    """汝阳县 on ruyang.cn sits among gov.cn county sites: the directory vouches for it. The
    same kind of link in the 友情链接 footer, among other links, is a suspected mirror."""
    html = page(
        "<table><tr><td><a href='http://www.songxian.gov.cn/'>嵩县</a></td>"
        "<td><a href='http://www.ruyang.cn/'>汝阳县</a></td>"
        "<td><a href='http://www.yiyang.gov.cn/'>宜阳县</a></td></tr></table>"
        "<div class='links'><a href='http://www.henan.gov.cn/'>河南省人民政府</a>"
        "<a href='http://www.lyxinan.net/'>新安县人民政府网</a>"
        "<a href='http://www.lyd.com.cn/'>洛阳网</a></div>"
    )
    result = seeds_of(html)
    assert [s.url for s in result.seeds] == [
        "http://www.songxian.gov.cn/",
        "http://www.ruyang.cn/",
        "http://www.yiyang.gov.cn/",
    ]
    assert [d.url for d in result.of(Reason.MIRROR)] == ["http://www.lyxinan.net/"]
    assert any(d.text == "洛阳网" for d in result.of(Reason.NOT_GOVERNMENT))


def test_a_known_mirror_domain_is_dropped_even_inside_the_government_list() -> None:
    html = page(
        "<ul><li><a href='http://www.songxian.gov.cn/'>嵩县</a></li>"
        "<li><a href='http://www.yiyang.gov.cn/'>宜阳县</a></li>"
        "<li><a href='http://www.yichuan.gov.cn/'>伊川县</a></li>"
        "<li><a href='http://www.156152.com/mengjin/'>孟津区人民政府</a></li></ul>"
    )
    result = seeds_of(html)
    assert len(result.seeds) == 3
    assert [d.url for d in result.of(Reason.MIRROR)] == ["http://www.156152.com/mengjin/"]


def test_a_directory_cannot_smuggle_in_a_non_public_seed() -> None:
    """A seed's host is exempt from the crawler's address guard, so none may be internal."""
    html = page(
        "<ul><li><a href='http://www.songxian.gov.cn/'>嵩县</a></li>"
        "<li><a href='http://www.yiyang.gov.cn/'>宜阳县</a></li>"
        "<li><a href='http://10.0.0.7/'>伊川县人民政府</a></li>"
        "<li><a href='http://localhost:6379/'>洛宁县</a></li></ul>"
    )
    result = seeds_of(html)
    assert {s.division for s in result.seeds} == {"410325", "410327"}
    assert len(result.of(Reason.NON_PUBLIC)) == 2


def test_levels_choose_county_or_city_governments_and_never_the_directory_s_own() -> None:
    html = page(
        "<ul><li><a href='http://www.ly.gov.cn/'>洛阳市人民政府</a></li>"
        "<li><a href='http://www.pds.gov.cn/'>平顶山市人民政府</a></li>"
        "<li><a href='http://www.xinxiang.gov.cn/'>新乡市人民政府</a></li>"
        "<li><a href='http://www.zhongmu.gov.cn/'>中牟县人民政府</a></li>"
        "<li><a href='http://www.gov.cn/'>中国政府网</a></li></ul>",
        title="政府网站导航_河南省人民政府",
    )
    by_level = {
        level: [s.division for s in seeds_of(html, HENAN, level).seeds]
        for level in ("county", "city", "all")
    }
    assert by_level == {
        "county": ["410122"],
        "city": ["410300", "410400", "410700"],
        "all": ["410122", "410300", "410400", "410700"],
    }
    county = seeds_of(html, TABLE.by_code["410300"], "county")
    assert [d.text for d in county.of(Reason.SELF)] == ["洛阳市人民政府"]


def test_duplicates_keep_the_first_address_upgraded_to_https() -> None:
    html = page(
        "<ul><li><a href='http://www.mengjin.gov.cn/'>孟津区</a></li>"
        "<li><a href='http://www.xinan.gov.cn/'>新安县</a></li></ul>"
        "<select><option value=''>--县区--</option>"
        "<option value='http://mengjin.gov.cn/index.html'>孟津区</option>"
        "<option value='https://www.mengjin.gov.cn/'>孟津区人民政府</option>"
        "<option value='http://www.xinan.gov.cn/index.html'>新安县</option></select>"
    )
    result = seeds_of(html)
    assert [s.url for s in result.seeds] == [
        "https://www.mengjin.gov.cn/",
        "http://www.xinan.gov.cn/",
    ]
    assert len(result.of(Reason.DUPLICATE)) == 3


def test_tabs_of_the_directory_are_followed_not_taken_for_governments() -> None:
    html = page(
        "<div class='tab'><a href='/wzq/'>网站群</a><a href='/wzq/xqzf.html'>县区政府</a>"
        "<a href='/wzq/szbm.html'>市直部门</a><a href='http://www.henan.gov.cn/dh/'>政府网站导航</a>"
        "<a href='/gzbb/'>政府网站工作年度报表</a></div>"
    )
    read = read_page(BASE, html)
    assert read.tabs == ("http://www.ly.gov.cn/wzq/xqzf.html",)
    assert all(link.text not in ("网站群", "县区政府") for link in read.links)


# ---------------------------------------------------------------- the demo directories


def demo_pages(site: str, *paths: str, host: str = "http://127.0.0.9:8000/"):
    return [read_page(host + p, (SITES / site / p).with_suffix(".html").read_text()) for p in paths]


def test_the_demo_city_directory_gives_its_fourteen_districts_and_counties() -> None:
    pages = demo_pages("lywzq", "wzq/index", "wzq/xqzf")
    assert directory_division(pages[0].title, TABLE) == LUOYANG
    result = expand(pages, LUOYANG, "county", TABLE)
    assert [s.division for s in result.seeds] == [
        d.code for d in sorted(TABLE.descendants(LUOYANG), key=lambda d: d.code)
    ]
    assert result.counts()[Reason.MIRROR] == 2
    assert result.counts()[Reason.DUPLICATE] == 12


def test_the_output_is_a_seed_file_the_crawler_reads() -> None:
    pages = demo_pages("hnwzdh", "zfwzdh/index")
    result = expand(pages, HENAN, "all", TABLE)
    out = io.StringIO()
    write_seeds(result.seeds, out)
    seeds = parse_seeds(out.getvalue(), "expanded.csv")
    assert len(seeds) == len(result.seeds) == 21
    mengjin = next(s for s in seeds if s.extra["division"] == "410308")
    assert (mengjin.name, mengjin.region, mengjin.url) == (
        "孟津区人民政府",
        "河南省洛阳市孟津区",
        "http://www.mengjin.gov.cn/",
    )


@pytest.mark.parametrize(
    "body",
    [
        "<h4>平顶山市</h4><ul><li><span>·</span><a href='http://www.yexian.gov.cn/'>叶县</a></li></ul>",
        "<table><tr><th>平顶山市</th><td><a href='http://x.gov.cn/'>卫东区</a> "
        "<a href='http://www.yexian.gov.cn/'>叶县</a></td></tr></table>",
        "<dl><dt>郑州市</dt><dd><a href='http://z.gov.cn/'>中牟县</a></dd>"
        "<dt>平顶山市</dt><dd><a href='http://www.yexian.gov.cn/'>叶县</a></dd></dl>",
    ],
)
def test_the_heading_of_a_link_s_section_is_read_from_the_layouts_directories_use(
    body: str,
) -> None:
    read = read_page("http://www.henan.gov.cn/dh/", page(body))
    (link,) = [x for x in read.links if x.text == "叶县"]
    assert link.headings[0] == "平顶山市"


def test_each_list_of_links_is_its_own_block() -> None:
    read = read_page(
        BASE,
        page(
            "<ul><li><a href='http://a.gov.cn/'>一</a></li><li><a href='http://b.gov.cn/'>二</a>"
            "</li></ul><select><option value='http://c.gov.cn/'>三</option></select>"
        ),
    )
    assert [x.block for x in read.links] == [0, 0, 1]
