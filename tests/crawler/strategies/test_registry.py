# ruff: noqa: E501  (page snippets are quoted as sites serve them)
"""The registry: one list of families drives listing, seed validation and follow-ups."""

from __future__ import annotations

import pytest

from crawler import seeds
from crawler.strategies import (
    FAMILIES,
    KIND_GKMLPT_API,
    KIND_HANWEB_PROXY,
    STRATEGIES,
    extract_listing,
    parse_followup,
    unreadable_label,
)

LIST_PAGE = """<html><body><div class="header"><a href="/">首页</a><a href="/xxgk/">信息公开</a></div>
<ul class="list">
<li><a href="./202401/t20240125_1.html" title="孟津区应急管理局2023年政府信息公开工作年度报告">孟津区应急管理局2023年…</a><span>2024-01-25</span></li>
<li><a href="../other/202301/t20230101_2.html">另一篇</a><span>2023年1月1日</span></li>
<li><a href="javascript:void(0)">无</a></li>
</ul>
<div class="page"><a href="list.jsp?cat=1&page=1">1</a><a href="list.jsp?cat=1&page=2">2</a><a href="list.jsp?cat=1&page=2">下一页</a></div>
</body></html>"""


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


def test_seed_families_are_the_registered_strategies_and_generic() -> None:
    assert (*(s.NAME for s in STRATEGIES), "generic") == FAMILIES
    assert seeds.KNOWN_FAMILIES == FAMILIES
    assert {"trs", "hanweb", "gkmlpt", "ucap", "generic"} <= set(FAMILIES)


def test_follow_up_answers_go_to_the_family_that_asked_for_them() -> None:
    api = "http://jr.sz.gov.cn/gkmlpt/api/all/2983?page=2&sid=755031"
    answer = '{"total": 3, "articles": [{"title": "某局2023年报", "url": "/a/1.html"}]}'
    listing = parse_followup(KIND_GKMLPT_API, api, answer, {})
    assert [e.url for e in listing.entries] == ["http://jr.sz.gov.cn/a/1.html"]
    proxy = "http://x.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"
    record = '<record><![CDATA[<li><a href="/art/1.html">某局年报</a></li>]]></record>'
    hanweb = parse_followup(KIND_HANWEB_PROXY, proxy, record, {"columnid": "1"})
    assert [e.url for e in hanweb.entries] == ["http://x.gov.cn/art/1.html"]
    assert unreadable_label(KIND_GKMLPT_API) == "gkmlpt API answer"
    with pytest.raises(ValueError):
        parse_followup(KIND_GKMLPT_API, api, "<html>验证</html>", {})
