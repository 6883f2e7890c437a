"""DOCX into the shared grid: complete cell texts, merges expanded, body order, bombs refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from demo import SAMPLES
from yingji_parser.errors import CorruptDocument, TooLarge
from yingji_parser.formats import docx
from yingji_parser.grid import Cell, Document, Paragraph, Table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

OFFICE = FIXTURES / "office"


@pytest.fixture(scope="module")
def quirks() -> Document:
    return docx.read((OFFICE / "quirks.docx").read_bytes())


def cells(table: Table) -> list[list[tuple[str, bool]]]:
    return [[(c.text, c.merged) for c in row] for row in table.rows]


def test_text_in_nested_runs_is_complete_and_deleted_text_is_not(quirks: Document) -> None:
    """hyperlink, smartTag, ins, run-level sdt and fldSimple hold text; w:del does not count."""
    assert quirks.paragraphs[0] == "示例区应急管理局2023年政府信息公开工作年度报告"


def test_breaks_tabs_and_field_results_are_kept_field_codes_are_not(quirks: Document) -> None:
    assert quirks.paragraphs[1] == "第一行\n第二行\t制表\n第三行7"


def test_text_box_is_read_once_not_from_its_fallback_copy(quirks: Document) -> None:
    assert quirks.paragraphs.count("文本框") == 1


def test_tab_stop_definitions_are_not_text(quirks: Document) -> None:
    assert "表一" in quirks.paragraphs


def test_core_properties_title_is_a_title_hint(quirks: Document) -> None:
    assert quirks.title_hints == ["示例区应急管理局2023年政府信息公开工作年度报告"]


def test_blocks_keep_body_order(quirks: Document) -> None:
    kinds = ["P" if isinstance(b, Paragraph) else "T" for b in quirks.blocks]
    assert kinds == ["P", "P", "P", "P", "T", "T", "T", "T", "T", "P"]
    assert quirks.blocks[-1] == Paragraph("结束")


def test_vertical_and_horizontal_merges_are_expanded(quirks: Document) -> None:
    table = quirks.tables[0]
    assert cells(table)[:2] == [
        [("信息内容", False), ("件数", False), ("件数", True), ("件数", True)],
        [("信息内容", True), ("本年制发", False), ("本年废止", False), ("现行有效", False)],
    ]


def test_deleted_row_is_dropped_and_short_row_is_padded(quirks: Document) -> None:
    table = quirks.tables[0]
    assert [r[0].text for r in table.rows].count("已删除的行") == 0
    assert cells(table)[3] == [("行政规范性文件", False), ("4", False), ("5", False), ("6", False)]
    # a vMerge continuation (bare <w:vMerge/> and val="continue") repeats the cell above
    assert cells(table)[4] == [("行政规范性文件", True), ("7", False), ("", False), ("", False)]


def test_grid_before_and_after_shift_cells_to_their_columns(quirks: Document) -> None:
    assert cells(quirks.tables[0])[5] == [
        ("", False),
        ("前空", False),
        ("后空", False),
        ("", False),
    ]


def test_legacy_hmerge_and_multi_paragraph_cells(quirks: Document) -> None:
    assert cells(quirks.tables[0])[6] == [
        ("旧式", False),
        ("旧式", True),
        ("第一段\n第二段", False),
        ("软\n换行", False),
    ]


def test_every_row_has_the_table_width(quirks: Document) -> None:
    for table in quirks.tables:
        assert len({len(r) for r in table.rows}) == 1


def test_tables_and_rows_inside_content_controls_are_read(quirks: Document) -> None:
    assert quirks.tables[1].texts() == [["内容控件表", "10"], ["控件行", "11"]]


def test_nested_table_is_kept_in_its_cell_and_as_its_own_table(quirks: Document) -> None:
    assert quirks.tables[2].texts() == [["外层", "内1\t内2"]]
    assert quirks.tables[3].texts() == [["内1", "内2"]]


def test_sliver_grid_column_is_dropped_and_cells_stay_under_their_headers(quirks: Document) -> None:
    """A 2-twip grid column (LibreOffice makes these) must not become a phantom column."""
    assert quirks.tables[4].texts() == [["甲", "乙", "丙"], ["1", "2", "3"]]
    assert not any(c.merged for row in quirks.tables[4].rows for c in row)


def test_sample_docx_tables_have_the_official_shape() -> None:
    doc = docx.read((SAMPLES / "synth1.docx").read_bytes())
    assert doc.doc_type == "docx"
    assert doc.paragraphs[0].endswith("政府信息公开工作年度报告")
    t2, t3, t4 = doc.tables
    assert t2.texts()[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert t3.width == 10 and len(t3.rows) == 28
    assert t3.rows[3][0] == Cell("一、本年新收政府信息公开申请数量")
    assert t3.rows[3][1] == Cell("一、本年新收政府信息公开申请数量", merged=True)
    assert t3.rows[7][:3] == [
        Cell("三、本年度办理结果", merged=True),
        Cell("（三）不予公开"),
        Cell("1.属于国家秘密"),
    ]
    assert t4.width == 15 and len(t4.rows) == 4
    assert t4.texts()[0][:6] == ["行政复议"] * 5 + ["行政诉讼"]


def _zip(entries: dict[str, bytes], level: int = 9) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_bomb_is_refused_before_extraction() -> None:
    """300 MB of zeros compressed to ~300 KB: refused from the central directory alone."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(block)
    data = buf.getvalue()
    assert len(data) < 2_000_000
    with pytest.raises(TooLarge, match="zip bomb"):
        docx.read(data)


