"""Title, agency, reporting year and template, from wherever the report states them."""

from __future__ import annotations

import pytest

from yingji_parser.grid import Document, Paragraph, table_from_texts
from yingji_parser.metadata import (
    agency_is_incomplete,
    detect_template,
    read_metadata,
    split_title,
    title_from_lines,
)


def doc(*paragraphs: str, hints: tuple[str, ...] = ()) -> Document:
    return Document(
        doc_type="text", blocks=[Paragraph(p) for p in paragraphs], title_hints=list(hints)
    )


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        (
            ["孟津区应急管理局 2023 年政府信息公开工作年度 报告"],
            "孟津区应急管理局2023年政府信息公开工作年度报告",
        ),
        (
            ["孟津区应急管理局", "2023年政府信息公开工作年度报告"],
            "孟津区应急管理局2023年政府信息公开工作年度报告",
        ),
        (["区应急管理局2023年政务公开工作年度报告"], "区应急管理局2023年政务公开工作年度报告"),
        (
            ["某县应急管理局2022年度政府信息公开工作年度报告"],
            "某县应急管理局2022年度政府信息公开工作年度报告",
        ),
        (["某县应急管理局2021年政府信息公开年度报告"], "某县应急管理局2021年政府信息公开年度报告"),
        (
            ["栾川县应急管理局2022年政府信息公开工作年度报告一、总体情况"],
            "栾川县应急管理局2022年政府信息公开工作年度报告",
        ),
        (
            ["某市应急管理局二〇二〇年政府信息公开工作年度报告"],
            "某市应急管理局二〇二〇年政府信息公开工作年度报告",
        ),
        (
            ["某县应急管理局政府信息公开工作年度报告（2023年度）"],
            "某县应急管理局政府信息公开工作年度报告（2023年度）",
        ),
    ],
)
def test_title_found_in_its_published_shapes(lines: list[str], title: str) -> None:
    assert title_from_lines(lines) == title


def test_a_sentence_mentioning_the_report_is_not_a_title() -> None:
    line = "根据《条例》要求，现向社会公布沭阳县发展和改革局2023年度政府信息公开年度报告。"
    assert title_from_lines([line]) is None


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("孟津区应急管理局2023年政府信息公开工作年度报告", "孟津区应急管理局", 2023),
        (
            "洛阳市孟津区应急管理局关于2023年政府信息公开工作年度报告",
            "洛阳市孟津区应急管理局",
            2023,
        ),
        ("2022年某县安全生产监督管理局政府信息公开工作年度报告", "某县安全生产监督管理局", 2022),
        ("某市应急管理局二〇二〇年政府信息公开工作年度报告", "某市应急管理局", 2020),
        ("某县应急管理局政府信息公开工作年度报告（2023年度）", "某县应急管理局", 2023),
        ("政府信息公开工作年度报告", None, None),
    ],
)
def test_agency_and_year_come_from_the_title(title: str, agency: str | None, year: int) -> None:
    assert split_title(title) == (agency, year)


@pytest.mark.parametrize(
    ("agency", "incomplete"),
    [
        ("区应急管理局", True),
        ("应急管理局", True),
        ("县应急局", True),
        ("孟津区应急管理局", False),
        ("平顶山市卫东区应急管理局", False),
    ],
)
def test_agency_without_a_place_is_incomplete(agency: str, incomplete: bool) -> None:
    assert agency_is_incomplete(agency) is incomplete


def test_incomplete_agency_is_kept_as_written_with_a_warning() -> None:
    meta = read_metadata(doc("区应急管理局2023年政务公开工作年度报告", "一、总体情况"))
    assert meta.agency == "区应急管理局"
    assert [w.code for w in meta.warnings] == ["agency_incomplete"]


def test_generic_file_title_loses_to_the_text_and_is_used_only_when_specific() -> None:
    generic = ("政府信息公开工作年度报告",)
    meta = read_metadata(doc("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", hints=generic))
    assert meta.title == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    meta = read_metadata(doc("一、总体情况", hints=generic))
    assert meta.title is None and meta.year is None
    assert {w.code for w in meta.warnings} == {"title_missing", "year_missing"}


def test_page_title_hint_with_site_suffix_is_cut_after_the_report_word() -> None:
    hints = ("沭阳县人民政府", "沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局")
    meta = read_metadata(doc("一、总体情况", hints=hints))
    assert meta.title == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert "title_from_hint" in [w.code for w in meta.warnings]


def test_reporting_year_from_the_statistics_period_not_the_publication_date() -> None:
    meta = read_metadata(
        doc(
            "政府信息公开工作年度报告",
            "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
            "2024年1月20日",
        )
    )
    assert meta.year == 2023


def _tables(*labels: str) -> Document:
    return Document(doc_type="text", blocks=[table_from_texts([list(labels)])])


def test_template_2021_and_2019_are_told_by_their_column_labels() -> None:
    assert detect_template(_tables("信息内容", "本年制发件数", "本年废止件数"), 2020) == (
        "2021",
        True,
    )
    assert detect_template(_tables("信息内容", "本年新制作数量", "本年新公开数量"), 2023) == (
        "2019",
        True,
    )


def test_template_falls_back_on_the_year_when_labels_do_not_tell() -> None:
    assert detect_template(_tables("规章"), 2020) == ("2019", False)
    assert detect_template(_tables("规章"), 2021) == ("2021", False)
