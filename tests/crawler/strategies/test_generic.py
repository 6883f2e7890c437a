# ruff: noqa: E501  (page snippets are quoted as sites serve them, one record a line)
"""The generic reading every page gets: links, pagination, article title and files."""

from __future__ import annotations

from pathlib import Path

from parsel import Selector

from crawler.strategies import (
    generic,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "realpages"


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


def test_a_select_page_jumper_leads_to_every_page() -> None:
    # 跳转 jumpers as TRS and 大汉 templates render them under the list
    page = (
        '<html><body><ul><li><a href="./202401/t20240125_1.html">某局2023年年报</a></li></ul>'
        '<div class="page">共3页 <select onchange="window.location.href=this.value">'
        '<option value="index.html" selected>1</option><option value="index_1.html">2</option>'
        '<option value="index_2.html">3</option></select></div></body></html>'
    )
    urls = [
        f.url for f in generic.pagination("http://x.gov.cn/xxgk/nb/index.html", Selector(text=page))
    ]
    assert urls == ["http://x.gov.cn/xxgk/nb/index_1.html", "http://x.gov.cn/xxgk/nb/index_2.html"]


def _many_links(n: int, href: str = "/p/{i}.html", text: str = "") -> str:
    anchors = "".join(f'<a href="{href.format(i=i)}">{text}</a>' for i in range(n))
    return f"<html><body><div>{anchors}</div></body></html>"


def test_a_page_of_50000_links_yields_only_the_first_max_links_in_page_order() -> None:
    entries = generic.links("http://x.gov.cn/", Selector(text=_many_links(50_000)))
    assert len(entries) == generic.MAX_LINKS
    assert entries[0].url == "http://x.gov.cn/p/0.html"
    assert entries[-1].url == f"http://x.gov.cn/p/{generic.MAX_LINKS - 1}.html"


def test_anchors_past_the_bound_are_never_examined() -> None:
    # the first MAX_LINKS anchors lead nowhere; the followable ones come after them
    page = _many_links(generic.MAX_LINKS, href="javascript:void({i})") + _many_links(10)
    assert generic.links("http://x.gov.cn/", Selector(text=page)) == []
    assert len(generic.links("http://x.gov.cn/", Selector(text=page), limit=10**6)) == 10


def test_an_article_of_50000_document_links_lists_at_most_max_links_attachments() -> None:
    page = _many_links(50_000, href="/files/{i}.pdf", text="附件")
    found = generic.attachments("http://x.gov.cn/a.html", Selector(text=page))
    assert len(found) == generic.MAX_LINKS


SITES = Path(__file__).resolve().parents[3] / "demo" / "sites"


def test_pages_named_only_by_an_inline_pagination_call_are_followed() -> None:
    url = "http://x.gov.cn/zwgk/bmgk/yjglj/ndbg/list.html"
    page = (SITES / "chanhe/zwgk/bmgk/yjglj/ndbg/list.html").read_text("utf-8")
    followed = {f.url for f in generic.pagination(url, Selector(text=page))}
    assert {
        "http://x.gov.cn/zwgk/bmgk/yjglj/ndbg/list_2.html",
        "http://x.gov.cn/zwgk/bmgk/yjglj/ndbg/list_3.html",
    } <= followed


def test_a_select_onchange_names_the_years_and_path_parameter_pages() -> None:
    url = "http://x.gov.cn/zwgk/yjglj/nb.jsp?year=2023"
    page = (SITES / "ruzhou/zwgk/yjglj/nb.jsp@year=2023.html").read_text("utf-8")
    sel = Selector(text=page)
    years = {e.url for e in generic.year_options(url, sel)}
    assert years == {f"http://x.gov.cn/zwgk/yjglj/nb.jsp?year={y}" for y in (2024, 2023, 2022)}
    pages = {f.url for f in generic.pagination(url, sel)}
    assert "http://x.gov.cn/zwgk/yjglj/nb.jsp;pageNo=2?year=2023" in pages
    assert "http://x.gov.cn/zwgk/yjglj/nb.jsp;pageNo=3?year=2023" in pages


def test_files_behind_viewers_and_download_handlers_are_attachments() -> None:
    fengquan = (SITES / "fengquan/zwgk/yjglj/ndbg/202401/c_20240126_4471.html").read_text("utf-8")
    url = "http://x.gov.cn/zwgk/yjglj/ndbg/202401/c_20240126_4471.html"
    [handled] = generic.attachments(url, Selector(text=fengquan))
    assert (
        handled.url == "http://x.gov.cn/attach/download.do?fileId=ff8080818d2a6c1b018d3f5e7a2b0c41"
    )
    assert handled.name and handled.name.endswith(".docx")
    muye = (SITES / "muye/zwgk/bmxxgk/yjglj/zfxxgknb/202401/t20240123_598810.html").read_text(
        "utf-8"
    )
    [viewed] = generic.attachments("http://x.gov.cn/zwgk/a.html", Selector(text=muye))
    assert viewed.url == "http://x.gov.cn/upload/2024/01/23/1706001234567.pdf"


def test_clicks_that_open_urls_are_entries_and_pager_handlers_are_pages() -> None:
    page = """<html><body>
<ul class="year-tabs"><li onclick="showYear('2023')">2023年</li></ul>
<ul><li onclick="window.open('info.jsp?id=3301')"><span>利通区应急管理局2024年政府信息公开工作年度报告</span><span>2025-01-21</span></li>
<li><a href="javascript:void(0);" onclick="window.open('/nb/a.html')">西城区应急管理局2023年政府信息公开工作年度报告</a></li></ul>
<div class="pager">共3页 <a href="javascript:goPage(2)">2</a> <a href="javascript:goPage(2)">下一页</a></div>
<script>function showYear(y) { location.href = "/nb/pnnfpv" + y + ".html"; }
function goPage(n) { location.href = "index_" + n + ".html"; }</script></body></html>"""
    sel = Selector(text=page)
    url = "http://x.gov.cn/nb/index.html"
    entries = {e.url: e for e in generic.scripted_links(url, sel)}
    assert entries["http://x.gov.cn/nb/pnnfpv2023.html"].title == "2023年"
    row = entries["http://x.gov.cn/nb/info.jsp?id=3301"]
    assert row.title == "利通区应急管理局2024年政府信息公开工作年度报告"
    assert row.published == "2025-01-21"
    assert "http://x.gov.cn/nb/a.html" in entries
    pages = {f.url for f in generic.pagination(url, sel)}
    assert pages == {"http://x.gov.cn/nb/index_2.html"}


def test_a_download_span_is_an_attachment_and_a_pager_handler_is_not() -> None:
    page = """<html><body><div class="fj"><span onclick="download('8a8e', '报告.pdf')">报告.pdf</span></div>
<a href="javascript:goPage(2)">下一页</a>
<script>function download(fileId, fileName) { window.open("/common/attach/download?fileId=" + fileId); }
function goPage(n) { location.href = "index_" + n + ".html"; }</script></body></html>"""
    found = generic.attachments("http://x.gov.cn/nb/info.jsp?id=1", Selector(text=page))
    assert [a.url for a in found] == ["http://x.gov.cn/common/attach/download?fileId=8a8e"]


def test_script_page_counts_are_read_on_the_first_page_only() -> None:
    script = "<script>var conf = {totalPage: 9999, url: 'list_{page}.html'};</script>"
    first = generic.pagination("http://x.gov.cn/nb/list_1.html", Selector(text=script))
    assert len(first) == 199  # capped, then bounded by the site guard's per-template cap
    later = generic.pagination("http://x.gov.cn/nb/list_7.html", Selector(text=script))
    assert later == []


YEAR_FORM = (
    '<html><body><form action="list.jsp?stale=1" method="get">'
    '<input type="hidden" name="cat" value="12"><input type="text" name="q" value="">'
    '<select name="year" onchange="this.form.submit()"><option value="">请选择年份</option>'
    '<option value="2024">2024年</option><option value="2023">2023年度</option></select>'
    '</form><form action="list.jsp"><input type="hidden" name="cat" value="12">'
    '<select name="page" onchange="this.form.submit()"><option value="1">1</option>'
    '<option value="2">第2页</option></select></form>'
    '<form action="list.jsp" method="post"><select name="year">'
    '<option value="2022">2022年</option></select></form></body></html>'
)


def test_a_year_select_in_a_get_form_opens_the_query_the_form_sends() -> None:
    # the list is filtered by ?year= and no page links to the years: the form is the only way
    url = "http://x.gov.cn/yjj/nb/list.jsp?cat=12"
    years = generic.year_options(url, Selector(text=YEAR_FORM))
    assert [(e.url, e.title) for e in years] == [
        ("http://x.gov.cn/yjj/nb/list.jsp?cat=12&year=2024", "2024年"),
        ("http://x.gov.cn/yjj/nb/list.jsp?cat=12&year=2023", "2023年度"),
    ]  # a GET form replaces its action's query; a POST form's value is no URL of its own
    pages = {f.url for f in generic.pagination(url, Selector(text=YEAR_FORM))}
    assert "http://x.gov.cn/yjj/nb/list.jsp?cat=12&page=2" in pages
