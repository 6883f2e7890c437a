"""The title rules: a bureau's annual report, its year, and the look-alikes that are not."""

from __future__ import annotations

import pytest

from crawler.discovery import (
    classify_title,
    is_truncated,
    title_year,
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


def test_truncated_list_titles_count_until_the_article_says_otherwise() -> None:
    verdict = classify_title("平顶山市卫东区应急管理局2023年政府信息公开工作…")
    assert verdict is not None and verdict.year == 2023
    assert is_truncated("某局2023年政府信息公开...")
    assert classify_title("平顶山市卫东区应急管理局2023年安全生产…") is None
