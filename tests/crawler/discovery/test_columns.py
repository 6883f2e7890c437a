"""The column rules: which links lead towards the reports."""

from __future__ import annotations

import pytest

from crawler.discovery import (
    ColumnKind,
    column_kind,
    is_bureau_url,
    is_under,
    is_year_link,
)


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
    ("text", "url", "expected"),
    [
        ("2023年度", "http://x.gov.cn/yjj/nb/c12345/", True),
        ("2023年", "http://x.gov.cn/yjj/nb/list_88.html", True),
        ("2023", "http://x.gov.cn/yjj/nb/2023/", True),
        ("2023", "http://x.gov.cn/yjj/nb/list_88.html", False),  # a bare number: maybe a page
        ("2023年度报告汇总", "http://x.gov.cn/yjj/nb/2023/", False),  # a column, by column_kind
        ("区应急管理局2023年安全生产工作要点", "http://x.gov.cn/a/1.html", False),
    ],
)
def test_year_columns_are_told_by_their_link_text(text: str, url: str, expected: bool) -> None:
    assert is_year_link(text, url) is expected


def test_branches_named_after_kinds_of_bodies_are_recognised() -> None:
    from crawler.discovery import is_body_kind_link

    kinds = ("区直部门", "市政府部门", "县直单位", "2024年部门年报", "部门年报", "乡镇街道")
    for text in (*kinds, "乡镇（街道）"):
        assert is_body_kind_link(text), text
    for text in ("区政府", "应急管理局", "部门预算", "通知公告", "部门动态"):
        assert not is_body_kind_link(text), text
