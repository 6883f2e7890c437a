"""Every sample, as text and as an HTML article, parses to its NAME.json exactly.

The text samples carry their title, so every key of the JSON is compared. The ``.body.html``
samples are the article body alone (sites put the title outside it), so they are compared on
the tables and the format, and then again wrapped in the page chrome of the CMS families seen in
the wild, where the title comes from the page: then every key must match.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from yingji_parser import parse_document
from yingji_parser.formats import html

from .conftest import SAMPLES, assert_record_matches, expected

TEXT_SAMPLES = ["seed000", "seed001", "seed002"]
HTML_SAMPLES = ["seed000", "seed001", "seed002", "synth0", "synth1", "synth2", "synth3"]
TABLE_KEYS = ("template", "active_disclosure", "applications", "review_litigation")


@pytest.mark.parametrize("name", TEXT_SAMPLES)
def test_text_sample_parses_to_its_json(name: str) -> None:
    result = parse_document((SAMPLES / f"{name}.txt").read_bytes(), filename=f"{name}.txt")
    assert result.doc_type == "text"
    assert result.status == "parsed"
    assert_record_matches(result.record, expected(name))


@pytest.mark.parametrize("name", HTML_SAMPLES)
def test_html_body_sample_parses_to_its_json(name: str) -> None:
    result = parse_document((SAMPLES / f"{name}.body.html").read_bytes())
    assert result.doc_type == "html"
    assert result.status == "parsed"
    assert_record_matches(result.record, expected(name), TABLE_KEYS)


def trs_page(title: str, body: str) -> str:
    """A TRS article page: title in <title> with the site's suffix, body in .TRS_Editor."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<title>{title}_某某区人民政府</title><meta name="ArticleTitle" content="{title}">
</head><body><div class="nav"><a href="/">首页</a> &gt; <a href="../">政府信息公开年报</a></div>
<table class="xxgk"><tr><td>索引号</td><td>11410000/2024-00012</td><td>发布日期</td>
<td>2024-01-20</td></tr></table>
<h1 class="title">{title}</h1><div class="TRS_Editor">{body}</div>
<ul class="related"><li><a href="t1.html">2022年政府信息公开工作年度报告</a></li></ul>
<div class="footer">版权所有 主办单位：某某区人民政府办公室</div></body></html>"""


def hanweb_page(title: str, body: str) -> str:
    """A Hanweb page: layout tables around everything, the article in #zoom."""
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{title}</title></head><body><table width="1000"><tr><td>
<table><tr><td class="menu">首页 | 政务公开 | 互动交流</td></tr></table>
<table><tr><td><div class="bt">{title}</div><div id="zoom">{body}</div></td></tr></table>
</td></tr></table><script>var x = "一、总体情况";</script></body></html>"""


def unknown_page(title: str, body: str) -> str:
    """A CMS never seen: no known class or id; the report must be found by its content."""
    return f"""<html><head><title>信息公开</title></head><body>
<div class="hd"><div class="logo">政务网</div><div class="search">搜索</div></div>
<div class="main-x"><div class="left"><ul><li>机构职能</li><li>年度报告</li></ul></div>
<div class="right"><div class="ttl"><p>{title}</p></div><div class="cnt">{body}</div></div>
</div><div class="ft">网站标识码 4103060001</div></body></html>"""


PAGES: dict[str, Callable[[str, str], str]] = {
    "trs": trs_page,
    "hanweb": hanweb_page,
    "unknown": unknown_page,
}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("name", HTML_SAMPLES)
def test_sample_in_cms_page_parses_to_its_json(name: str, page: str) -> None:
    want = expected(name)
    body = (SAMPLES / f"{name}.body.html").read_text(encoding="utf-8")
    data = PAGES[page](want["title"], body).encode("utf-8")
    result = parse_document(data, filename="index.html", content_type="text/html")
    assert result.status == "parsed"
    assert_record_matches(result.record, want)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_chrome_is_not_read_as_report_text(page: str) -> None:
    body = (SAMPLES / "synth0.body.html").read_text(encoding="utf-8")
    doc = html.read(PAGES[page](expected("synth0")["title"], body).encode("utf-8"))
    text = "\n".join(doc.paragraphs)
    for chrome in ("首页", "版权所有", "网站标识码", "索引号", "机构职能"):
        assert chrome not in text
    assert len(doc.tables) == 3


def test_word_web_archive_served_as_doc_parses_like_its_html() -> None:
    """Word's single-file web page (MHT, quoted-printable, GB2312) often comes named .doc."""
    import quopri

    body = (SAMPLES / "seed001.body.html").read_text(encoding="utf-8")
    page = f'<html><head><meta charset="gb2312"></head><body>{body}</body></html>'
    data = (
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; boundary="----=_NextPart_01"\r\n\r\n'
        b"------=_NextPart_01\r\nContent-Location: file:///C:/report.htm\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b'Content-Type: text/html; charset="gb2312"\r\n\r\n'
        + quopri.encodestring(page.encode("gb18030")).replace(b"\n", b"\r\n")
        + b"\r\n------=_NextPart_01--\r\n"
    )
    result = parse_document(data, filename="report.doc", content_type="application/msword")
    assert result.doc_type == "html"
    assert result.status == "parsed"
    assert_record_matches(result.record, expected("seed001"), TABLE_KEYS)
