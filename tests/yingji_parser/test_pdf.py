"""The PDF reader at grid level: what tables, cells and paragraphs a PDF becomes.

The real reports (tests/fixtures/realpages) are WPS-made PDFs of other agencies in the same
national format; their numbers were read off the pages by a person. The samples are LibreOffice
PDFs whose narrow columns wrap every label and whose big table runs over three pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from demo import SAMPLES
from yingji_parser.errors import CorruptDocument, EncryptedDocument, ParseError
from yingji_parser.formats import pdf as pdf_reader
from yingji_parser.formats.pdf import PdfSettings, read_pdf
from yingji_parser.formats.pdf.assemble import continues, to_grid
from yingji_parser.formats.pdf.content import Char, PageContent, Segment
from yingji_parser.formats.pdf.join import join_tables
from yingji_parser.formats.pdf.lattice import LCell, LTable, find_tables
from yingji_parser.formats.pdf.text import (
    Line,
    is_continuation_mark,
    is_page_number,
    join_wrapped,
)
from yingji_parser.grid import Document, Table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = FIXTURES / "realpages"
HUAIAN = REAL / "govnianbao" / "huaian_szf_2024_annual_report.pdf"
HONGZE_2023 = REAL / "kirogovcompare" / "hongze_qzf_2023_annual_report.pdf"
HONGZE_2024 = REAL / "kirogovcompare" / "hongze_qzf_2024_annual_report.pdf"
SAMPLE_PDFS = sorted(p for p in SAMPLES.glob("*.pdf") if "." not in p.stem)  # ruled ones
OWN = FIXTURES / "pdf"

APPLICANT_COLUMNS = 7  # 自然人, 5 kinds of organisation, 总计


def cells(published: str) -> list[str]:
    """Cell texts as a person reads them off the page, separated by spaces."""
    return published.split()


def read(path: Path) -> Document:
    return pdf_reader.read(path.read_bytes())


def table_with(doc: Document, label: str) -> Table:
    """The one table that has a cell reading ``label``."""
    found = [t for t in doc.tables if any(c.text == label for row in t.rows for c in row)]
    assert len(found) == 1, f"{label!r} in {len(found)} tables"
    return found[0]


def values(table: Table, label: str, count: int) -> list[str]:
    """The last ``count`` cells of the one row that has a cell reading ``label``."""
    rows = [row for row in table.rows if any(c.text == label for c in row)]
    assert len(rows) == 1, f"{label!r} in {len(rows)} rows"
    return [c.text for c in rows[0][-count:]]


def folios(doc: Document) -> list[str]:
    """Paragraphs, and table rows, that hold nothing but a page number ("-2-", "— 3 —", "4")."""
    texts = list(doc.paragraphs)
    for t in doc.tables:
        for row in t.rows:
            distinct = {c.text for c in row if c.text}
            if len(distinct) == 1:
                texts.append(distinct.pop())
    return [t for t in texts if t.strip("-—– ").isdigit()]


# --- real WPS reports -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huaian() -> Document:
    return read(HUAIAN)


def test_huaian_section_two_cells(huaian: Document) -> None:
    t = table_with(huaian, "行政规范性文件")
    assert values(t, "规章", 3) == ["1", "0", "11"]
    assert values(t, "行政规范性文件", 3) == ["8", "26", "66"]
    # One-value rows span the three value columns: the value once, then merged copies.
    row = next(r for r in t.rows if r[0].text == "行政许可")
    assert [(c.text, c.merged) for c in row[1:]] == [
        ("447228", False),
        ("447228", True),
        ("447228", True),
    ]
    assert values(t, "行政处罚", 1) == ["3985758"]
    assert values(t, "行政强制", 1) == ["88283"]
    assert values(t, "行政事业性收费", 1) == ["96171.6"]


def test_huaian_section_three_is_one_table_over_the_page_break(huaian: Document) -> None:
    t = table_with(huaian, "一、本年新收政府信息公开申请数量")
    # The rows of page 5 belong to the same table as the header on page 4.
    assert t.page == 4
    n = APPLICANT_COLUMNS
    assert values(t, "一、本年新收政府信息公开申请数量", n) == cells("3001 53 0 0 61 4 3119")
    assert values(t, "二、上年结转政府信息公开申请数量", n) == cells("34 0 0 0 0 0 34")
    assert values(t, "2.没有现成信息需要另行制作", n) == cells("11 0 0 0 0 0 11")
    assert values(t, "（七）总计", n) == cells("2932 53 0 0 61 4 3050")
    assert values(t, "四、结转下年度继续办理", n) == cells("103 0 0 0 0 0 103")


def test_huaian_wrapped_and_vertical_labels_read_as_one_label(huaian: Document) -> None:
    t = table_with(huaian, "一、本年新收政府信息公开申请数量")
    labels = {c.text for row in t.rows for c in row}
    # Written one character per line down a merged column.
    assert "三、本年度办理结果" in labels
    # Wrapped over two or three lines inside a narrow cell.
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in labels
    assert "5.要求行政机关确认或重新出具已获取信息" in labels
    assert "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请" in labels
    # "（四）无法提供" was cut by the page break ("（四）无" / "法提供"): one cell again.
    assert values(t, "2.没有现成信息需要另行制作", 9)[0] == "（四）无法提供"
    # The vertical label covers the rows after the break too.
    assert values(t, "3、其他", 10)[0] == "三、本年度办理结果"


def test_huaian_section_four_cells(huaian: Document) -> None:
    t = table_with(huaian, "行政复议")
    assert t.texts()[-1] == cells("72 64 178 37 351 13 4 8 1 26 12 1 1 6 20")


def test_huaian_prose_title_and_folios(huaian: Document) -> None:
    assert huaian.title_hints == ["政府信息公开工作年度报告"]
    assert huaian.pages == 6
    # The centred title set over two lines is one paragraph.
    assert huaian.paragraphs[0] == "淮安市人民政府2024年政府信息公开工作年度报告"
    for heading in (
        "一、总体情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "六、其他需要报告的事项",
    ):
        assert heading in huaian.paragraphs
    # Footer folios "-1-" ... "-6-" are neither paragraphs nor cells.
    assert folios(huaian) == []
    # A paragraph that runs over the page break stays one paragraph.
    assert any(
        p.startswith("（一）主动公开情况") and p.endswith("回应舆论关切。")
        for p in huaian.paragraphs
    )


def test_huaian_blocks_in_reading_order(huaian: Document) -> None:
    kinds = ["T" if isinstance(b, Table) else b.text[:2] for b in huaian.blocks]
    assert kinds.index("二、") < kinds.index("T") < kinds.index("三、")
    assert kinds.count("T") == 3


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            HONGZE_2023,
            {
                "规章": ["0", "0", "0"],
                "行政规范性文件": ["0", "5", "5"],
                "行政许可": ["550"],
                "行政处罚": ["4119"],
                "行政强制": ["195"],
                "行政事业性收费": ["7730.28"],
                "一、本年新收政府信息公开申请数量": cells("21 0 0 0 0 0 21"),
                "（二）部分公开（区分处理的，只计这一情 形，不计其他情形）": cells("4 0 0 0 0 0 4"),
                "1.属于国家秘密": cells("1 0 0 0 0 0 1"),
                "2.其他法律行政止公开": cells("0 0 0 0 0 0 0"),  # the typo as published
                "1.本机关不掌握相关政府信息": cells("10 0 0 0 0 0 10"),
                "2.没有现成信息需要另行制作": cells("3 0 0 0 0 0 3"),
                "3.补正后申请内容仍不明确": cells("0 0 0 0 0 0 0"),
                "1.信访举报投诉类申请": cells("1 0 0 0 0 0 1"),
                "（七）总计": cells("21 0 0 0 0 0 21"),
            },
        ),
        (
            HONGZE_2024,
            {
                "规章": ["0", "0", "0"],
                "行政规范性文件": ["3", "0", "8"],
                "行政许可": ["9487"],
                "行政处罚": ["2776"],
                "行政强制": ["84"],
                "行政事业性收费": ["7545"],
                "一、本年新收政府信息公开申请数量": cells("95 0 0 0 0 0 95"),
                "（一）予以公开": cells("50 0 0 0 0 0 50"),
                "3.危及“三安全一稳定”": cells("1 0 0 0 0 0 1"),
                "1.本机关不掌握相关政府信息": cells("31 0 0 0 0 0 31"),
                "2.没有现成信息需要另行制作": cells("1 0 0 0 0 0 1"),
                "（七）总计": cells("95 0 0 0 0 0 95"),
            },
        ),
    ],
    ids=["hongze2023", "hongze2024"],
)
def test_hongze_cells(path: Path, expected: dict[str, list[str]]) -> None:
    doc = read(path)
    for label, want in expected.items():
        table = next(t for t in doc.tables if any(c.text == label for row in t.rows for c in row))
        assert values(table, label, len(want)) == want, label


def test_hongze_other_handling_is_one_row_and_section_four() -> None:
    doc = read(HONGZE_2023)
    t = table_with(doc, "（七）总计")
    assert values(t, "（六）其他处理", APPLICANT_COLUMNS) == ["0"] * 7
    # Vertical label drawn with a vertical-writing font matrix: still one label, left column.
    assert values(t, "1.属于国家秘密", 10)[0] == "三、本年度办理结果"
    four = table_with(doc, "行政复议")
    # A total that does not add up is kept as published.
    assert four.texts()[-1] == cells("10 1 0 0 0 0 0 0 0 0 5 0 0 0 0")
    assert read(HONGZE_2024).tables[-1].texts()[-1] == cells("1 1 0 0 2 1 0 0 0 1 2 0 1 0 3")


# --- samples: narrow columns and rows cut by page breaks --------------------------------------


@pytest.mark.parametrize("path", SAMPLE_PDFS, ids=lambda p: p.name)
def test_sample_tables_rebuilt_whole(path: Path) -> None:
    doc = read(path)
    assert len(doc.tables) == 3
    two, three, four = doc.tables
    assert two.width == 4 and three.width == 10 and four.width == 15
    # Header (3 rows) + 2 + 21 rows of results + 四: every row cut by a page break mended.
    assert len(three.rows) == 3 + 2 + 21 + 2
    labels = [row[2].text for row in three.rows]
    assert "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请" in labels
    assert "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请" in labels
    for row in three.rows[3:]:
        assert all(c.text.isdigit() for c in row[3:]), row
    assert all(c.text.isdigit() for c in four.rows[-1])


# --- hand-made fixtures -----------------------------------------------------------------------


def test_long_table_over_two_pages_with_repeated_header_running_head_and_blank_cells() -> None:
    doc = read(OWN / "long_table.pdf")
    assert doc.pages == 2
    assert len(doc.tables) == 1
    t = doc.tables[0]
    header = ["事项", "自然人", "法人", "总计"]
    # Word repeats the header row on page 2: kept (as published), the mapper skips it.
    assert [row for row in t.texts() if row == header] == [header, header]
    data = [row for row in t.texts() if row != header]
    assert [row[0] for row in data] == [f"{i}.事项第{i}行" for i in range(1, 61)]
    assert data[6] == ["7.事项第7行", "", "", ""]  # blank stays blank, never 0
    assert data[59] == ["60.事项第60行", "60", "120", "180"]
    assert folios(doc) == []
    # The running header above the table on both pages is page furniture: dropped, and so it
    # does not stand between the two halves of the table.
    assert "某某县应急管理局文件" not in doc.paragraphs
    assert doc.paragraphs[-1] == "四、政府信息公开行政复议、行政诉讼情况"


def test_repeated_header_rows_and_rows_broken_under_them() -> None:
    doc = read(OWN / "repeated_header.pdf")
    three = table_with(doc, "一、本年新收政府信息公开申请数量")
    header_starts = [i for i, row in enumerate(three.rows) if row[3].text == "申请人情况"]
    assert len(header_starts) == 5  # on page 1, then again on each of the four pages after
    # Rows broken by the page break under the repeated header are whole again.
    labels = {c.text for row in three.rows for c in row}
    assert "1.本机关不掌握相关政府信息" in labels
    assert "5.要求行政机关确认或重新出具已获取信息" in labels
    assert "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请" in labels
    # A merged label cut by the break reads whole on both sides of the repeated header.
    assert values(three, "2.没有现成信息需要另行制作", 9)[0] == "（四）无法提供"
    assert values(three, "3.其他", 10)[:2] == ["三、本年度办理结果", "（六）其他处理"]
    for row in three.rows:
        if row[3].text != "申请人情况" and not row[3].merged and row[3].text not in ("自然人",):
            assert all(c.text.isdigit() for c in row[3:]), [c.text for c in row]


def test_table_split_by_hand_under_a_continued_mark_is_one_table() -> None:
    doc = read(OWN / "continued_table.pdf")
    assert len(doc.tables) == 1
    rows = doc.tables[0].texts()
    assert rows[0] == rows[21] == ["事项", "自然人", "法人", "总计"]
    assert [r[0] for r in rows if r[0] != "事项"] == [f"{i}.事项第{i}行" for i in range(1, 31)]
    assert "续表" not in doc.paragraphs


def _turned_sample_page(turn: str, rotate: int) -> bytes:
    """Page 2 of a sample drawn turned (``up``: text runs upwards, ``down``, ``over``: upside
    down) on a new page, with /Rotate ``rotate``: how landscape tables end up in PDFs."""
    import io

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    src = pdfium.PdfDocument((SAMPLES / "synth0.pdf").read_bytes())
    w, h = src[1].get_size()
    matrix, size = {
        "up": ((0, 1, -1, 0, h, 0), (h, w)),
        "down": ((0, -1, 1, 0, 0, w), (h, w)),
        "over": ((-1, 0, 0, -1, w, h), (w, h)),
    }[turn]
    dst = pdfium.PdfDocument.new()
    page = dst.new_page(*size)
    xobject = pdfium_c.FPDF_NewXObjectFromPage(dst.raw, src.raw, 1)
    form = pdfium_c.FPDF_NewFormObjectFromXObject(xobject)
    pdfium_c.FPDFPageObj_Transform(form, *matrix)
    pdfium_c.FPDFPage_InsertObject(page, form)
    pdfium_c.FPDF_CloseXObject(xobject)
    page.gen_content()
    if rotate:
        pdfium_c.FPDFPage_SetRotation(page, rotate)
    out = io.BytesIO()
    dst.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("turn", "rotate"), [("up", 0), ("down", 0), ("down", 3), ("over", 0), ("over", 2)]
)
def test_sideways_or_upside_down_text_is_read_level(turn: str, rotate: int) -> None:
    doc = pdf_reader.read(_turned_sample_page(turn, rotate))
    assert len(doc.tables) == 1
    assert values(doc.tables[0], "4.保护第三方合法权益", 7) == cells("5 13 13 0 5 3 39")


def test_page_turned_by_rotate_is_read_as_displayed() -> None:
    doc = read(OWN / "rotated.pdf")
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.width == 10
    assert values(t, "4.保护第三方合法权益", 7) == cells("5 13 13 0 5 3 39")
    assert values(t, "1.本机关不掌握相关政府信息", 9)[0] == "（四）无法提供"


def test_borders_drawn_as_thin_filled_rectangles_under_a_scaling_matrix() -> None:
    doc = read(OWN / "filled_borders.pdf")
    assert len(doc.tables) == 1
    assert doc.tables[0].texts() == [
        ["Item", "Applicants", "Applicants", "Applicants"],
        ["Rules", "1", "0", "11"],
        ["Licences", "447228", "", "3"],
        ["Fees", "96171.6", "2", "0"],
    ]
    assert [c.merged for c in doc.tables[0].rows[0]] == [False, False, True, True]
    assert doc.paragraphs == []


def test_image_only_pdf_has_no_text_layer() -> None:
    doc = read(OWN / "image_only.pdf")
    assert doc.has_text_layer is False
    assert doc.blocks == []
    assert [code for code, _ in doc.notes] == ["pdf_no_text_layer"]


def test_page_images_with_a_few_stamped_words_have_no_text_layer() -> None:
    """A scan whose only text is a page number stamped on the page still needs OCR."""
    doc = read(OWN / "stamped_scan.pdf")
    assert doc.has_text_layer is False
    assert doc.blocks == []


def test_text_with_tables_only_as_pictures_says_so() -> None:
    doc = read(OWN / "pictured_table.pdf")
    assert doc.has_text_layer is True
    assert doc.paragraphs == ["Annual report on government information disclosure, 2022"]
    assert doc.tables == []
    assert [code for code, _ in doc.notes] == ["pdf_tables_as_images"]


def test_password_protected_pdf_is_refused_as_encrypted() -> None:
    with pytest.raises(EncryptedDocument):
        read(OWN / "encrypted.pdf")


def test_pdf_that_only_restricts_copying_and_printing_is_read() -> None:
    assert (OWN / "restricted.pdf").read_bytes().count(b"/Encrypt") == 1
    doc = read(OWN / "restricted.pdf")
    assert doc.paragraphs == ["年度报告正文", "第二行文字，用于检验复制限制不影响读取。"]


@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.95])
def test_truncated_pdf_is_corrupt(fraction: float) -> None:
    data = HUAIAN.read_bytes()
    with pytest.raises(CorruptDocument):
        pdf_reader.read(data[: int(len(data) * fraction)])


@pytest.mark.parametrize(
    "data",
    [b"", b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", bytes(range(256))],
)
def test_garbage_is_refused_as_a_parse_error_only(data: bytes) -> None:
    with pytest.raises(ParseError):
        pdf_reader.read(data)


def test_pages_past_the_page_cap_are_not_read() -> None:
    doc = read_pdf(HUAIAN.read_bytes(), PdfSettings(max_pages=2))
    assert doc.pages == 6
    assert ("pdf_page_limit", "only the first 2 of 6 pages were read") in doc.notes
    assert doc.tables == []  # the tables start on page 3
    assert doc.paragraphs[0] == "淮安市人民政府2024年政府信息公开工作年度报告"


def test_reading_stops_when_the_time_budget_is_spent() -> None:
    doc = read_pdf(HUAIAN.read_bytes(), PdfSettings(time_budget=-1.0))
    assert [code for code, _ in doc.notes] == ["pdf_time_limit"]
    assert doc.tables == []
    assert doc.paragraphs  # the first page was read


# --- the pieces -------------------------------------------------------------------------------


def test_wrapped_lines_join_without_separator_in_chinese_only() -> None:
    assert join_wrapped(["没有现成信息需要另行制", "作"]) == "没有现成信息需要另行制作"
    assert join_wrapped(["三", "、", "本", "年", "度"]) == "三、本年度"
    assert join_wrapped(["2024", "年"]) == "2024年"
    assert join_wrapped(["Annual", "report"]) == "Annual\nreport"
    assert join_wrapped(["", " 规章 ", ""]) == "规章"
    # A number wrapped by a narrow column is one number again.
    assert join_wrapped(["39857", "58"]) == "3985758"
    assert join_wrapped(["96171.", "6"]) == "96171.6"


@pytest.mark.parametrize("text", ["-2-", "— 3 —", "- 4 -", "第 5 页", "第3页 共6页", "7", "3/6"])
def test_folios_in_the_margin_are_page_numbers(text: str) -> None:
    footer = Line(text, 280, 800, 320, 812)
    assert is_page_number(footer, page_height=842)
    body = Line(text, 280, 400, 320, 412)
    assert not is_page_number(body, page_height=842)


@pytest.mark.parametrize("text", ["续表", "（续表）", "续上表", "(续表2)", "续 表"])
def test_continued_table_marks_are_recognised(text: str) -> None:
    assert is_continuation_mark(Line(text, 80, 70, 120, 82))


def test_text_about_a_table_is_not_a_continuation_mark() -> None:
    assert not is_continuation_mark(Line("续表明本年度数据", 80, 70, 200, 82))


@pytest.mark.parametrize("text", ["2024年", "一、总体情况", "-2-3-", "12345"])
def test_other_footer_text_is_not_a_page_number(text: str) -> None:
    assert not is_page_number(Line(text, 280, 800, 320, 812), page_height=842)


def _glyphs(text: str, x: float, top: float) -> list[Char]:
    return [Char(ch, x + 10 * i, top, x + 10 * (i + 1), top + 10) for i, ch in enumerate(text)]


def test_lattice_from_ruling_lines_with_a_merged_cell_and_a_hairline_double_border() -> None:
    """Lines drawn twice 3 pt apart (a double border) make a sliver column, not a column."""
    h = [Segment(True, y, 100, 400) for y in (100, 130, 160)]
    v = [Segment(False, x, 100, 160) for x in (100, 200, 203, 400)]
    v.append(Segment(False, 300, 130, 160))  # the top row's right cell spans two columns
    chars = _glyphs("规章", 110, 110) + _glyphs("合计", 210, 110)
    chars += _glyphs("许可", 110, 140) + _glyphs("12", 210, 140) + _glyphs("3", 310, 140)
    chars += _glyphs("第一页", 110, 300)  # prose under the table
    page = PageContent(number=1, width=600, height=800, chars=chars, segments=h + v)
    tables, free = find_tables(page)
    assert len(tables) == 1
    assert to_grid(tables[0]).texts() == [["规章", "合计", "合计"], ["许可", "12", "3"]]
    assert "".join(c.text for c in free) == "第一页"


def _part(rows: list[list[str]], page: int) -> LTable:
    cells = [
        LCell(r, r + 1, c, c + 1, text) for r, row in enumerate(rows) for c, text in enumerate(row)
    ]
    return LTable(xs=[0, 100, 150, 200], nrows=len(rows), cells=cells, page=page, top=0, bottom=100)


def test_a_row_cut_by_the_page_break_is_mended() -> None:
    upper = _part([["1.申请人无正", "1", "2"]], page=1)
    lower = _part([["当理由逾期不补正", "", ""], ["2.重复申请", "3", "4"]], page=2)
    assert to_grid(join_tables(upper, lower)).texts() == [
        ["1.申请人无正当理由逾期不补正", "1", "2"],
        ["2.重复申请", "3", "4"],
    ]


def test_a_blank_row_above_the_break_is_not_glued_to_the_row_below() -> None:
    """Labels without numbering, the last row above left blank: two rows, not one."""
    upper = _part([["重复申请", "3", "4"], ["属于国家秘密", "", ""]], page=1)
    lower = _part([["其他法律行政法规禁止公开", "1", "2"]], page=2)
    assert to_grid(join_tables(upper, lower)).texts() == [
        ["重复申请", "3", "4"],
        ["属于国家秘密", "", ""],
        ["其他法律行政法规禁止公开", "1", "2"],
    ]


def test_a_row_cut_by_the_page_break_is_mended_under_a_repeated_header() -> None:
    upper = _part([["事项", "自然人", "总计"], ["1.申请人无正", "1", "2"]], page=1)
    lower = _part(
        [["事项", "自然人", "总计"], ["当理由逾期不补正", "", ""], ["2.其他", "3", "4"]], 2
    )
    assert to_grid(join_tables(upper, lower)).texts() == [
        ["事项", "自然人", "总计"],
        ["1.申请人无正当理由逾期不补正", "1", "2"],
        ["事项", "自然人", "总计"],
        ["2.其他", "3", "4"],
    ]


def test_a_label_cut_by_the_break_under_a_repeated_header_is_whole_on_both_sides() -> None:
    def part(rows: list[list[str]], label: str, first: int, page: int) -> LTable:
        table = _part(rows, page)
        # Column 0 below the header is one merged label cell.
        table.cells = [c for c in table.cells if not (c.c0 == 0 and c.r0 >= first)]
        table.cells.append(LCell(first, len(rows), 0, 1, label))
        return table

    upper = part([["事项", "一", "总计"], ["", "1.本机关不掌握", "7"]], "（四）无", 1, 1)
    lower = part(
        [["事项", "一", "总计"], ["", "2.没有现成信息", "8"], ["", "3.补正后", "9"]], "法提供", 1, 2
    )
    rows = to_grid(join_tables(upper, lower)).texts()
    assert [r[0] for r in rows] == [
        "事项",
        "（四）无法提供",
        "事项",
        "（四）无法提供",
        "（四）无法提供",
    ]


def test_a_header_at_the_foot_of_a_page_is_not_merged_into_the_first_row() -> None:
    upper = _part([["事项", "自然人", "总计"]], page=1)
    lower = _part([["规章", "1", "2"]], page=2)
    assert to_grid(join_tables(upper, lower)).texts() == [
        ["事项", "自然人", "总计"],
        ["规章", "1", "2"],
    ]


def test_a_new_row_after_the_break_is_not_merged_even_when_blank() -> None:
    upper = _part([["1.信访举报投诉类申请", "1", "2"]], page=1)
    lower = _part([["2.重复申请", "", ""]], page=2)
    assert to_grid(join_tables(upper, lower)).texts() == [
        ["1.信访举报投诉类申请", "1", "2"],
        ["2.重复申请", "", ""],
    ]


def test_a_table_opening_with_a_section_title_row_is_not_a_continuation() -> None:
    upper = _part([["行政事业性收费", "1.5", ""]], page=1)
    lower = _part([["三、收到和处理政府信息公开申请情况", "", ""], ["事项", "自然人", "总计"]], 2)
    lower.cells = [c for c in lower.cells if not (c.r0 == 0 and c.c0 > 0)]
    lower.cells[0].c1 = 3  # the title spans the whole width
    assert not continues(upper, lower)
    part_two = _part([["第二十条第（八）项", "", ""], ["信息内容", "本年收费金额", ""]], 2)
    assert continues(upper, part_two)


def test_a_repeated_header_is_not_merged_into_the_last_row() -> None:
    upper = _part([["事项", "自然人", "总计"], ["1.其他", "1", "2"]], page=1)
    lower = _part([["事项", "自然人", "总计"], ["2.其他", "3", "4"]], page=2)
    assert to_grid(join_tables(upper, lower)).texts() == [
        ["事项", "自然人", "总计"],
        ["1.其他", "1", "2"],
        ["事项", "自然人", "总计"],
        ["2.其他", "3", "4"],
    ]
