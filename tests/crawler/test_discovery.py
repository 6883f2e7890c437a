"""Specification of the title, column, URL and block-page rules the spider decides by."""

from __future__ import annotations

import pytest

from crawler.discovery import (
    ColumnKind,
    block_reason,
    canonical_url,
    classify_title,
    column_kind,
    is_bureau_url,
    is_document_url,
    is_pagination_link,
    is_truncated,
    is_under,
    script_redirect,
    title_year,
    url_template,
)

# Real titles (real-report-pages.md) and the samples' titles, with the year each reports on.
REPORT_TITLES = [
    ("孟津区应急管理局2023年政府信息公开工作年度报告", 2023),
    ("区应急管理局2023年政务公开工作年度报告", 2023),
    ("应急管理局2025年政府信息公开工作年度报告", 2025),
    ("重庆市应急管理局2025年政府信息公开工作年度报告（文字版）", 2025),
    ("县应急管理局2020年政府信息公开年度报告", 2020),  # no 工作
    ("2023年度市应急管理局政府信息公开工作报告", 2023),  # no 年度报告
    ("莆田市秀屿区应急管理局2024年度政府信息公开工作年度报告", 2024),  # 年度 twice
    ("无锡经开区政法和应急管理局2022年政府信息公开工作年度报告", 2022),
    ("上海市安全生产监督管理局2017年政府信息公开工作年度报告", 2017),
    ("XX县安监局2016年政务信息公开年度报告", 2016),
    ("六盘水市应急局2024年政府信息公开工作年度报告", 2024),
    ("上海市嘉定区应急管理局 2024 年政府信息公开工作年度报告", 2024),
    ("某区应急管理局二〇二三年政府信息公开工作年度报告", 2023),
    ("区应急局2023年政府信息公开年报", 2023),
]

NOT_REPORTS = [
    "孟津区人民政府2023年政府信息公开工作年度报告",  # the government's own
    "洛阳市财政局2023年政府信息公开工作年度报告",  # another bureau
    "关于做好2023年政府信息公开工作年度报告编制工作的通知",
    "应急管理局2023年安全生产工作总结",
    "无锡经开区政法和应急管理局2022年信息公开年度工作报告说明",
    "应急管理局政府信息公开指南",
    "应急管理局2023年政府信息公开工作要点",
    "关于2023年度政府信息公开工作年度报告的解读",
    "应急管理局关于开展安全生产大检查的公告",
    "2023年度政府信息公开工作年度报告",  # no agency and not in the bureau's section
    "应急管理局政府信息公开工作年度报告",  # no year
]


@pytest.mark.parametrize(("title", "year"), REPORT_TITLES)
def test_report_titles_are_recognised_with_their_year(title: str, year: int) -> None:
    verdict = classify_title(title)
    assert verdict is not None
    assert verdict.year == year
    assert not verdict.graphic


@pytest.mark.parametrize("title", NOT_REPORTS)
def test_look_alikes_are_not_reports(title: str) -> None:
    assert classify_title(title) is None


def test_a_title_without_agency_counts_only_inside_the_bureaus_section() -> None:
    title = "2024年度政府信息公开工作年度报告"
    assert classify_title(title) is None
    verdict = classify_title(title, em_context=True)
    assert verdict is not None and verdict.year == 2024 and not verdict.names_agency
    # another organisation named in the title is never the bureau's, whatever the context
    assert classify_title("区人民政府2024年政府信息公开工作年度报告", em_context=True) is None
    assert classify_title("区财政局2024年政府信息公开工作年度报告", em_context=True) is None


def test_graphic_versions_are_flagged() -> None:
    verdict = classify_title("重庆市应急管理局2025年政府信息公开工作年度报告（图解）")
    assert verdict is not None and verdict.graphic and verdict.year == 2025


def test_title_year_takes_the_first_plausible_year() -> None:
    assert title_year("2024年度政府信息公开工作年度报告（2025年1月发布）") == 2024
    assert title_year("3000年 政府信息公开") is None
    assert title_year("无年份") is None


