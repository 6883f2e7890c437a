"""The mapper finds rows and columns by their labels, whatever the quirks of the document.

Each quirk has its own small fixture in tests/fixtures/parser (tab-separated text, the layout a
PDF text layer gives; the mapper never sees the format). They carry the numbers of synth1, which
are non-zero almost everywhere, so a shifted column cannot pass. The 2019 trial format has its
own tests (test_format_2019.py), and so do repairs of rows a cell off (test_repairs.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from yingji_parser import parse_document
from yingji_parser.grid import Document, Paragraph, table_from_texts
from yingji_parser.labels import core, parse_number
from yingji_parser.mapping import map_document
from yingji_parser.mapping.applications import column_key

from .conftest import QUIRKS, expected

SYNTH1 = expected("synth1")
TABLES = ("active_disclosure", "applications", "review_litigation")


def parse(name: str) -> Any:
    return parse_document((QUIRKS / name).read_bytes(), filename=name)


def codes(result: Any) -> list[str]:
    return [w.code for w in result.warnings]


@pytest.mark.parametrize(
    "name",
    [
        "spaces_inside_words.txt",  # "本 年 度", "行 政 许 可", "结 果 维 持"
        "full_and_half_width.txt",  # (一) vs （一）, full-width digits ０１２
        "numbering_variants.txt",  # 1、 / （1） / 1． and "三、不予公开"
        "shortened_label.txt",  # 规范性文件 for 行政规范性文件
        "header_repeated.txt",  # header of 三 repeated after a page break, a folio row
        "totals_and_notes.txt",  # 合计 for 总计, the 勾稽 note as a cell of the first row
    ],
)
def test_quirk_changes_nothing_in_the_numbers(name: str) -> None:
    result = parse(name)
    assert result.status == "parsed"
    for key in TABLES:
        assert result.record[key] == SYNTH1[key], key
    assert result.record["agency"] == "新安县应急管理局"
    assert result.record["year"] == 2023
    assert not [c for c in codes(result) if c.startswith(("row_", "check_"))]


def test_typo_in_label_is_matched_fuzzily_and_said() -> None:
    result = parse("typo_label.txt")
    assert result.record["applications"] == SYNTH1["applications"]
    fuzzy = [w for w in result.warnings if w.code == "label_fuzzy"]
    assert len(fuzzy) == 1
    assert (
        "其他法律行政止公开" in fuzzy[0].message and "denied_prohibited_by_law" in fuzzy[0].message
    )


def test_row_with_a_cell_too_many_or_too_few_is_repaired_and_said() -> None:
    result = parse("row_cells_wrong.txt")
    apps = result.record["applications"]
    # 8 cells in （一）予以公开: the stray 999 is the cell whose removal makes the row add up
    assert apps["granted"] == SYNTH1["applications"]["granted"]
    # 6 cells in 2.重复申请: filled from the left, the missing total stays null
    want = dict(SYNTH1["applications"]["rejected_duplicate"], total=None)
    assert apps["rejected_duplicate"] == want
    by_code = {w.code: w for w in result.warnings}
    assert "999" in by_code["row_too_long"].message
    assert "rejected_duplicate" in by_code["row_too_short"].message


def test_missing_row_is_null_and_warned_and_the_parse_is_partial() -> None:
    result = parse("row_missing.txt")
    assert result.status == "partial"
    row = result.record["applications"]["denied_administrative_query"]
    assert set(row.values()) == {None}
    missing = [w for w in result.warnings if w.code == "row_missing"]
    assert [("denied_administrative_query" in w.message) for w in missing] == [True]
    # its neighbours are untouched
    assert (
        result.record["applications"]["unavailable_not_held"]
        == (SYNTH1["applications"]["unavailable_not_held"])
    )


def test_other_as_one_row_in_a_2021_report_goes_to_other_with_a_warning() -> None:
    result = parse("other_single_row_2021.txt")
    apps = result.record["applications"]
    assert apps["other"]["total"] == 14 + 33 + 14
    assert set(apps["other_overdue_correction"].values()) == {None}
    assert set(apps["other_unpaid_fee"].values()) == {None}
    assert "other_not_split" in codes(result)
    assert "row_missing" not in codes(result)  # said once, by other_not_split
    assert result.record["template"] == "2021"


def _doc(*blocks: Any) -> Document:
    return Document(doc_type="text", blocks=list(blocks))


def test_blank_cells_are_null_and_zero_is_zero() -> None:
    four = table_from_texts(
        [
            ["行政复议", "", "", "", "", "行政诉讼"],
            ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉"],
            ["0", "", "1", "0", "1", "0", "0", "0", "0", "0", "", "0", "0", "0", "0"],
        ]
    )
    mapped = map_document(_doc(Paragraph("四、政府信息公开行政复议、行政诉讼情况"), four), "2021")
    review = mapped.review_litigation["review"]
    assert review == {"upheld": 0, "corrected": None, "other": 1, "pending": 0, "total": 1}
    assert mapped.review_litigation["litigation_after_review"]["upheld"] is None


def test_review_groups_laid_out_as_rows_are_read_by_their_labels() -> None:
    four = table_from_texts(
        [
            ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
            ["复议后起诉", "1", "0", "0", "0", "1"],
            ["行政复议", "2", "1", "0", "1", "4"],
            ["未经复议直接起诉", "0", "0", "1", "0", "1"],
        ]
    )
    mapped = map_document(_doc(Paragraph("四、行政复议、行政诉讼情况"), four), "2021")
    assert mapped.review_litigation == {
        "review": {"upheld": 2, "corrected": 1, "other": 0, "pending": 1, "total": 4},
        "litigation_direct": {"upheld": 0, "corrected": 0, "other": 1, "pending": 0, "total": 1},
        "litigation_after_review": {
            "upheld": 1,
            "corrected": 0,
            "other": 0,
            "pending": 0,
            "total": 1,
        },
    }


def test_unreadable_number_is_null_with_a_warning() -> None:
    two = table_from_texts(
        [["信息内容", "本年处理决定数量"], ["行政许可", "若干"], ["行政处罚", "7"]]
    )
    mapped = map_document(_doc(Paragraph("二、主动公开政府信息情况"), two), "2021")
    assert mapped.active_disclosure["penalty"] == 7
    assert mapped.active_disclosure["licensing"] is None
    assert any(w.code in ("number_unreadable", "row_too_short") for w in mapped.warnings)


def test_no_tables_of_the_format_means_nothing_found() -> None:
    mapped = map_document(
        _doc(Paragraph("一、总体情况"), table_from_texts([["姓名", "电话"]])), "2021"
    )
    assert mapped.found == {"二": False, "三": False, "四": False}
    assert {w.code for w in mapped.warnings} == {"section_missing"}


_HEADER3 = [
    ["", "", "申请人情况", "", "", "", "", "", ""],
    ["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
    ["", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""],
]


def test_continuation_table_without_header_keeps_the_column_positions() -> None:
    first = table_from_texts(
        [*_HEADER3, ["一、本年新收政府信息公开申请数量", "", "3", "", "", "", "", "", "3"]]
    )
    # the page broke: a second table with no header, blank cells kept in their columns
    second = table_from_texts([["（七）总计", "", "2", "", "1", "", "", "", "3"]])
    mapped = map_document(
        _doc(Paragraph("三、收到和处理政府信息公开申请情况"), first, second), "2021"
    )
    apps = mapped.applications
    assert apps["new"]["natural_person"] == 3 and apps["new"]["commercial"] is None
    assert apps["handled_total"]["research"] == 1 and apps["handled_total"]["commercial"] is None
    assert "columns_assumed" not in [w.code for w in mapped.warnings]


def test_values_without_any_header_are_read_in_format_order_with_a_warning() -> None:
    rows = table_from_texts(
        [["一、本年新收政府信息公开申请数量", "1", "2", "3", "4", "5", "6", "21"]]
    )
    mapped = map_document(_doc(Paragraph("三、收到和处理政府信息公开申请情况"), rows), "2021")
    assert mapped.applications["new"] == {
        "natural_person": 1,
        "commercial": 2,
        "research": 3,
        "social_welfare": 4,
        "legal_service": 5,
        "other_org": 6,
        "total": 21,
    }
    assert "columns_assumed" in [w.code for w in mapped.warnings]


def test_tables_without_headings_are_placed_by_what_their_rows_say() -> None:
    two = table_from_texts([["行政许可", "5"], ["行政处罚", "6"]])
    three = table_from_texts(
        [["一、本年新收政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1"]]
    )
    four = table_from_texts([[str(i % 3) for i in range(15)]])
    mapped = map_document(_doc(two, three, four), "2021")
    assert mapped.active_disclosure["penalty"] == 6
    assert mapped.applications["new"]["total"] == 1
    assert mapped.review_litigation["review"]["upheld"] == 0
    assert mapped.review_litigation["litigation_after_review"]["total"] == 2
    assumed = [w.message for w in mapped.warnings if w.code == "columns_assumed"]
    assert len(assumed) == 2 and "四" in assumed[1]  # no header named 三's or 四's columns


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("（三）不予公开 1.属于国家秘密", "denied_state_secret"),
        ("三、本年度办理结果（一）予以公开", "granted"),
        ("（六）其他处理3.其他", "other"),
        ("（六）其他处理 1.申请人无正当理由逾期不补正", "other_overdue_correction"),
    ],
)
def test_group_and_row_label_in_one_cell(label: str, key: str) -> None:
    three = table_from_texts([[label, "1", "0", "0", "0", "0", "0", "1"]])
    mapped = map_document(_doc(Paragraph("三、收到和处理政府信息公开申请情况"), three), "2021")
    assert mapped.applications[key]["total"] == 1
    assert "other_not_split" not in [w.code for w in mapped.warnings]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("", None),
        ("—", None),
        ("/", None),
        ("1.68", 1.68),
        ("96171.6", 96171.6),
        ("1,234", 1234),
        ("１２", 12),
        ("−2", -2),
        ("52 件", 52),
        ("1.5万元", 1.5),
    ],
)
def test_value_cells_are_read_as_numbers_blank_is_null(text: str, value: object) -> None:
    assert parse_number(text) == value
    assert type(parse_number(text)) is type(value)


@pytest.mark.parametrize(
    ("label", "normal"),
    [
        ("（三）不予公开", "不予公开"),
        ("3.危及“三安全一稳定”", "危及三安全一稳定"),
        ("（1）予以公开", "予以公开"),
        ("1、本机关不掌握相关政府信息", "本机关不掌握相关政府信息"),
        ("本 年 制 发\n件 数", "本年制发件数"),
        ("本年收费金额（单位：万元）", "本年收费金额"),
        ("其它", "其他"),
    ],
)
def test_labels_are_compared_without_spacing_numbering_quotes_or_remarks(
    label: str, normal: str
) -> None:
    assert core(label) == normal


@pytest.mark.timeout(60)
def test_a_large_table_of_unrelated_text_under_a_heading_is_mapped_in_linear_time() -> None:
    """Header rows are capped and label alternatives bounded (9,000 rows once took minutes)."""
    rows = "\n".join("\t".join(f"文字{i}_{j}" for j in range(20)) for i in range(9000))
    data = ("三、收到和处理政府信息公开申请情况\n自然人\t商业企业\n" + rows).encode()
    assert parse_document(data).status == "unstructured"


def test_unknown_column_header_in_section_two_is_read_in_format_order_with_a_warning() -> None:
    two = table_from_texts([["信息内容", "甲栏", "乙栏", "丙栏"], ["规章", "1", "2", "3"]])
    mapped = map_document(_doc(Paragraph("二、主动公开政府信息情况"), two), "2021")
    assert mapped.active_disclosure["rules"] == {"issued": 1, "repealed": 2, "in_force": 3}
    assert "columns_assumed" in [w.code for w in mapped.warnings]


def test_review_header_with_short_column_names() -> None:
    four = table_from_texts(
        [
            ["行政复议", "", "", "", "", "行政诉讼", "", "", "", "", "", "", "", "", ""],
            ["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
            ["维持", "纠正", "其他", "未审结", "合计"] * 3,
            [str(i) for i in range(15)],
        ]
    )
    mapped = map_document(_doc(Paragraph("四、行政复议、行政诉讼情况"), four), "2021")
    assert mapped.review_litigation["review"] == {
        "upheld": 0, "corrected": 1, "other": 2, "pending": 3, "total": 4
    }  # fmt: skip
    assert mapped.review_litigation["litigation_after_review"]["total"] == 14
    assert "columns_assumed" not in [w.code for w in mapped.warnings]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("商业企业", "commercial"),
        ("企业", "commercial"),
        ("社会公益组识", "social_welfare"),
        ("公益组织", "social_welfare"),
        ("法律服务", "legal_service"),
        ("其它", "other_org"),
        ("合计", "total"),
        ("法人或其他组织", None),
        ("申请人情况", None),
    ],
)
def test_applicant_columns_are_known_by_their_header_words(text: str, key: str | None) -> None:
    assert column_key(core(text)) == key


def test_a_group_label_on_a_row_of_its_own_is_not_taken_for_a_row_of_the_format() -> None:
    three = table_from_texts(
        [
            ["（一）予以公开", "1", "0", "0", "0", "0", "0", "1"],
            ["（三）不予公开", "", "", "", "", "", "", ""],
            ["1.属于国家秘密", "2", "0", "0", "0", "0", "0", "2"],
        ]
    )
    mapped = map_document(_doc(Paragraph("三、收到和处理政府信息公开申请情况"), three), "2021")
    assert mapped.applications["granted"]["total"] == 1
    assert mapped.applications["denied_state_secret"]["total"] == 2
    assert "row_duplicate" not in [w.code for w in mapped.warnings]


def test_other_group_on_a_row_of_its_own_is_followed_by_its_sub_rows() -> None:
    three = table_from_texts(
        [
            ["（六）其他处理", "", "", "", "", "", "", ""],
            ["1.申请人无正当理由逾期不补正", "1", "0", "0", "0", "0", "0", "1"],
            ["2.申请人逾期未按收费通知要求缴纳费用", "2", "0", "0", "0", "0", "0", "2"],
            ["3.其他", "3", "0", "0", "0", "0", "0", "3"],
        ]
    )
    mapped = map_document(_doc(Paragraph("三、收到和处理政府信息公开申请情况"), three), "2021")
    apps = mapped.applications
    assert [
        apps[k]["total"] for k in ("other_overdue_correction", "other_unpaid_fee", "other")
    ] == [
        1,
        2,
        3,
    ]
    assert "other_not_split" not in [w.code for w in mapped.warnings]
