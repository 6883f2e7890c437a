"""The pagination rules: the links to a list's other pages."""

from __future__ import annotations

import pytest

from crawler.discovery import (
    is_pagination_link,
)


@pytest.mark.parametrize(
    ("text", "href", "expected"),
    [
        ("下一页", "index_2.html", True),
        ("尾页", "index_9.html", True),
        ("3", "index_2.html", True),
        ("3", "list.jsp?page=3", True),
        ("2023", "/xwdt/2023/", False),
        ("应急管理局", "index_2.html", False),
    ],
)
def test_pagination_links(text: str, href: str, expected: bool) -> None:
    assert is_pagination_link(text, href) is expected