@pytest.mark.parametrize(
    ("text", "url", "kind"),
    [
        ("政府信息公开年报", "http://x.gov.cn/a/b/", ColumnKind.REPORTS),
        ("信息公开年报", "http://x.gov.cn/a/", ColumnKind.REPORTS),
        ("部门年报", "http://x.gov.cn/a/", ColumnKind.REPORTS),
        ("年度报告", "http://x.gov.cn/zwgk/xxgk/zcbm/ajj/ndbg/", ColumnKind.REPORTS),
        ("更多", "http://x.gov.cn/bm/yjglj/zwgk_72336/zfxxgknb_72346/", ColumnKind.REPORTS),
        (
            "政府信息公开年报-应急管理局",
            "http://x.gov.cn/col/col1229/index.html",
            ColumnKind.REPORTS,
        ),
        ("应急管理局", "http://x.gov.cn/bm/x/", ColumnKind.BUREAU),
        ("区应急局", "http://x.gov.cn/bm/x/", ColumnKind.BUREAU),
        ("", "http://x.gov.cn/zwgk/qzbm/ajj/", ColumnKind.BUREAU),
        ("", "http://x.gov.cn/zfxxgkzl/bmzfxxgk/xyqajj_27539/", ColumnKind.BUREAU),
        ("政府信息公开", "http://x.gov.cn/x/", ColumnKind.DISCLOSURE),
        ("部门信息公开", "http://x.gov.cn/x/", ColumnKind.DISCLOSURE),
        ("", "http://x.gov.cn/zwgk/", ColumnKind.DISCLOSURE),
    ],
)
def test_column_links_are_ranked(text: str, url: str, kind: ColumnKind) -> None:
    assert column_kind(text, url) == kind


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("新闻动态", "http://x.gov.cn/xwdt/"),
        ("登录", "http://x.gov.cn/xxgk/login"),
        ("政府信息公开年报", "http://x.gov.cn/nb.zip.pdf"),
        ("关于做好年报工作的通知", "http://x.gov.cn/tz/"),
        ("依申请公开", "http://x.gov.cn/ysqgk/"),
        ("部门预决算公开", "http://x.gov.cn/bmyjs/"),
        ("政府采购信息公开", "http://x.gov.cn/zfcg/"),
    ],
)
def test_other_links_are_not_columns(text: str, url: str) -> None:
    assert column_kind(text, url) is None


def test_sub_columns_lie_under_their_section() -> None:
    assert is_under("http://x.gov.cn/bm/yjglj/zfxxgknb/", "http://x.gov.cn/bm/yjglj/")
    assert is_under("http://x.gov.cn/bm/yjglj/zfxxgknb/", "http://x.gov.cn/bm/yjglj/index.html")
    assert not is_under("http://x.gov.cn/xxgk/", "http://x.gov.cn/bm/yjglj/")
    assert is_under("http://x.gov.cn/xxgk/", "http://x.gov.cn/")
    assert not is_under("http://y.x.gov.cn/bm/yjglj/a/", "http://x.gov.cn/bm/yjglj/")


def test_bureau_sections_are_recognised_by_path() -> None:
    assert is_bureau_url("http://www.mhk.gov.cn/zwgk/xxgk/zcbm/ajj/ndbg/")
    assert is_bureau_url("https://www.cqyz.gov.cn/bm_229/qyjj/zwgk_97157/zfxxgknb_97166/")
    assert not is_bureau_url("https://www.cqyz.gov.cn/bm_229/czj/zwgk/")


@pytest.mark.parametrize(
    ("url", "ext"),
    [
        ("http://x.gov.cn/a/P020240125123456789012.pdf", "pdf"),
        (
            "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=3a2d5d5ac8d14af8.doc",
            "doc",
        ),
        ("http://x.gov.cn/a/%E5%B9%B4%E6%8A%A5.DOCX", "docx"),
        ("http://x.gov.cn/a/report.wps", "wps"),
        ("http://x.gov.cn/a/t20240125_1.html", None),
        ("http://x.gov.cn/a/archive.zip", None),
    ],
)
def test_document_links_are_told_by_path_or_query(url: str, ext: str | None) -> None:
    assert is_document_url(url) == ext


