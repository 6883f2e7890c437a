"""The pagination rules: the links to a list's other pages."""

from __future__ import annotations

import pytest

from crawler.discovery import filled_pages, is_page_option, is_pagination_link
from crawler.discovery.pagination import MAX_FILLED_PAGES, page_slot


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


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("2", "index_1.html", True),
        ("第3页", "http://x.gov.cn/xxgk/nb/index_2.html", True),
        ("4", "list.jsp?cat=12&page=4", True),
        ("2023年", "http://x.gov.cn/xxgk/nb/2023/", False),  # a year jumper, not a page
        ("请选择", "", False),
        ("5", "http://x.gov.cn/xxgk/nb/", False),  # a number, but no page in the URL
    ],
)
def test_select_page_jumper_options(text: str, value: str, expected: bool) -> None:
    assert is_page_option(text, value) is expected


def test_a_page_number_inside_a_path_parameter_is_a_page_of_the_list() -> None:
    from crawler.discovery import is_pagination_link

    assert is_pagination_link("3", "http://x.gov.cn/yjglj/nb.jsp;pageNo=3?year=2023")
    assert not is_pagination_link("3", "http://x.gov.cn/yjglj/nb.jsp;jsessionid=3?year=2023")


def test_the_next_page_of_an_article_is_the_same_file_with_the_next_suffix() -> None:
    from crawler.discovery import article_next_page

    page = "http://x.gov.cn/ndbg/202401/20240122093015.html"
    second = "http://x.gov.cn/ndbg/202401/20240122093015_2.html"
    assert article_next_page(page, [("2", second), ("下一页", second)]) == second
    third = "http://x.gov.cn/ndbg/202401/20240122093015_3.html"
    assert article_next_page(second, [("上一页", page), ("下一页", third)]) == third
    assert article_next_page(second, [("上一页", page), ("1", page)]) is None
    # another article of the list is no page of this one
    other = "http://x.gov.cn/ndbg/202401/t20240125_2.html"
    assert article_next_page(page, [("下一页", other)]) is None
    trs = "http://x.gov.cn/nb/202401/t20240125_3120441.html"
    assert (
        article_next_page(trs, [("下一篇", "http://x.gov.cn/nb/202401/t20240125_3120442.html")])
        is None
    )


@pytest.mark.parametrize(
    ("text", "href", "expected"),
    [
        ("2", "http://x.gov.cn/nb/index_p2.html", True),  # a page number inside the file name
        ("3", "http://x.gov.cn/nb/list-3.htm", True),
        ("3", "http://x.gov.cn/nb/index_2.html", True),  # counted from 0
        ("2", "http://x.gov.cn/nb/list.jsp?cid=7&pn=2", True),
        ("2", "http://x.gov.cn/nb/t20240125_88.html", False),  # a number, not this one
        ("2023", "http://x.gov.cn/nb/2023.html", False),  # a year is no page number
    ],
)
def test_a_page_number_is_one_of_the_link_file_names_numbers(
    text: str, href: str, expected: bool
) -> None:
    assert is_pagination_link(text, href) is expected


def test_the_next_page_of_a_directory_article_and_of_a_paged_query() -> None:
    from crawler.discovery import article_next_page

    folder = "http://x.gov.cn/zfxxgknb23/2301577/"
    assert article_next_page(folder, [("下一页", folder + "index_2.html")]) == (
        folder + "index_2.html"
    )
    assert article_next_page(folder + "index_2.html", [("1", folder)]) is None
    page = "http://x.gov.cn/nb/info.jsp?id=3301"
    assert article_next_page(page, [("下一页", page + "&page=2")]) == page + "&page=2"
    assert article_next_page(page + "&page=2", [("上一页", page), ("1", page)]) is None
    other = "http://x.gov.cn/nb/info.jsp?id=3390"
    assert article_next_page(page, [("下一页", other)]) is None  # another article


@pytest.mark.parametrize(
    ("url", "slot"),
    [
        ("http://x.gov.cn/nb/index_9.html", ("http://x.gov.cn/nb/index_{}.html", 9, 1)),
        ("http://x.gov.cn/nb/index_p9.html", ("http://x.gov.cn/nb/index_p{}.html", 9, 1)),
        (
            "http://x.gov.cn/nb/column-index-9.shtml",
            ("http://x.gov.cn/nb/column-index-{}.shtml", 9, 1),
        ),
        ("http://x.gov.cn/nb/9.html", ("http://x.gov.cn/nb/{}.html", 9, 1)),
        ("http://x.gov.cn/l.jsp?cat=3&page=9", ("http://x.gov.cn/l.jsp?cat=3&page={}", 9, 2)),
        (
            "http://x.gov.cn/nb.jsp;pageNo=9?year=2023",
            ("http://x.gov.cn/nb.jsp;pageNo={}?year=2023", 9, 2),
        ),
        ("http://x.gov.cn/nb/index.html", None),
        ("http://x.gov.cn/nb/", None),
    ],
)
def test_a_list_pages_url_names_its_number_in_one_place(
    url: str, slot: tuple[str, int, int] | None
) -> None:
    assert page_slot(url) == slot


def test_pages_between_the_first_and_the_last_linked_are_filled_in() -> None:
    # 首页 1 2 3 … 9 末页, TRS numbering (the link "2" is index_1.html)
    linked = [("首页", "http://x.gov.cn/nb/index.html"), ("2", "http://x.gov.cn/nb/index_1.html")]
    linked += [
        ("3", "http://x.gov.cn/nb/index_2.html"),
        ("末页", "http://x.gov.cn/nb/index_8.html"),
    ]
    filled = filled_pages("http://x.gov.cn/nb/index.html", linked)
    assert filled == [f"http://x.gov.cn/nb/index_{n}.html" for n in range(3, 8)]


def test_a_list_linking_only_its_last_page_gets_every_page() -> None:
    filled = filled_pages(
        "http://x.gov.cn/l.jsp?cat=3", [("末页", "http://x.gov.cn/l.jsp?cat=3&page=5")]
    )
    assert filled == [f"http://x.gov.cn/l.jsp?cat=3&page={n}" for n in (2, 3, 4)]


def test_numbering_is_read_from_the_link_texts() -> None:
    # "2" is index_2.html: pages count from their own number, there is no index_1.html
    linked = [("2", "http://x.gov.cn/nb/index_2.html"), ("尾页", "http://x.gov.cn/nb/index_5.html")]
    filled = filled_pages("http://x.gov.cn/nb/index.html", linked)
    assert filled == ["http://x.gov.cn/nb/index_3.html", "http://x.gov.cn/nb/index_4.html"]


def test_only_the_first_page_fills_in_and_never_past_the_bound() -> None:
    endless = [("末页", "http://x.gov.cn/nb/list_1000000.html")]
    assert len(filled_pages("http://x.gov.cn/nb/", endless)) == MAX_FILLED_PAGES
    # a later page would only extend the range again: an endless list ends at the bound
    later = [("下一页", "http://x.gov.cn/nb/list_8.html"), *endless]
    assert filled_pages("http://x.gov.cn/nb/list_7.html", later) == []
    # the first page itself is never among its own fills
    first = filled_pages(
        "http://x.gov.cn/nb/list_1.html", [("3", "http://x.gov.cn/nb/list_3.html")]
    )
    assert first == ["http://x.gov.cn/nb/list_2.html"]
