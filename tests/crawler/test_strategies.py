# ruff: noqa: E501  (page snippets are quoted as sites serve them, one record a line)
"""Each CMS family's list reading, on page text as the real sites serve it."""

from __future__ import annotations

import json
from pathlib import Path

from parsel import Selector

from crawler.strategies import (
    KIND_GKMLPT_API,
    KIND_HANWEB_PROXY,
    extract_listing,
    generic,
    gkmlpt,
    hanweb,
    trs,
    ucap,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "realpages"

# ------------------------------------------------------------------ TRS


def test_trs_page_urls_come_from_create_page_html() -> None:
    text = '<script>createPageHTML(3, 0, "index", "html");</script>'
    url = "http://www.wuchang.gov.cn/xxgk/yjglj/zfxxgknb/"
    assert trs.page_urls(url, text) == [url + "index_1.html", url + "index_2.html"]
    assert trs.page_urls(url + "index.html", text) == [url + "index_1.html", url + "index_2.html"]


def test_trs_shtml_and_count_page_variants() -> None:
    url = "http://yjglj.snj.gov.cn/xxgknb/index.shtml"
    assert trs.page_urls(url, "createPageHTML('2','0','index','shtml')") == [
        "http://yjglj.snj.gov.cn/xxgknb/index_1.shtml"
    ]
    assert trs.page_urls(url, "var countPage = 2;var currentPage = 0;") == [
        "http://yjglj.snj.gov.cn/xxgknb/index_1.html"
    ]


def test_trs_create_page_html_with_a_target_element_first() -> None:
    text = "createPageHTML('page_div', 3, 0, 'index', 'shtml', 41);"
    assert trs.page_urls("http://x.gov.cn/a/", text) == [
        "http://x.gov.cn/a/index_1.shtml",
        "http://x.gov.cn/a/index_2.shtml",
    ]


def test_trs_pager_object_of_newer_templates() -> None:
    text = "new Pager({size:3, current:0, prefix:'index',suffix:'shtml'});"
    assert trs.page_urls("http://x.gov.cn/a/", text) == [
        "http://x.gov.cn/a/index_1.shtml",
        "http://x.gov.cn/a/index_2.shtml",
    ]


def test_trs_later_pages_and_single_pages_generate_nothing() -> None:
    url = "http://x.gov.cn/a/index_1.html"
    assert trs.page_urls(url, 'createPageHTML(3, 1, "index", "html")') == []
    assert trs.page_urls("http://x.gov.cn/a/", 'createPageHTML(1, 0, "index", "html")') == []
    assert trs.page_urls("http://x.gov.cn/a/", "<p>no script</p>") == []


# ------------------------------------------------------------------ Hanweb

HANWEB_PAGE = """<div id="4407212"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=3&path=http://www.jiangxi.gov.cn/&columnid=64511&unitid=464148&webname=%E6%B1%9F%E8%A5%BF&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2024/1/18/art_64511_1.html" title="某县应急管理局2023年政府信息公开工作年度报告">某县应急管理局2023年…</a><span>2024-01-18</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/1/17/art_64511_2.html">某县人民政府2023年政府信息公开工作年度报告</a><span>2024-01-17</span></li>]]></record>
</recordset></datastore></script></div>
<script>$('#4407212').jpage({ perPage: 2, totalRecord: 5 });</script>"""


def test_hanweb_records_come_from_the_embedded_datastore() -> None:
    url = "http://www.jiangxi.gov.cn/col/col64511/index.html"
    listing = hanweb.extract(url, HANWEB_PAGE, Selector(text=HANWEB_PAGE))
    assert [(e.url, e.title, e.published) for e in listing.entries] == [
        (
            "http://www.jiangxi.gov.cn/art/2024/1/18/art_64511_1.html",
            "某县应急管理局2023年政府信息公开工作年度报告",
            "2024-01-18",
        ),
        (
            "http://www.jiangxi.gov.cn/art/2024/1/17/art_64511_2.html",
            "某县人民政府2023年政府信息公开工作年度报告",
            "2024-01-17",
        ),
    ]
    (proxy,) = listing.followups
    assert proxy.kind == KIND_HANWEB_PROXY and proxy.method == "POST"
    assert proxy.url.startswith("http://www.jiangxi.gov.cn/module/web/jpage/dataproxy.jsp?")
    assert "startrecord=3" in proxy.url and "perpage=2" in proxy.url
    form = dict(proxy.formdata)
    assert form["columnid"] == "64511" and form["unitid"] == "464148" and form["webid"] == "3"


def test_hanweb_proxy_answers_continue_until_the_total() -> None:
    def answer(n: int, total: int) -> str:
        records = "".join(
            f'<record><![CDATA[<li><a href="/art/2023/1/1/art_1_{i}.html">t{i}</a></li>]]></record>'
            for i in range(n)
        )
        return f"<datastore><totalrecord>{total}</totalrecord><recordset>{records}</recordset></datastore>"

    url = "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"
    form = {"columnid": "1", "unitid": "2", "webid": "3"}
    more = hanweb.extract_proxy(url, answer(45, 100), form)
    assert len(more.entries) == 45
    (nxt,) = more.followups
    assert "startrecord=46" in nxt.url and dict(nxt.formdata)["columnid"] == "1"
    last = hanweb.extract_proxy(url, answer(10, 10), form)
    assert len(last.entries) == 10 and last.followups == []


def test_hanweb_static_pages_when_the_page_names_no_column() -> None:
    page = (
        '<div id="380055"><script type="text/xml"><datastore><recordset>'
        + "".join(
            f'<record><![CDATA[<li><a href="/art/2024/1/{i}/art_42150_{i}.html">t{i}</a></li>]]></record>'
            for i in range(1, 4)
        )
        + "</recordset></datastore></script></div><script>var totalRecord = 7; perPage: 3</script>"
    )
    url = "http://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html"
    listing = hanweb.extract(url, page, Selector(text=page))
    assert len(listing.entries) == 3
    assert [f.url for f in listing.followups] == [
        url + "?uid=380055&pageNum=2",
        url + "?uid=380055&pageNum=3",
    ]


def test_hanweb_form_fields_with_quoted_keys() -> None:
    text = "ajaxParam:{'col':1,'appid':1,'webid':2,'path':'/','columnid':58398,'unitid':181870}"
    fields = hanweb.form_fields(text)
    assert fields["columnid"] == "58398" and fields["unitid"] == "181870" and fields["path"] == "/"


def test_hanweb_form_fields_can_come_from_the_script_alone() -> None:
    text = "ajaxParam: { col: 1, appid: 1, webid: 12, path: '/', columnid: 1229000101, unitid: 4407212, webname: '新安县人民政府' }"
    fields = hanweb.form_fields(text)
    assert fields["columnid"] == "1229000101" and fields["webname"] == "新安县人民政府"


# ------------------------------------------------------------------ gkmlpt

GKMLPT_PAGE = """<div class="tree"><a href="#2981">部门文件</a><a href="#2983">政府信息公开年报</a></div>
<script>window.CONFIG = { SID: '755031' };</script>"""


def test_gkmlpt_page_leads_to_the_api_of_report_categories() -> None:
    url = "http://jr.sz.gov.cn/gkmlpt/index"
    listing = gkmlpt.extract(url, GKMLPT_PAGE, Selector(text=GKMLPT_PAGE))
    assert [(f.url, f.kind) for f in listing.followups] == [
        ("http://jr.sz.gov.cn/gkmlpt/api/all/2983?page=1&sid=755031", KIND_GKMLPT_API)
    ]
    hinted = gkmlpt.extract(url + "#5", GKMLPT_PAGE, Selector(text=GKMLPT_PAGE))
    assert "http://jr.sz.gov.cn/gkmlpt/api/all/5?page=1&sid=755031" in [
        f.url for f in hinted.followups
    ]


def test_gkmlpt_api_pages_follow_the_total() -> None:
    url = "http://jr.sz.gov.cn/gkmlpt/api/all/2983?page=1&sid=755031"
    body = json.dumps(
        {
            "total": 5,
            "articles": [
                {
                    "title": "深圳市光明区应急管理局2023年政府信息公开工作年度报告",
                    "url": "http://jr.sz.gov.cn/gkmlpt/content/1/1/post_1.html",
                    "create_time": 1706000000,
                },
                {"title": "b", "post_url": "/gkmlpt/content/1/1/post_2.html", "create_time": 0},
            ],
        }
    )
    listing = gkmlpt.extract_api(url, body)
    assert [e.url for e in listing.entries] == [
        "http://jr.sz.gov.cn/gkmlpt/content/1/1/post_1.html",
        "http://jr.sz.gov.cn/gkmlpt/content/1/1/post_2.html",
    ]
    assert listing.entries[0].published == "2024-01-23"
    assert [f.url for f in listing.followups] == [
        "http://jr.sz.gov.cn/gkmlpt/api/all/2983?page=2&sid=755031",
        "http://jr.sz.gov.cn/gkmlpt/api/all/2983?page=3&sid=755031",
    ]
    later = gkmlpt.extract_api(url.replace("page=1", "page=2"), body)
    assert later.followups == []


def test_gkmlpt_refuses_what_is_not_its_json() -> None:
    import pytest

    with pytest.raises(ValueError):
        gkmlpt.extract_api("http://x/gkmlpt/api/all/1?page=1&sid=1", '{"error": "sid"}')


# ------------------------------------------------------------------ generic and articles

LIST_PAGE = """<html><body><div class="header"><a href="/">首页</a><a href="/xxgk/">信息公开</a></div>
<ul class="list">
<li><a href="./202401/t20240125_1.html" title="孟津区应急管理局2023年政府信息公开工作年度报告">孟津区应急管理局2023年…</a><span>2024-01-25</span></li>
<li><a href="../other/202301/t20230101_2.html">另一篇</a><span>2023年1月1日</span></li>
<li><a href="javascript:void(0)">无</a></li>
</ul>
<div class="page"><a href="list.jsp?cat=1&page=1">1</a><a href="list.jsp?cat=1&page=2">2</a><a href="list.jsp?cat=1&page=2">下一页</a></div>
</body></html>"""


def test_generic_links_keep_full_titles_dates_and_relative_targets() -> None:
    url = "http://x.gov.cn/xxgk/nb/list.jsp?cat=1&page=1"
    entries = generic.links(url, Selector(text=LIST_PAGE))
    by_url = {e.url: e for e in entries}
    report = by_url["http://x.gov.cn/xxgk/nb/202401/t20240125_1.html"]
    assert report.title == "孟津区应急管理局2023年政府信息公开工作年度报告"
    assert report.published == "2024-01-25"
    assert by_url["http://x.gov.cn/xxgk/other/202301/t20230101_2.html"].published == "2023-01-01"
    assert not any(e.url.startswith("javascript") for e in entries)


def test_a_more_link_takes_the_heading_of_its_box() -> None:
    page = (
        '<div class="box"><div class="hd"><h3>政府信息公开年报</h3><a href="/xxgk/a1/">更多>></a></div>'
        '<ul><li><a href="/x/1.html">某文</a></li></ul></div>'
    )
    entries = generic.links("http://x.gov.cn/", Selector(text=page))
    assert entries[0].url == "http://x.gov.cn/xxgk/a1/"
    assert entries[0].title == "政府信息公开年报"


def test_generic_pagination_follows_next_and_numbered_pages_not_itself() -> None:
    url = "http://x.gov.cn/xxgk/nb/list.jsp?cat=1&page=1"
    follow = {f.url for f in generic.pagination(url, Selector(text=LIST_PAGE))}
    assert follow == {"http://x.gov.cn/xxgk/nb/list.jsp?cat=1&page=2"}


def test_article_title_and_attachments() -> None:
    page = """<html><head><meta name="ArticleTitle" content="某区应急管理局2023年政府信息公开工作年度报告">
<title>首页_某区</title></head><body><div class="footer"><a href="/gkzn.pdf">公开指南.pdf</a></div>
<div class="TRS_Editor"><p>详见附件</p></div>
<p>附件：<a href="./P020240125384756123456.pdf">某区应急管理局2023年政府信息公开工作年度报告.pdf</a>
<a href="/module/download/downfile.jsp?classid=0&filename=3a2d5d5ac8d14af8b2ade9ffb3a3766a.doc">年报</a>
<a href="./P020240125384756123456.pdf?utm_source=x">同一文件</a>
<a href="./t20240125_9.html">上一篇</a></p></body></html>"""
    sel = Selector(text=page)
    url = "http://x.gov.cn/a/202401/t20240125_1.html"
    assert generic.article_title(sel) == "某区应急管理局2023年政府信息公开工作年度报告"
    found = [(a.url, a.name) for a in generic.attachments(url, sel)]
    assert found == [
        (
            "http://x.gov.cn/a/202401/P020240125384756123456.pdf",
            "某区应急管理局2023年政府信息公开工作年度报告.pdf",
        ),
        (
            "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=3a2d5d5ac8d14af8b2ade9ffb3a3766a.doc",
            "年报",
        ),
    ]


def test_ucap_title_on_a_real_saved_page() -> None:
    text = (
        FIXTURES / "kirogovcompare" / "shuyang_fgj_2023_annual_report_saved_page.html"
    ).read_text("utf-8")
    sel = Selector(text=text)
    assert ucap.applies("http://x.gov.cn/art/1.html", text)
    assert ucap.article_title(sel) == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert ucap.has_body_text(sel)


def test_the_dispatcher_combines_generic_and_family_readings() -> None:
    text = LIST_PAGE.replace(
        "</body>", '<script>createPageHTML(2, 0, "index", "html")</script></body>'
    )
    listing = extract_listing("http://x.gov.cn/xxgk/nb/", text)
    urls = {f.url for f in listing.followups}
    assert "http://x.gov.cn/xxgk/nb/index_1.html" in urls
    assert "http://x.gov.cn/xxgk/nb/list.jsp?cat=1&page=2" in urls
    only_generic = extract_listing("http://x.gov.cn/xxgk/nb/", text, family="generic")
    assert "http://x.gov.cn/xxgk/nb/index_1.html" not in {f.url for f in only_generic.followups}
