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
