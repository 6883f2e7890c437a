"""PDF tables without ruling lines are rebuilt from where their characters stand.

The fixtures are the samples printed with their tables' borders off, and with horizontal rules
only (tests/fixtures/pdf/make_unruled.py), plus two borderless samples made elsewhere
(demo/samples/*.noborder.pdf); each must give the sample's record, through the same grid and
the same mapper as a ruled table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from demo import SAMPLES
from yingji_parser import parse_document
from yingji_parser.formats import pdf as pdf_reader
from yingji_parser.formats.pdf.content import Char, Segment
from yingji_parser.formats.pdf.settings import DEFAULT_SETTINGS
from yingji_parser.formats.pdf.stream import find_stream_tables
from yingji_parser.grid import Table

from .conftest import assert_record_matches, expected

UNRULED = Path(__file__).resolve().parents[1] / "fixtures" / "pdf" / "unruled"
BORDERLESS = sorted(SAMPLES.glob("*.noborder.pdf")) + sorted(UNRULED.glob("*.pdf"))


def sample_name(path: Path) -> str:
    return path.name.split(".")[0]


def test_there_are_borderless_and_horizontal_rule_fixtures_of_every_sample() -> None:
    styles = {p.name.split(".")[1] for p in BORDERLESS}
    assert styles == {"noborder", "hrules"}
    assert {sample_name(p) for p in UNRULED.glob("*.hrules.pdf")} == {
        p.stem for p in SAMPLES.glob("*.docx")
    }


@pytest.mark.parametrize("path", BORDERLESS, ids=lambda p: p.name)
def test_an_unruled_rendering_parses_to_its_samples_record(path: Path) -> None:
    result = parse_document(path.read_bytes(), filename=path.name)
    assert result.status == "parsed", [w.to_dict() for w in result.warnings]
    assert_record_matches(result.record, expected(sample_name(path)))
    assert not any(w.code.startswith("check_") for w in result.warnings)


def _table_with(tables: list[Table], text: str) -> Table:
    found = [t for t in tables if any(c.text == text for row in t.rows for c in row)]
    assert found, text
    return found[0]


def test_wrapped_labels_are_joined_and_merged_labels_span_their_rows() -> None:
    doc = pdf_reader.read((SAMPLES / "synth0.noborder.pdf").read_bytes())
    table = _table_with(doc.tables, "2.其他法律行政法规禁止公开")
    rows = [r for r in table.rows if any(c.text == "三、本年度办理结果" for c in r)]
    assert len(rows) >= 2  # the merged parent label covers the rows of its items
    assert [c.merged for c in rows[1] if c.text == "三、本年度办理结果"] == [True]
    row = next(r for r in table.rows if any(c.text == "2.其他法律行政法规禁止公开" for c in r))
    assert [c.text for c in row[-7:]] == ["5", "0", "8", "0", "5", "2", "20"]


def test_a_row_cut_by_a_page_break_is_one_row_again() -> None:
    doc = pdf_reader.read((UNRULED / "synth0.noborder.pdf").read_bytes())
    table = _table_with(doc.tables, "2.其他法律行政法规禁止公开")
    assert table.page is not None
    assert not any(c.text in ("他法", "开") for row in table.rows for c in row)


def test_prose_around_the_tables_stays_prose() -> None:
    doc = pdf_reader.read((SAMPLES / "seed000.noborder.pdf").read_bytes())
    assert "二、主动公开政府信息情况" in doc.paragraphs
    assert "三、收到和处理政府信息公开申请情况" in doc.paragraphs
    assert any(p.startswith("(一)、主动公开") for p in doc.paragraphs)
    assert all(len(t.rows[0]) >= 2 for t in doc.tables)


# --- the rebuilding itself, on characters placed by hand --------------------------------------


def _word(text: str, x: float, top: float, size: float = 10.0) -> Char:
    return Char(text, x, top, x + size * len(text) * (0.5 if text.isascii() else 1.0), top + size)


def _find(chars: list[Char], rules: list[Segment] | None = None) -> list[list[str]]:
    tables, _ = find_stream_tables(chars, rules or [], 1, DEFAULT_SETTINGS)
    assert len(tables) == 1
    from yingji_parser.formats.pdf.assemble import to_grid

    return to_grid(tables[0]).texts()


def test_columns_come_from_where_the_numbers_stand_whatever_their_alignment() -> None:
    chars = [
        _word("信息内容", 50, 100), _word("本年新制作", 150, 100), _word("现行有效件数", 250, 100),
        _word("规章", 50, 115), _word("12", 185, 115), _word("3", 300, 115),  # right-aligned
        _word("规范性文件", 50, 130), _word("7", 190, 130), _word("40", 295, 130),
    ]  # fmt: skip
    assert _find(chars) == [
        ["信息内容", "本年新制作", "现行有效件数"],
        ["规章", "12", "3"],
        ["规范性文件", "7", "40"],
    ]


def test_a_blank_value_keeps_its_column() -> None:
    chars = [
        _word("项目", 50, 100), _word("甲", 150, 100), _word("乙", 200, 100), _word("丙", 250, 100),
        _word("一", 50, 115), _word("1", 150, 115), _word("2", 200, 115), _word("3", 250, 115),
        _word("二", 50, 130), _word("4", 150, 130), _word("6", 250, 130),
    ]  # fmt: skip
    assert _find(chars)[2] == ["二", "4", "", "6"]


def test_a_wrapped_label_is_one_cell_unless_a_rule_or_a_list_number_separates() -> None:
    chars = [
        _word("项目", 50, 100), _word("甲", 150, 100), _word("乙", 200, 100),
        _word("没有现成信息", 50, 115), _word("1", 150, 115), _word("2", 200, 115),
        _word("需要另行制作", 50, 126),
        _word("2.重复申请", 50, 137), _word("3", 150, 137), _word("4", 200, 137),
    ]  # fmt: skip
    assert [r[0] for r in _find(chars)] == ["项目", "没有现成信息需要另行制作", "2.重复申请"]
    ruled = _find(chars, [Segment(True, 125.5, 40, 260)])
    assert [r[0] for r in ruled] == ["项目", "没有现成信息", "需要另行制作", "2.重复申请"]


def test_a_paragraph_is_no_table() -> None:
    chars = [_word("我局严格落实政府信息公开条例，坚持以公开为常态。", 50, 100)]
    chars.append(_word("全年收到申请0件，未发生行政复议。", 50, 115))
    tables, free = find_stream_tables(chars, [], 1, DEFAULT_SETTINGS)
    assert tables == [] and free == chars
