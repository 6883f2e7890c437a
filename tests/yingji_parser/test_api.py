"""parse_document: statuses, the record's shape, refusals, and the `yingji parse` command."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.cli import main
from yingji_parser import PARSER_VERSION, ParseError, parse_document
from yingji_parser.api import build_result
from yingji_parser.grid import Document, Paragraph, table_from_texts

from .conftest import QUIRKS, REALPAGES, SAMPLES

RECORD_KEYS = {"agency", "region", "year", "title", "template", "active_disclosure",
               "applications", "review_litigation", "sections", "warnings",
               "parser_version"}  # fmt: skip


def test_parsed_record_has_every_key_and_is_json() -> None:
    result = parse_document((SAMPLES / "seed001.txt").read_bytes())
    assert result.status == "parsed"
    assert set(result.record) == RECORD_KEYS
    assert result.record["region"] is None
    assert result.record["parser_version"] == result.parser_version == PARSER_VERSION
    assert json.loads(json.dumps(result.to_dict(), ensure_ascii=False))["status"] == "parsed"
    sections = result.record["sections"]
    assert sections["overview"].startswith("(一) 主动公开")
    assert sections["problems"].startswith("（一）存在的主要问题")
    assert "信息处理费" in sections["other"]


def test_warnings_are_in_the_record_as_objects() -> None:
    result = parse_document((SAMPLES / "seed002.txt").read_bytes())
    assert result.record["warnings"] == [
        {"code": "agency_incomplete", "message": result.warnings[0].message, "where": "agency"}
    ]


def test_a_missing_section_makes_the_parse_partial() -> None:
    text = (QUIRKS / "shortened_label.txt").read_text(encoding="utf-8")
    cut = text[: text.index("四、政府信息公开行政复议")]
    result = parse_document(cut.encode())
    assert result.status == "partial"
    assert "section_missing" in [w.code for w in result.warnings]
    assert set(result.record["review_litigation"]["review"].values()) == {None}


def test_report_without_format_tables_is_unstructured_and_keeps_its_text() -> None:
    title = "某县安全生产监督管理局2016年政府信息公开工作年度报告"
    data = f"{title}\n\n一、概述\n\n全年主动公开信息120条。\n"
    result = parse_document(data.encode())
    assert result.status == "unstructured"
    assert result.record["template"] is None
    assert result.record["year"] == 2016
    assert "全年主动公开信息120条" in result.record["unstructured_text"]
    assert result.record["applications"] is None


def test_report_before_2019_is_unstructured_even_with_tables() -> None:
    text = (SAMPLES / "seed000.txt").read_text(encoding="utf-8").replace("2023", "2017")
    result = parse_document(text.encode())
    assert result.status == "unstructured"
    assert "第二十条第（一）项" in result.record["unstructured_text"]


def test_scan_without_text_layer_needs_ocr() -> None:
    doc = Document(doc_type="pdf", pages=3, has_text_layer=False, title_hints=["扫描件"])
    result = build_result(doc)
    assert result.status == "needs_ocr"
    assert result.record["applications"] is None
    assert [w.code for w in result.warnings] == ["title_missing", "year_missing", "needs_ocr"]


def test_reader_notes_become_warnings() -> None:
    doc = Document(
        doc_type="pdf",
        blocks=[Paragraph("一、总体情况"), table_from_texts([["规章", "0", "0", "0"]])],
        notes=[("page_footer_dropped", "page number 3 inside table 三 dropped")],
    )
    result = build_result(doc)
    assert result.warnings[0].code == "page_footer_dropped"


@pytest.mark.parametrize(
    "data", [b"", b"\x00\x01\x02\x03" * 100, b"%PDF-1.7\n%garbage", b"PK\x03\x04broken zip"]
)
def test_unreadable_bytes_raise_parse_error_with_a_reason(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_document(data)
    assert str(info.value)


_PREFIXES = st.sampled_from(
    [b"", b"<html><table><tr><td>", b"\t", "一、\t三、".encode(), b"\xef\xbb\xbf"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=_PREFIXES, body=st.binary(max_size=600))
def test_arbitrary_bytes_give_a_result_or_a_parse_error(prefix: bytes, body: bytes) -> None:
    try:
        result = parse_document(prefix + body)
    except ParseError:
        return
    assert result.status in ("parsed", "partial", "unstructured", "needs_ocr")
    json.dumps(result.record)


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=0, max_value=8000), junk=st.binary(max_size=40))
def test_truncated_or_corrupted_reports_never_crash(cut: int, junk: bytes) -> None:
    data = (SAMPLES / "seed000.txt").read_bytes()
    with contextlib.suppress(ParseError):
        parse_document(data[:cut] + junk + data[cut + len(junk) :])


# --- yingji parse ------------------------------------------------------------------------------


def test_cli_one_file_prints_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(SAMPLES / "seed000.txt")]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["agency"] == "孟津区应急管理局" and obj["status"] == "parsed"


def test_cli_several_files_one_line_each_and_bad_ones_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "download.jsp"
    bad.write_bytes(b"%PDF-1.4\nnot really a pdf")
    missing = tmp_path / "missing.pdf"
    files = [
        str(SAMPLES / "seed000.txt"),
        str(bad),
        str(missing),
        str(SAMPLES / "synth0.body.html"),
    ]
    assert main(["parse", *files]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["doc_type"] for line in lines] == ["text", "html"]
    err_lines = err.splitlines()
    assert len(err_lines) == 2
    assert str(bad) in err_lines[0] and str(missing) in err_lines[1]


def test_the_blank_official_template_is_found_and_every_value_is_null() -> None:
    """The 2021 template as published (a DOCX with empty cells): blank is null, never 0."""
    path = REALPAGES / "govnianbao" / "zhengwu_gongkai_nianbao_template_2021format.docx"
    result = parse_document(path.read_bytes())
    rec = result.record
    assert result.status == "parsed" and rec["template"] == "2021"
    values = [v for row in rec["applications"].values() for v in row.values()]
    values += [v for row in rec["review_litigation"].values() for v in row.values()]
    values += [rec["active_disclosure"]["licensing"], rec["active_disclosure"]["fees"]]
    assert len(values) == 25 * 7 + 15 + 2 and set(values) == {None}
    assert "check_failed" not in [w.code for w in result.warnings]


def test_heading_run_onto_the_title_line_still_opens_its_section() -> None:
    doc = Document(
        doc_type="pdf",
        blocks=[
            Paragraph("栾川县应急管理局2022年政府信息公开工作年度报告一、总体情况"),
            Paragraph("我局严格落实《条例》。"),
            Paragraph("五、存在的主要问题及改进情况"),
            Paragraph("无。"),
        ],
    )
    result = build_result(doc)
    assert result.record["title"] == "栾川县应急管理局2022年政府信息公开工作年度报告"
    assert result.record["sections"]["overview"] == "我局严格落实《条例》。"
    assert result.record["sections"]["problems"] == "无。"


def test_text_around_tables_that_are_pictures_needs_ocr() -> None:
    doc = Document(
        doc_type="pdf",
        blocks=[
            Paragraph("某县应急管理局2023年政府信息公开工作年度报告"),
            Paragraph("一、总体情况"),
        ],
        notes=[
            ("pdf_tables_as_images", "no ruled table in the text layer; 2 pages carry pictures")
        ],
    )
    result = build_result(doc)
    assert result.status == "needs_ocr"
    assert result.record["year"] == 2023
    assert [w.code for w in result.warnings] == ["pdf_tables_as_images", "needs_ocr"]
