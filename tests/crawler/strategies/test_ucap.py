"""Ucap 集约化: the article in <ucaptitle>/<ucapcontent>."""

from __future__ import annotations

from pathlib import Path

from parsel import Selector

from crawler.strategies import (
    ucap,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "realpages"


def test_ucap_title_on_a_real_saved_page() -> None:
    text = (
        FIXTURES / "kirogovcompare" / "shuyang_fgj_2023_annual_report_saved_page.html"
    ).read_text("utf-8")
    sel = Selector(text=text)
    assert ucap.applies("http://x.gov.cn/art/1.html", text)
    assert ucap.article_title(sel) == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert ucap.has_body_text(sel)