def test_tracking_parameters_do_not_make_new_urls() -> None:
    base = "http://x.gov.cn/a/t20240125_1.html"
    for dup in (
        base + "?utm_source=wx&utm_medium=share",
        base + "?spm=a2c4.1.0",
        base + "?_t=1706150000000",
        base + "#top",
        base + ";jsessionid=ABC123",
    ):
        assert canonical_url(dup) == canonical_url(base)
    assert canonical_url("http://x.gov.cn/list?page=2&b=1") == "http://x.gov.cn/list?b=1&page=2"
    assert canonical_url("http://x.gov.cn/list?page=2") != canonical_url(
        "http://x.gov.cn/list?page=3"
    )
    assert canonical_url("http://X.gov.cn/a/../b/c.html") == "http://x.gov.cn/b/c.html"
    assert canonical_url("http://x.gov.cn/news?from=home") == "http://x.gov.cn/news?from=home"


def test_calendar_pages_share_one_template() -> None:
    a = url_template("http://x.gov.cn/cal?date=2023-01-02")
    b = url_template("http://x.gov.cn/cal?date=2031-12-30")
    assert a == b
    assert a != url_template("http://x.gov.cn/list?page=2")


@pytest.mark.parametrize(
    ("text", "href", "expected"),
    [
        ("下一页", "index_2.html", True),
        ("尾页", "index_9.html", True),
        ("3", "index_2.html", True),
        ("3", "list.jsp?page=3", True),
        ("2023", "/xwdt/2023/", False),
        ("应急管理局", "index_2.html", False),
    ],
)
def test_pagination_links(text: str, href: str, expected: bool) -> None:
    assert is_pagination_link(text, href) is expected


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><h3>访问过于频繁，请稍后再试</h3></body></html>",
        "<html><body><form>请输入验证码：<input name=code></form></body></html>",
        "<html><head><title>安全验证</title></head><body></body></html>",
        "<html><script>document.cookie='c=1';location.reload()</script></html>",
    ],
)
def test_block_pages_are_detected(page: str) -> None:
    assert block_reason(page) is not None


def test_ordinary_pages_are_not_block_pages() -> None:
    article = "<html><body>" + "<p>主动公开政府信息</p>" * 50 + "<a href='/'>首页</a></body></html>"
    assert block_reason(article) is None
    login_box = "<html><body>" + "<a href='/x'>新闻</a>" * 3000 + "请输入验证码</body></html>"
    assert block_reason(login_box) is None
    comment_form = (
        "<html><body>" + "<a href='/x'>栏目</a>" * 12 + "<p>详见附件</p>"
        "<form>留言：<textarea></textarea>请输入验证码<input name=code></form></body></html>"
    )
    assert block_reason(comment_form) is None


def test_truncated_list_titles_count_until_the_article_says_otherwise() -> None:
    verdict = classify_title("平顶山市卫东区应急管理局2023年政府信息公开工作…")
    assert verdict is not None and verdict.year == 2023
    assert is_truncated("某局2023年政府信息公开...")
    assert classify_title("平顶山市卫东区应急管理局2023年安全生产…") is None


@pytest.mark.parametrize(
    ("page", "target"),
    [
        ('<script>window.location.href="xxgk/index.shtml";</script>', "xxgk/index.shtml"),
        ("<script>location.replace('/portal/')</script>", "/portal/"),
        ("<script>location.href=location.pathname+'?x'</script>", None),
    ],
)
def test_script_redirect_pages_are_followed_not_blocked(page: str, target: str | None) -> None:
    assert script_redirect(page) == target
    if target:
        assert block_reason(page) is None
