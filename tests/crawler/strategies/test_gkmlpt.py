# ruff: noqa: E501  (page snippets are quoted as sites serve them, one record a line)
"""gkmlpt: the JS app's JSON API, followed page by page."""

from __future__ import annotations

import json
from pathlib import Path

from parsel import Selector

from crawler.strategies import (
    KIND_GKMLPT_API,
    gkmlpt,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "realpages"


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