def test_docx_without_main_part_is_corrupt() -> None:
    with pytest.raises(CorruptDocument, match="main document"):
        docx.read(_zip({"[Content_Types].xml": b"<Types/>"}))


def test_damaged_document_xml_is_corrupt() -> None:
    with pytest.raises(CorruptDocument):
        docx.read(_zip({"word/document.xml": b"\x00\xffnot xml at all"}))


def test_external_entities_are_refused_and_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>a&x;b</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    with pytest.raises(CorruptDocument, match="declares XML entities") as err:
        docx.read(_zip({"word/document.xml": xml}))
    assert "TOPSECRET" not in str(err.value)


def test_html_imported_through_altchunk_is_read_in_place() -> None:
    """CMS exports wrap the report as an HTML part that Word imports (w:altChunk)."""
    doc = docx.read((OFFICE / "altchunk.docx").read_bytes())
    kinds = ["P" if isinstance(b, Paragraph) else "T" for b in doc.blocks]
    assert kinds[0] == "P" and kinds[-1] == "P" and kinds.count("T") == 1
    assert doc.paragraphs[0] == "前言" and doc.paragraphs[-1] == "后记"
    assert doc.tables[0].texts() == [
        ["信息内容", "本年处理决定数量", "本年处理决定数量"],
        ["信息内容", "许可", "处罚"],
        ["行政许可", "12", "3"],
    ]
    assert "导入区应急管理局2022年政府信息公开工作年度报告" in doc.title_hints


def test_altchunk_pointing_nowhere_is_skipped() -> None:
    xml = (
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<w:body><w:altChunk r:id="missing"/><w:p><w:r><w:t>x</w:t></w:r></w:p></w:body>'
        b"</w:document>"
    )
    assert docx.read(_zip({"word/document.xml": xml})).blocks == [Paragraph("x")]


def test_real_word_template_of_the_2021_format() -> None:
    """A template as agencies download it: split header cells keep their line break."""
    path = (
        FIXTURES / "realpages" / "govnianbao" / "zhengwu_gongkai_nianbao_template_2021format.docx"
    )
    doc = docx.read(path.read_bytes())
    t2, t3, t4 = doc.tables
    assert (t2.width, len(t2.rows)) == (4, 14)
    assert t2.rows[6] == [Cell("行政许可"), Cell("")] + [Cell("", merged=True)] * 2
    assert (t3.width, len(t3.rows)) == (10, 28)
    assert t3.texts()[2][3:] == [
        "自然人",
        "商业\n企业",
        "科研\n机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert t3.rows[2][3] == Cell("自然人", merged=True)  # vertical merge from the row above
    assert (t4.width, len(t4.rows)) == (15, 4)
    assert t4.rows[2][0] == Cell("结果维持", merged=True)
    assert t4.texts()[3] == [""] * 15


def test_word_list_numbers_are_part_of_the_text() -> None:
    """Headings and row labels numbered by Word lists read as displayed: 一、 （一） 1."""
    doc = docx.read((OFFICE / "numbered.docx").read_bytes())
    assert doc.paragraphs == [
        "一、总体情况",  # numbered through its paragraph style
        "（一）主动公开",
        "（二）依申请公开",
        "二、主动公开政府信息情况",  # the higher level restarts the lower one
        "要点",  # a bullet adds nothing
        "三、收到和处理政府信息公开申请情况",
    ]
    assert [row[0] for row in doc.tables[0].texts()] == [
        "1.属于国家秘密",
        "2.其他法律行政法规禁止公开",
        "1.本机关不掌握相关政府信息",  # another list instance starts again
    ]


@pytest.mark.parametrize(
    ("n", "fmt", "shown"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (12, "chineseCountingThousand", "十二"),
        (20, "chineseCounting", "二十"),
        (105, "chineseCounting", "一百零五"),
        (3, "chineseLegalSimplified", "叁"),
        (2, "ideographTraditional", "乙"),
        (3, "decimalEnclosedCircle", "③"),
        (4, "upperLetter", "D"),
        (9, "lowerRoman", "ix"),
        (7, "decimal", "7"),
        (5, "decimalFullWidth", "５"),
    ],
)
def test_list_number_formats(n: int, fmt: str, shown: str) -> None:
    assert docx.format_number(n, fmt) == shown


def test_word_file_of_pictures_only_is_flagged_for_ocr() -> None:
    doc = docx.read((OFFICE / "scanned.docx").read_bytes())
    assert doc.has_text_layer is False
    assert docx.read((OFFICE / "quirks.docx").read_bytes()).has_text_layer is True


def test_one_column_frame_tables_are_unwrapped_into_reading_order() -> None:
    doc = docx.read((OFFICE / "framed.docx").read_bytes())
    assert doc.blocks == [
        Paragraph("框内区应急管理局2023年政府信息公开工作年度报告"),
        Paragraph("一、总体情况"),
        Paragraph("正文"),
        Paragraph("二、主动公开政府信息情况"),
        Table(rows=[[Cell("规章"), Cell("3")], [Cell("行政规范性文件"), Cell("4")]]),
    ]


def test_pathologically_nested_xml_is_refused_not_a_crash() -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    depth = 3000
    xml = (
        f'<w:document xmlns:w="{w}"><w:body>'
        + "<w:sdt><w:sdtContent>" * depth
        + "<w:p/>"
        + "</w:sdtContent></w:sdt>" * depth
        + "</w:body></w:document>"
    ).encode()
    with pytest.raises(CorruptDocument):
        docx.read(_zip({"word/document.xml": xml}))
