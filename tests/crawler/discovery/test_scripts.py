"""Inline scripts read by shape: a pagination call's count and URL pattern, whatever the
function is called, and the URL a ``<select onchange>`` builds from an option's value."""

from __future__ import annotations

from crawler.discovery import onchange_target, script_page_urls


def test_any_pagination_call_with_a_count_and_a_placeholder_names_the_other_pages() -> None:
    script = (
        '$(function () { initPagination({ pageCount: 3, current: 1, firstLink: "list.html", '
        'link: "list_{page}.html", container: "#pagination" }); });'
    )
    assert script_page_urls(script) == ["list_2.html", "list_3.html"]


def test_other_spellings_of_count_and_placeholder_are_read_too() -> None:
    script = "var totalPage = 4; laypage({ pages: totalPage, url: '?cid=7&p=[page]' });"
    assert script_page_urls(script) == ["?cid=7&p=2", "?cid=7&p=3", "?cid=7&p=4"]
    assert script_page_urls("pageNav({'page_count': '2', 'href': 'index_{0}.shtml'})") == [
        "index_2.shtml"
    ]


def test_a_script_without_both_a_count_and_a_pattern_names_no_page() -> None:
    assert script_page_urls("var pageCount = 5; $('#x').hide();") == []
    assert script_page_urls("load('list_{page}.html');") == []
    assert script_page_urls("var pages = 1; go('list_{page}.html');") == []


def test_a_huge_page_count_is_bounded() -> None:
    assert len(script_page_urls("p({pageCount: 99999, link: 'l_{page}.html'})")) < 10000
    assert len(script_page_urls("p({pageCount: 5000, link: 'l_{page}.html'})")) == 199


def test_a_select_onchange_builds_the_url_around_the_value() -> None:
    year = "window.location.href='nb.jsp?year='+this.options[this.selectedIndex].value"
    assert onchange_target(year, "2023") == "nb.jsp?year=2023"
    page = "location.href='nb.jsp;pageNo='+this.value+'?year=2023'"
    assert onchange_target(page, "3") == "nb.jsp;pageNo=3?year=2023"
    assert onchange_target("submitForm(this)", "3") is None
    assert onchange_target("", "3") is None


def test_download_handlers_are_read_from_the_inline_scripts() -> None:
    from crawler.discovery import handler_url, script_handlers

    script = (
        "function downloadFile(id) {\n"
        '  window.location.href = "/attach/download.do?fileId=" + id;\n}\n'
        "function downLoad(id) { downloadFile(id); }\n"
        "function show(x) { alert(x); }"
    )
    handlers = script_handlers([script])
    assert set(handlers) == {"downloadFile", "downLoad"}
    assert handler_url("downloadFile('ff80')", handlers) == "/attach/download.do?fileId=ff80"
    assert (
        handler_url("javascript:downLoad('ff80');", handlers) == "/attach/download.do?fileId=ff80"
    )
    assert handler_url("show('x')", handlers) is None
    pattern = script_handlers(["function dl(f){ window.open('/fs/get?f=' + f + '&t=1'); }"])
    assert handler_url("dl('a1')", pattern) == "/fs/get?f=a1&t=1"


def test_a_handler_of_several_arguments_builds_from_the_first() -> None:
    from crawler.discovery import handler_url, script_handlers

    script = (
        "function download(fileId, fileName) {\n"
        '  var url = "/common/attach/download?fileId=" + fileId;\n  window.open(url);\n}'
    )
    handlers = script_handlers([script])
    assert handler_url("download('8a8e', '报告.pdf')", handlers) == (
        "/common/attach/download?fileId=8a8e"
    )


def test_a_pager_handler_with_a_numeric_argument_names_the_page() -> None:
    from crawler.discovery import handler_url, script_handlers

    handlers = script_handlers(
        [
            'function goPage(n) {\n  if (n == 1) { location.href = "index.html"; return; }\n'
            '  location.href = "index_" + n + ".html";\n}',
            "function turnPage(p) { location.href = 'list_' + p + '.html'; }",
        ]
    )
    assert handler_url("javascript:goPage(3)", handlers) == "index_3.html"
    assert handler_url("javascript:turnPage(12)", handlers) == "list_12.html"
    # string building that is no URL is no handler
    assert script_handlers(["function hi(n) { alert('第' + n + '页'); }"]) == {}


def test_a_url_written_in_the_click_code_is_its_target() -> None:
    from crawler.discovery import handler_url

    assert handler_url("window.open('/zt/gknb/pnnfpv2023.html')", {}) == "/zt/gknb/pnnfpv2023.html"
    assert handler_url("location.href='info.jsp?id=3301'", {}) == "info.jsp?id=3301"
    assert handler_url("javascript:void(0);", {}) is None
    assert handler_url("window.print()", {}) is None
