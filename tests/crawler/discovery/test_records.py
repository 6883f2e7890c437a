# ruff: noqa: E501  (answers are quoted as endpoints send them)
"""List endpoints' answers read by shape: whatever the keys are called, the repeated record
with a link, a Chinese title and a date is the list."""

from __future__ import annotations

import pytest

from crawler.discovery.records import Record, load, records


def test_json_records_are_found_by_shape_however_deep_and_whatever_their_keys() -> None:
    body = (
        '{"code":0,"data":{"totalCount":2,"totalPage":1,"list":['
        '{"id":1,"docTitle":"郏县应急管理局2024年政府信息公开工作年度报告",'
        '"docUrl":"/zwgk/ndbg/content_1.html","pubDate":"2025-01-24"},'
        '{"id":2,"docTitle":"郏县应急管理局2023年政府信息公开工作年度报告",'
        '"docUrl":"/zwgk/ndbg/content_2.html","pubDate":"2024/01/20"}]},'
        '"links":[{"label":"首页","href":"/"}]}'
    )
    assert records(load(body)) == [
        Record(
            "/zwgk/ndbg/content_1.html",
            "郏县应急管理局2024年政府信息公开工作年度报告",
            "2025-01-24",
        ),
        Record(
            "/zwgk/ndbg/content_2.html",
            "郏县应急管理局2023年政府信息公开工作年度报告",
            "2024-01-20",
        ),
    ]


def test_a_jsonp_wrapper_is_removed() -> None:
    body = 'jsonpCallback({"total":1,"rows":[{"name":"鲁山县应急管理局2024年度报告","link":"a_1.html","time":"2025-02-10"}]});'
    assert records(load(body)) == [Record("a_1.html", "鲁山县应急管理局2024年度报告", "2025-02-10")]


def test_xml_records_are_the_repeated_element_of_leaves() -> None:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><articles><count>2</count>'
        "<article><title>新华区应急管理局2024年政府信息公开工作年度报告</title><href>/nb/1.html</href>"
        "<pubdate>2025-01-26</pubdate></article>"
        "<article><title>新华区应急管理局2024年防汛应急预案</title><href>/nb/2.html</href>"
        "<pubdate>2025-01-02</pubdate></article></articles>"
    )
    assert [r.url for r in records(load(body))] == ["/nb/1.html", "/nb/2.html"]


def test_an_html_page_is_not_an_answer() -> None:
    with pytest.raises(ValueError):
        load("<!DOCTYPE html><html><body>访问过于频繁</body></html>")
    assert records(load('{"rows": []}')) == []


def test_records_of_html_in_cdata_are_their_links_with_full_titles_and_dates() -> None:
    xml = (
        "<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>2</totalrecord><recordset>"
        '<record><![CDATA[<li><a href="/art/a.html" title="凉州区应急管理局2024年政府信息公开'
        '工作年度报告">凉州区应急管理局2024年…</a><span>2025-01-20</span></li>]]></record>'
        '<record><![CDATA[<li><a href="/art/b.html" title="凉州区教育局2023年政府信息公开工作年度'
        '报告">凉州区教育局…</a><span>2024-01-18</span></li>]]></record></recordset></datastore>'
    )
    found = records(load(xml))
    assert [(r.url, r.published) for r in found] == [
        ("/art/a.html", "2025-01-20"),
        ("/art/b.html", "2024-01-18"),
    ]
    assert found[0].title == "凉州区应急管理局2024年政府信息公开工作年度报告"


def test_a_thumbnail_is_never_the_records_link() -> None:
    data = {
        "result": {
            "records": [
                {
                    "thumb": "/images/ico_doc.png",
                    "docTitle": "天元区应急管理局2023年政府信息公开工作年度报告",
                    "docLink": "/c24679/20240119/i2103391.html",
                    "publishDate": "2024-01-19 09:12:40",
                }
            ]
        }
    }
    [record] = records(data)
    assert record.url == "/c24679/20240119/i2103391.html"
    assert record.published == "2024-01-19"
