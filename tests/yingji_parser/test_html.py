"""HTML reader: the report found among page chrome, merged cells expanded, any charset."""

from __future__ import annotations

import pytest

from yingji_parser import parse_document
from yingji_parser.errors import TooLarge
from yingji_parser.formats import ReadHints, html
from yingji_parser.grid import Cell

from .conftest import QUIRKS, REALPAGES, SAMPLES, expected

SHUYANG = REALPAGES / "kirogovcompare" / "shuyang_fgj_2023_annual_report_saved_page.html"


def test_rowspan_and_colspan_are_expanded_with_copies_marked_merged() -> None:
    doc = html.read(
        b"<table><tr><td rowspan=2>A</td><td colspan=2>B</td></tr>"
        b"<tr><td>1</td><td>2</td></tr><tr><td>x</td><td></td><td>3</td></tr></table>"
    )
    (table,) = doc.tables
    assert table.rows == [
        [Cell("A"), Cell("B"), Cell("B", merged=True)],
        [Cell("A", merged=True), Cell("1"), Cell("2")],
        [Cell("x"), Cell(""), Cell("3")],
    ]


def test_absurd_spans_are_capped_not_expanded() -> None:
    doc = html.read(b'<table><tr><td colspan="99999999" rowspan="99999">x</td></tr></table>')
    (table,) = doc.tables
    assert table.width == html.MAX_WIDTH and len(table.rows) == 1


def test_a_page_of_huge_tables_is_refused_not_expanded() -> None:
    row = b"<tr>" + b'<td colspan="60">1</td>' + b"</tr>"
    page = (b"<table>" + row * 900 + b"</table>") * 5  # 270,000 cells once expanded
    with pytest.raises(TooLarge):
        html.read(page)


def test_text_split_across_spans_is_joined_and_br_is_a_line_break() -> None:
    doc = html.read(
        "<table><tr><td><p><span>行</span><span>政复议</span><o:p></o:p></p></td>"
        "<td><span>1</span><span>2</span></td><td>商业<br>企业</td></tr></table>".encode()
    )
    assert doc.tables[0].texts() == [["行政复议", "12", "商业\n企业"]]


def test_real_jiangsu_page_saved_with_its_chrome() -> None:
    """沭阳县发改局 2023: 规范性文件 label, 法人 columns blank (null), 四 = 0 0 0 1 1 | 0… ."""
    result = parse_document(SHUYANG.read_bytes(), content_type="text/html; charset=utf-8")
    rec = result.record
    assert result.status == "parsed"
    assert rec["title"] == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert rec["agency"] == "沭阳县发展和改革局" and rec["year"] == 2023
    assert rec["active_disclosure"]["normative_documents"] == {
        "issued": 8,
        "repealed": 0,
        "in_force": 18,
    }
    new = rec["applications"]["new"]
    assert new == {
        "natural_person": 26,
        "commercial": None,
        "research": None,
        "social_welfare": None,
        "legal_service": None,
        "other_org": None,
        "total": 26,
    }
    assert rec["applications"]["handled_total"]["total"] == 26
    assert rec["review_litigation"] == {
        "review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},
        "litigation_direct": dict.fromkeys(("upheld", "corrected", "other", "pending", "total"), 0),
        "litigation_after_review": dict.fromkeys(
            ("upheld", "corrected", "other", "pending", "total"), 0
        ),
    }
    assert rec["sections"]["other"] == "2023年度，县发展和改革局政府信息公开未发生收费情况。"
    # the metadata table of the page (索引号, 发布机构 …) is chrome, not the report
    assert len(html.read(SHUYANG.read_bytes()).tables) == 3
    codes = {w.code for w in result.warnings}
    assert "check_failed" not in codes and "check_skipped" in codes


def test_gbk_page_declaring_charset_in_meta_only() -> None:
    result = parse_document((QUIRKS / "gbk_meta_charset.html").read_bytes())
    want = expected("seed000")
    assert result.record["title"] == want["title"]
    assert result.record["applications"] == want["applications"]


def test_gbk_page_declaring_nothing_is_not_read_as_utf8() -> None:
    data = (QUIRKS / "gbk_undeclared.html").read_bytes()
    assert b"charset" not in data
    result = parse_document(data)
    assert result.record["agency"] == "孟津区应急管理局"
    assert result.record["active_disclosure"] == expected("seed000")["active_disclosure"]


def test_http_charset_hint_wins_over_guessing() -> None:
    body = "<p>孟津区应急管理局2023年政府信息公开工作年度报告</p>".encode("gb18030")
    doc = html.read(body, ReadHints("html", content_type="text/html; charset=GBK"))
    assert doc.paragraphs == ["孟津区应急管理局2023年政府信息公开工作年度报告"]


def test_word_pasted_html_with_split_digits_and_two_line_headers() -> None:
    result = parse_document((QUIRKS / "word_pasted.html").read_bytes())
    want = expected("synth2")
    for key in ("active_disclosure", "applications", "review_litigation", "agency", "year"):
        assert result.record[key] == want[key], key


def test_scripts_and_styles_are_not_text() -> None:
    doc = html.read(
        b"<html><head><style>p{}</style></head><body><script>var a='x';</script>"
        b"<p>hello</p></body></html>"
    )
    assert doc.paragraphs == ["hello"]


def test_empty_and_garbage_html_give_an_empty_document_or_a_parse_error() -> None:
    assert html.read(b"<html></html>").blocks == []
    assert html.read(b"<p>\xff\xfe\x00garbage").blocks is not None


def _old_report_page(container: str) -> bytes:
    return f"""<html><head><title>门户网站</title></head><body>
<div class="menu"><a href="/">首页</a><a href="/xxgk">信息公开</a></div>
{container}
<div class="footer">版权所有：某县人民政府 地址：人民路1号</div></body></html>""".encode()


def test_text_only_report_in_a_known_cms_container_without_the_chrome() -> None:
    body = (
        "<p>某县安全生产监督管理局2017年政府信息公开工作年度报告</p><p>全年主动公开信息56条。</p>"
    )
    for container in (
        f'<div class="TRS_Editor">{body}</div>',
        f'<div id="zoom">{body}</div>',
        f"<div><!--ContentStart-->{body}<!--ContentEnd--></div>",
    ):
        result = parse_document(_old_report_page(container))
        assert result.status == "unstructured"
        assert result.record["year"] == 2017
        text = result.record["unstructured_text"]
        assert "全年主动公开信息56条" in text
        assert "版权所有" not in text and "首页" not in text


def test_a_menu_table_mentioning_a_report_word_is_not_taken_for_the_report() -> None:
    body = (SAMPLES / "synth0.body.html").read_text(encoding="utf-8")
    title = expected("synth0")["title"]
    page = f"""<html><body><table class="menu"><tr><td><a href="/fy">行政复议</a></td>
<td><a href="/nb/2022.html">栾川县应急管理局2021年政府信息公开工作年度报告</a></td></tr></table>
<div class="article"><h2>{title}</h2><div class="body">{body}</div></div></body></html>"""
    result = parse_document(page.encode())
    assert result.record["title"] == title
    assert "行政复议" not in (result.record["sections"]["overview"] or "")


@pytest.mark.timeout(60)
def test_thousands_of_heading_like_lines_in_one_block_do_not_hang() -> None:
    """Each block's text is measured once (this page took over 300 s when it was not)."""
    page = ("<html><body>" + "一、总体情况<br>" * 50_000 + "</body></html>").encode()
    assert parse_document(page).status == "unstructured"
