"""Jiangsu 集约化 (开普云 Ucap): the article lives in ``<ucaptitle>`` and ``<ucapcontent>``.

The content may be empty with only a 文件下载 attachment ("正文为空是正常现象"), so an
article's body counts as a report page only together with its attachments.
"""

from __future__ import annotations

from parsel import Selector

from crawler.discovery import normalise_title
from crawler.strategies.base import Listing

NAME = "ucap"
FOLLOWUP_KINDS: dict[str, str] = {}


def applies(url: str, text: str) -> bool:
    return "<ucapcontent" in text.lower()


def article_title(sel: Selector) -> str | None:
    return normalise_title(" ".join(sel.css("ucaptitle ::text").getall())) or None


def has_body_text(sel: Selector) -> bool:
    """Whether ``<ucapcontent>`` holds text (not only an attachment link)."""
    return len(normalise_title(" ".join(sel.css("ucapcontent ::text").getall()))) > 50


def extract(url: str, text: str, sel: Selector) -> Listing:
    """Ucap lists are ordinary links (the generic reading); only its articles differ."""
    return Listing()


def parse_followup(kind: str, url: str, text: str, formdata: dict[str, str]) -> Listing:
    raise KeyError(kind)
