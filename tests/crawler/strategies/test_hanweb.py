# ruff: noqa: E501  (page snippets are quoted as sites serve them, one record a line)
"""Hanweb JCMS: embedded datastore records and dataproxy follow-ups."""

from __future__ import annotations

from pathlib import Path

from parsel import Selector

from crawler.strategies import (
    KIND_HANWEB_PROXY,
    hanweb,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "realpages"


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
