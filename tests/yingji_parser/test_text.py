"""Plain-text reader: tab-separated rows, Word's one-cell-a-line export, markdown headings."""

from __future__ import annotations

import pytest

from yingji_parser.errors import CorruptDocument, TooLarge
from yingji_parser.formats import text
from yingji_parser.grid import Paragraph, Table

from .conftest import SAMPLES


def test_tab_separated_lines_form_one_table_and_other_lines_paragraphs() -> None:
    doc = text.read("标题\n\n信息内容\t本年处理决定数量\n行政许可\t94\t\n\n尾\n".encode())
    assert doc.blocks[0] == Paragraph("标题")
    table = doc.blocks[1]
    assert isinstance(table, Table)
    assert table.texts() == [["信息内容", "本年处理决定数量", ""], ["行政许可", "94", ""]]
    assert doc.blocks[2] == Paragraph("尾")


def test_markdown_heading_marks_are_dropped() -> None:
    doc = text.read("# 湛河区应急管理局 2024 年报告\n\n### 三、收到和处理\n".encode())
    assert doc.paragraphs == ["湛河区应急管理局 2024 年报告", "三、收到和处理"]


def test_one_cell_a_line_rows_split_on_blank_lines_and_continue_broken_cells() -> None:
    data = "三、收到\n\t自然人\n\t商业\n企业\n\t总计\n\n\t一、本年新收\n\t4\n\t4\n\n\n五、问题\n"
    doc = text.read(data.encode())
    assert doc.blocks[0] == Paragraph("三、收到")
    table = doc.blocks[1]
    assert isinstance(table, Table)
    assert table.texts() == [["自然人", "商业\n企业", "总计"], ["一、本年新收", "4", "4"]]
    assert doc.blocks[2] == Paragraph("五、问题")


def test_word_bookmark_marker_is_removed() -> None:
    doc = text.read("[bookmark: _GoBack]主要问题：无。\n".encode())
    assert doc.paragraphs == ["主要问题：无。"]


def test_seed002_header_split_over_two_lines_is_one_cell() -> None:
    doc = text.read((SAMPLES / "seed002.txt").read_bytes())
    cells = [c.text for t in doc.tables for row in t.rows for c in row]
    assert "商业\n企业" in cells and "科研\n机构" in cells


def test_gb18030_text_is_decoded() -> None:
    doc = text.read("孟津区应急管理局2023年政府信息公开工作年度报告".encode("gb18030"))
    assert doc.paragraphs == ["孟津区应急管理局2023年政府信息公开工作年度报告"]


def test_utf8_bom_is_not_text() -> None:
    doc = text.read("\ufeff标题".encode())
    assert doc.paragraphs == ["标题"]


def test_nul_bytes_are_refused() -> None:
    with pytest.raises(CorruptDocument):
        text.read(b"abc\x00def")


def test_one_stray_indented_line_does_not_change_the_layout() -> None:
    seed = (SAMPLES / "seed002.txt").read_text(encoding="utf-8")
    doc = text.read(seed.replace("五、存在的主要问题", "\t\t五、存在的主要问题").encode())
    assert text.read(seed.encode()).tables[0].texts() == doc.tables[0].texts()


def test_rows_are_capped_and_a_huge_table_is_refused() -> None:
    (table,) = text.read(b"a\t" * 10_000).tables
    assert table.width == text.MAX_WIDTH
    with pytest.raises(TooLarge):
        text.read(b"x\t1\n" * 120_000)
