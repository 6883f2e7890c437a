"""The script-list family: an empty list shell whose inline script fetches its records; the
endpoint and parameters come from the script, the records from the answer by shape."""

from __future__ import annotations

from pathlib import Path

from parsel import Selector

from crawler.strategies import FAMILIES, STRATEGIES, parse_followup, scriptlist

SITES = Path(__file__).resolve().parents[3] / "demo" / "sites"


def _followups(site_path: str, url: str) -> list:
    text = (SITES / site_path).read_text("utf-8")
    assert scriptlist.applies(url, text)
    return scriptlist.extract(url, text, Selector(text=text)).followups


def test_it_is_one_family_of_the_registry() -> None:
    assert scriptlist in STRATEGIES and "scriptlist" in FAMILIES


def test_the_endpoint_column_and_page_come_from_the_inline_script() -> None:
    [json_call] = _followups("jiaxian/zwgk/bmxxgk/yjglj/ndbg/index.html", "http://x.gov.cn/ndbg/")
    assert json_call.url == "http://x.gov.cn/api/info/list?channelId=1877&pageSize=3&pageNo=1"
    [jsonp] = _followups("lushan/zwgk/ndbg/yjglj/index.html", "http://x.gov.cn/ndbg/")
    assert jsonp.url.startswith("http://x.gov.cn/interface/getArticleList.do?callback=")
    assert "cid=ndbg_yjglj" in jsonp.url and "p=1" in jsonp.url
    [xml] = _followups("xinhua/zwgk/bmgk/yjj/nb/index.html", "http://x.gov.cn/nb/")
    assert xml.url == "http://x.gov.cn/cms/xmlList.jsp?columnId=c1290&pageSize=3&pageIndex=1"


def test_a_full_page_asks_for_the_next_and_a_short_one_ends_the_list() -> None:
    [first] = _followups("xinhua/zwgk/bmgk/yjj/nb/index.html", "http://x.gov.cn/nb/")
    item = "<article><title>新华区应急管理局报告{n}</title><href>/nb/{n}.html</href></article>"
    full = "<articles>" + "".join(item.format(n=n) for n in range(3)) + "</articles>"
    page1 = parse_followup(first.kind, first.url, full, dict(first.formdata + first.state))
    assert [e.url for e in page1.entries] == [f"http://x.gov.cn/nb/{n}.html" for n in range(3)]
    [second] = page1.followups
    assert "pageIndex=2" in second.url and "columnId=c1290" in second.url
    short = "<articles>" + item.format(n=9) + "</articles>"
    page2 = parse_followup(second.kind, second.url, short, dict(second.formdata + second.state))
    assert len(page2.entries) == 1 and page2.followups == []


def test_a_page_without_ajax_calls_is_not_a_script_list() -> None:
    text = "<html><script src='/js/jquery.js'></script><script>var a = 1;</script></html>"
    assert not scriptlist.applies("http://x.gov.cn/", text)


def test_an_answer_that_is_no_data_is_an_empty_list_not_an_error() -> None:
    [call] = _followups("jiaxian/zwgk/bmxxgk/yjglj/ndbg/index.html", "http://x.gov.cn/ndbg/")
    page = "<!DOCTYPE html><html><body><p>访问量：1234</p></body></html>"
    listing = parse_followup(call.kind, call.url, page, dict(call.formdata + call.state))
    assert listing.entries == [] and listing.followups == []


def test_a_post_call_sends_its_parameters_as_form_data_and_keeps_its_state_apart() -> None:
    [call] = _followups("tianyuan/c24679/index.html", "http://x.gov.cn/c24679/index.html")
    assert (call.method, call.url) == ("POST", "http://x.gov.cn/common/search/infoList")
    assert dict(call.formdata) == {"channelId": "24679", "pageIndex": "1", "pageSize": "2"}
    row = '{{"thumb": "/i.png", "docTitle": "天元区应急管理局报告{n}", "docLink": "/c/{n}.html"}}'
    full = '{"result": {"records": [' + ",".join(row.format(n=n) for n in (1, 2)) + "]}}"
    page1 = parse_followup(call.kind, call.url, full, dict(call.formdata + call.state))
    assert [e.url for e in page1.entries] == [
        "http://x.gov.cn/c/1.html",
        "http://x.gov.cn/c/2.html",
    ]
    [second] = page1.followups
    assert second.method == "POST" and dict(second.formdata)["pageIndex"] == "2"


def test_an_endpoint_taking_a_year_is_asked_for_every_year_the_page_offers() -> None:
    calls = _followups("mianzhu/info/bm/yjglj/gknb.html", "http://x.gov.cn/info/bm/yjglj/gknb.html")
    assert [dict(c.state)["param:year"] for c in calls] == ["2024", "2023", "2022"]
    assert all("cur_page=1" in c.url and "cat_id=3021" in c.url for c in calls)
    assert calls[1].url.startswith("http://x.gov.cn/info/iList.jsp?")
    assert "year=2023" in calls[1].url


def test_the_years_of_a_page_are_its_year_tabs_options_and_call_arguments() -> None:
    page = (
        '<ul><li data-year="2021">往年</li><li>2020年度</li></ul><select><option>2019年</option>'
        '</select><script>load("2018", 1);</script><p>2017</p><li data-id="123456"></li>'
    )
    assert scriptlist.page_years(page, Selector(text=page)) == [2021, 2020, 2019, 2018]
