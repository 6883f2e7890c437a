"""What a page's state says about the column it belongs to and the year it is for: the run
record's "what was tried" for a site with none found (issue 9)."""

from __future__ import annotations

from crawler.discovery import ColumnKind
from crawler.sitestate import SiteState
from crawler.spiders.state import PageState, column_state, column_year, note_page
from crawler.strategies import Entry

COLLECTION = "http://x.gov.cn/xxgk/zfxxgknb/"


def test_a_column_names_its_year_by_text_folder_or_query() -> None:
    assert column_year("2023年度", "http://x.gov.cn/xxgk/zfxxgknb/bmnb_15433/") == 2023
    assert column_year("2024年部门年报", "http://x.gov.cn/szfbm/2024nbmnb/") == 2024
    assert column_year("2022", "http://x.gov.cn/nb/2022/") == 2022
    assert column_year("年报", "http://x.gov.cn/zfxxgknb/2024n/") == 2024
    assert column_year("", "http://x.gov.cn/yjglj/nb.jsp?year=2023") == 2023
    assert column_year("政府信息公开年报", COLLECTION) is None  # every year's column
    assert column_year("2099年度", "http://x.gov.cn/2099/") is None  # not a report year yet
    assert column_year("年报", "http://x.gov.cn/nb/202401/") is None  # a month folder


def test_a_column_is_named_by_its_first_page_and_its_later_pages_stay_in_it() -> None:
    collection = PageState(hops=2, kind=int(ColumnKind.REPORTS)).at(COLLECTION)
    assert collection.column == COLLECTION and collection.source_url == COLLECTION
    year = column_state(
        Entry(url=COLLECTION + "bmnb_15433/", title="2023年度"), collection, COLLECTION, 6
    )
    assert year is not None and year.year == 2023
    year = year.at(COLLECTION + "bmnb_15433/")
    assert year.column == COLLECTION + "bmnb_15433/"
    # a list's 下一页 read as a column link (its URL lies in the bureau's section) is the same
    # column, and keeps its year
    first = "http://x.gov.cn/zwgk/yjglj/nb.jsp?year=2023"
    nb = PageState(hops=2, kind=int(ColumnKind.REPORTS), year=2023).at(first)
    second = "http://x.gov.cn/zwgk/yjglj/nb.jsp;pageNo=2?year=2023"
    for text in ("下一页", "2"):
        later = column_state(Entry(url=second, title=text), nb, first, 6)
        assert later is not None and later.at(second).column == first and later.year == 2023
    home = PageState().at("http://x.gov.cn/")
    assert home.column is None  # the home page is no column


def test_a_page_read_counts_and_a_column_page_enters_its_column_once() -> None:
    site = SiteState("甲区人民政府", "河南省洛阳市甲区", "http://x.gov.cn/")
    note_page(site, PageState().at("http://x.gov.cn/"), "http://x.gov.cn/")
    column = PageState(hops=1, kind=int(ColumnKind.REPORTS), year=2024).at(COLLECTION)
    note_page(site, column, COLLECTION)
    note_page(site, column, COLLECTION + "index_1.html")  # its second page
    assert site.pages_fetched == 3
    assert site.columns == {COLLECTION} and site.years_walked == {2024}
