"""The document type comes from the bytes; names and content types never decide it."""

from __future__ import annotations

import io
import os
import quopri
import random
import zipfile
from pathlib import Path

import pytest

from demo import SAMPLES
from yingji_parser.errors import (
    CorruptDocument,
    EncryptedDocument,
    ParseError,
    TooLarge,
    UnsupportedFormat,
)
from yingji_parser.sniff import mht_html, sniff

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

OFFICE = FIXTURES / "office"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (SAMPLES / "seed000.docx", "docx"),
        (SAMPLES / "seed001.doc", "doc"),
        (SAMPLES / "seed002.pdf", "pdf"),
        (SAMPLES / "synth0.body.html", "html"),
        (SAMPLES / "seed000.txt", "text"),
        (OFFICE / "seed000.xlsx", "xlsx"),
        (OFFICE / "seed000.xls", "xls"),
        (OFFICE / "synth0.rtf", "doc"),
        (
            FIXTURES
            / "realpages"
            / "kirogovcompare"
            / "shuyang_fgj_2023_annual_report_saved_page.html",
            "html",
        ),
        (FIXTURES / "realpages" / "kirogovcompare" / "PROVENANCE.txt", "text"),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_each_sample_type_is_recognised_from_its_bytes(path: Path, expected: str) -> None:
    assert sniff(path.read_bytes()) == expected


@pytest.mark.parametrize(
    ("source", "filename", "content_type", "expected"),
    [
        ("seed000.docx", "report.doc", "application/msword", "docx"),  # a .doc that is DOCX
        ("seed000.pdf", "download.jsp", "application/octet-stream", "pdf"),
        ("seed000.doc", "report.docx", None, "doc"),
        ("seed000.pdf", "report.html", "text/html", "pdf"),
        ("seed000.body.html", "report.pdf", "application/pdf", "html"),
    ],
)
def test_mislabelled_files_are_recognised_by_content(
    source: str, filename: str, content_type: str | None, expected: str
) -> None:
    data = (SAMPLES / source).read_bytes()
    assert sniff(data, filename=filename, content_type=content_type) == expected


def test_word97_published_as_wps_is_labelled_wps() -> None:
    """Kingsoft WPS writes Word-97-compatible OLE files; the .wps name only sets the label."""
    assert sniff((SAMPLES / "seed000.doc").read_bytes(), filename="年报.wps") == "wps"


def test_pdf_after_leading_junk_is_still_a_pdf() -> None:
    data = (
        b"\xef\xbb\xbf\r\n  \x00junk from a broken server\n"
        + (SAMPLES / "seed000.pdf").read_bytes()
    )
    assert sniff(data) == "pdf"


def test_word_saved_web_page_named_doc_is_html() -> None:
    data = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset="gb2312">'
        "</head><body><p>2023年度报告</p><table><tr><td>1</td></tr></table></body></html>"
    ).encode("gb2312")
    assert sniff(data, filename="report.doc", content_type="application/msword") == "html"


def test_mht_single_file_web_page_is_html() -> None:
    data = (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart"\r\n\r\n'
        b'------=_NextPart\r\nContent-Type: text/html; charset="utf-8"\r\n\r\n<html></html>\r\n'
    )
    assert sniff(data, filename="report.doc") == "html"


def test_mht_html_part_is_unwrapped_for_the_html_reader() -> None:
    html = "<html><body><p>某区应急管理局2023年政府信息公开工作年度报告</p></body></html>"
    data = (
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; boundary="----=_NextPart_01"\r\n\r\n'
        b"------=_NextPart_01\r\nContent-Location: file:///C:/x.htm\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b'Content-Type: text/html; charset="gb2312"\r\n\r\n'
        + quopri.encodestring(html.encode("gb2312")).replace(b"\n", b"\r\n")
        + b"\r\n------=_NextPart_01--\r\n"
    )
    assert sniff(data, filename="report.doc") == "html"
    unwrapped = mht_html(data)
    assert unwrapped is not None
    body, charset = unwrapped
    assert charset == "gb2312"
    assert body.decode("gb2312").strip() == html
    assert mht_html(html.encode()) is None


