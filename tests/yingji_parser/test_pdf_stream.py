"""PDF tables without ruling lines are rebuilt from where their characters stand.

The fixtures are the samples printed with their tables' borders off, and with horizontal rules
only (tests/fixtures/pdf/make_unruled.py), plus two borderless samples made elsewhere
(demo/samples/*.noborder.pdf), plus the samples laid out at test time the ways WPS and Word
publish tables without a lattice (tests/yingji_parser/borderless.py: cells centred across and
down, Word's three-line style, numbers flush right, a page break with and without the header
repeated); each must give the sample's record, through the same grid and the same mapper as a
ruled table.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest

from demo import SAMPLES
from yingji_parser import parse_document
from yingji_parser.formats import pdf as pdf_reader
from yingji_parser.formats.pdf.content import Char, PageContent, Segment
from yingji_parser.formats.pdf.page import extract_page
from yingji_parser.formats.pdf.settings import DEFAULT_SETTINGS
from yingji_parser.formats.pdf.stream import find_stream_tables
from yingji_parser.formats.pdf.text import rows_of
from yingji_parser.grid import Table

from .borderless import Layout, render
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


# --- layouts generated at test time (tests/yingji_parser/borderless.py) ---------------------

LAYOUTS = {
    layout.name: layout
    for layout in (
        # WPS's default: everything centred across and down its cell, narrow label columns
        Layout("wps-centred", labels="centre", numbers="centre", middle=True, label_scale=0.7),
        Layout("centred-labels", labels="centre"),
        Layout("three-line", rules="three-line"),  # Word's 三线表: top, under the header, bottom
        Layout("right-numbers", numbers="right"),
        Layout("break-header-repeated", break_before="5.属于三类内部事务信息", repeat_header=True),
        Layout("break-no-header", break_before="（四）无法提供", labels="centre"),
        Layout("break-centred", break_before="2.重复申请", repeat_header=True, middle=True,
               labels="centre", rules="three-line"),
        # other fonts and spacings: small print in rows set tight, big print, loose rows
        Layout("small-tight", size=9.0, pad_y=0.0, middle=True, label_scale=0.4),
        Layout("big-right", size=12.0, labels="centre", numbers="right", middle=True,
               rules="three-line", label_scale=0.7),
        Layout("loose-narrow", leading=1.5, pad_y=3.0, middle=True, label_scale=0.4),
    )
}  # fmt: skip
NAMES = sorted(p.stem for p in SAMPLES.glob("*.body.html"))


def rendered(name: str, layout: str) -> bytes:
    want = expected(name.split(".")[0])
    body = (SAMPLES / f"{name}.html").read_text("utf-8")
    return render(want["title"], body, LAYOUTS[layout])


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("name", NAMES)
def test_a_generated_borderless_layout_parses_to_its_samples_record(name: str, layout: str) -> None:
    result = parse_document(rendered(name, layout), filename=f"{name}.{layout}.pdf")
    assert result.status == "parsed", [w.to_dict() for w in result.warnings]
    assert_record_matches(result.record, expected(name.split(".")[0]))
    assert not any(w.code.startswith("check_") for w in result.warnings)


def _page_contents(data: bytes) -> list[PageContent]:
    pdf = pdfium.PdfDocument(data)
    return [page for i in range(len(pdf)) if (page := extract_page(pdf.raw, i)) is not None]


def test_the_layouts_are_what_they_say() -> None:
    """The generator draws what each layout claims, so the tests above test those layouts."""
    three = _page_contents(rendered("synth1.body", "three-line"))
    segments = [seg for page in three for seg in page.segments]
    assert segments and all(seg.horizontal for seg in segments)
    assert not any(
        seg.horizontal for seg in _page_contents(rendered("synth1.body", "wps-centred"))[0].segments
    )
    # centred down its cell: a two-line label's numbers stand between its lines, on neither
    pages = _page_contents(rendered("synth1.body", "wps-centred"))
    texts = [
        "".join(c.text for c in sorted(row, key=lambda c: c.x0))
        for page in pages
        for row in rows_of(page.chars)
    ]
    label = next(i for i, t in enumerate(texts) if t.startswith("4.保护"))
    assert texts[label + 1].startswith("5") and not texts[label + 2][0].isdigit()
    # the page break falls where asked, with the header drawn again (or not)
    for layout, repeated in (("break-header-repeated", True), ("break-no-header", False)):
        pages = _page_contents(rendered("synth1.body", layout))
        heads = ["".join(c.text for c in page.chars) for page in pages]
        at = next(i for i, t in enumerate(heads) if "本年新收" in t) + 1
        assert ("商业" in heads[at]) is repeated, layout


def test_numbers_between_the_lines_of_a_centred_label_are_that_rows() -> None:
    doc = pdf_reader.read(rendered("synth1.body", "wps-centred"))
    table = _table_with(doc.tables, "4.保护第三方合法权益")
    row = next(r for r in table.rows if any(c.text == "4.保护第三方合法权益" for c in r))
    assert [c.text for c in row[-7:]] == ["5", "1", "5", "0", "5", "8", "24"]
    # the parent label centred down its rows is one cell, whatever line it starts on
    parents = [c for r in table.rows for c in r if c.text == "（三）不予公开" and not c.merged]
    assert len(parents) == 1


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