def test_gb18030_plain_text_is_text() -> None:
    data = "某某区应急管理局2023年政府信息公开工作年度报告\n一、总体情况\n".encode("gb18030") * 20
    assert sniff(data) == "text"


def test_word_2003_xml_goes_to_libreoffice_as_doc() -> None:
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Word.Document"?>\n'
        b'<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"/>'
    )
    assert sniff(data) == "doc"


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"GIF89a" + b"\x00" * 64, "a GIF image"),
        (b"Rar!\x1a\x07\x00" + b"\x00" * 64, "a RAR archive"),
    ],
)
def test_images_and_archives_are_refused_with_what_they_are(data: bytes, what: str) -> None:
    with pytest.raises(UnsupportedFormat, match=f"^{what}, not a report document"):
        sniff(data, filename="report.pdf", content_type="application/pdf")


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64],
)
def test_png_and_jpeg_are_page_images_for_ocr(data: bytes) -> None:
    assert sniff(data, filename="report.pdf") == "image"


def test_encrypted_ooxml_is_refused_as_encrypted() -> None:
    with pytest.raises(EncryptedDocument, match="password"):
        sniff((OFFICE / "encrypted.docx").read_bytes(), filename="report.docx")


def test_encrypted_word97_is_refused_as_encrypted() -> None:
    with pytest.raises(EncryptedDocument, match="Word 97"):
        sniff((OFFICE / "encrypted.doc").read_bytes())


def test_empty_input_is_refused() -> None:
    with pytest.raises(UnsupportedFormat, match="empty"):
        sniff(b"")


def test_random_bytes_are_refused() -> None:
    rng = random.Random(7)
    for _ in range(20):
        data = bytes(rng.getrandbits(8) for _ in range(2000))
        with pytest.raises(ParseError):
            sniff(data)


def test_zip_without_office_parts_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("photos/a.jpg", b"\xff\xd8\xff")
    with pytest.raises(UnsupportedFormat, match="ZIP archive"):
        sniff(buf.getvalue())


def test_truncated_docx_is_corrupt() -> None:
    data = (SAMPLES / "seed000.docx").read_bytes()
    with pytest.raises(CorruptDocument):
        sniff(data[: len(data) // 2])


def test_truncated_ole_file_is_corrupt_not_a_crash() -> None:
    data = (SAMPLES / "seed000.doc").read_bytes()
    with pytest.raises(ParseError):
        sniff(data[:600])


def test_binary_junk_with_nul_bytes_is_not_text() -> None:
    with pytest.raises(UnsupportedFormat):
        sniff(b"\x00\x01\x02\x03" * 500 + os.urandom(16))


def test_oversized_input_is_refused_before_sniffing() -> None:
    data = b"%PDF-1.7\n" + b"\0" * (60 * 1024 * 1024)
    with pytest.raises(TooLarge, match=r"60\.0 MB"):
        sniff(data, filename="big.pdf")


def test_gbk_page_with_a_few_broken_bytes_is_still_html() -> None:
    page = "<html><head><title>应急管理局2023年年报</title></head><body><p>正文</p></body></html>"
    data = page.encode("gbk").replace("正文".encode("gbk"), b"\xff\xfe\x80")
    assert sniff(data) == "html"


def test_text_with_a_stray_undecodable_byte_is_still_text() -> None:
    data = ("二、主动公开政府信息情况\n" * 40).encode("utf-8") + b"\xff" + "结束\n".encode()
    assert sniff(data) == "text"


def test_utf16_html_with_bom_is_html() -> None:
    data = "<html><body><table><tr><td>规章</td></tr></table></body></html>".encode("utf-16")
    assert sniff(data) == "html"
