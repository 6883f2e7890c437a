"""``yingji serve`` in a real browser: headless Chromium (Debian's) shows what a user sees.

The demo crawl's database is served by the real command; Chromium loads the main pages and the
test asserts on the rendered page, not on HTML source: the agencies in the reports table and its
year facet, a canned query's rows, the coverage grid, the chart's bars, and a click from a
report to its sources. ``YINGJI_SCREENSHOTS=DIR`` also saves a PNG of each page there (how
docs/screenshots was made).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.yingji.served import demo_database, serving

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1100,760",
)


def _browser_binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        message = "Debian's chromium and chromium-driver (scripts/install-system-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must have {message}")
        pytest.skip(f"needs {message}")
    return chromium, driver


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    database = demo_database(tmp_path_factory.mktemp("demo"))
    with serving(database) as base:
        yield base, database.stem


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    chromium, driver_path = _browser_binaries()
    options = Options()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def visit(browser, url: str, shot: str, scroll_to: str | None = None):  # type: ignore[no-untyped-def]
    """Load ``url``; save a screenshot named ``shot`` (from the element ``scroll_to`` down)
    when YINGJI_SCREENSHOTS asks for them."""
    browser.get(url)
    folder = os.environ.get("YINGJI_SCREENSHOTS")
    if folder:
        if scroll_to:
            browser.execute_script(f"document.querySelector({scroll_to!r}).scrollIntoView()")
        Path(folder).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(folder) / f"{shot}.png"))
    return browser


def cells(browser, column: str) -> list[str]:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, f"td.col-{column}")]


def test_the_reports_table_shows_agencies_and_facets(browser, site) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    base, db = site
    visit(browser, f"{base}/{db}/current_reports", "current_reports", "h3")
    agencies = cells(browser, "agency")
    assert {"孟津区应急管理局", "栾川县应急管理局", "湛河区应急管理局"} <= set(agencies)
    assert len(agencies) == 19  # every report the demo stores (tests/yingji/test_demo.py)
    facets = {
        e.get_attribute("data-column")
        for e in browser.find_elements(By.CSS_SELECTOR, ".facet-info")
    }
    assert {"year", "region", "status"} <= facets
    year_facet = browser.find_element(By.CSS_SELECTOR, '.facet-info[data-column="year"]').text
    assert "2023" in year_facet and "2024" in year_facet


def test_the_database_page_lists_the_questions_analysts_ask(browser, site) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    base, db = site
    visit(browser, f"{base}/{db}", "database", "h2#queries")
    queries = browser.find_element(By.CSS_SELECTOR, "h2#queries + ul").text
    for title in (
        "One bureau over the years",
        "All bureaus of a city in a year",
        "Reports whose consistency checks fail",
        "Sites that found nothing",
        "Coverage: per site and year",
    ):
        assert title in queries


def test_a_report_leads_to_its_sources(browser, site) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    base, db = site
    visit(browser, f"{base}/{db}/current_reports?agency=栾川县应急管理局", "report_row")
    browser.find_element(
        By.LINK_TEXT, browser.find_element(By.CSS_SELECTOR, "td.col-report_id a").text
    ).click()
    assert "/report?report_id=" in browser.current_url
    sources = cells(browser, "source")
    assert sources and all(s.startswith("http://127.0.0.") for s in sources)
    assert browser.find_elements(By.PARTIAL_LINK_TEXT, "raw document")


def test_a_canned_query_answers_in_the_page(browser, site) -> None:  # type: ignore[no-untyped-def]
    base, db = site
    visit(browser, f"{base}/{db}/agency_over_years?agency={quote('宜阳')}", "agency_over_years")
    assert cells(browser, "agency") == ["宜阳县应急管理局"]
    assert cells(browser, "year") == ["2024"]
    assert cells(browser, "licensing") == ["183"]


def test_the_coverage_grid_shows_where_data_is_missing(browser, site) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    base, _db = site
    visit(browser, f"{base}/-/coverage", "coverage")
    rows = {}
    for tr in browser.find_elements(By.CSS_SELECTOR, "table.coverage tbody tr"):
        tds = [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        rows[tds[0]] = tds
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.coverage th")]
    assert headers[2:5] == ["2022", "2023", "2024"]
    assert rows["栾川县人民政府"][2:5] == ["found (1)", "none found", "none found"]
    assert rows["汝阳县人民政府"][2:5] == ["blocked"] * 3
    assert rows["嵩县人民政府"][2] == "unreachable"
    assert rows["洛宁县人民政府"][2] == "robots denied"


def test_the_chart_draws_one_bar_per_year(browser, site) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    base, _db = site
    visit(
        browser,
        f"{base}/-/chart?agency={quote('平顶山市卫东区应急管理局')}&measure=active_disclosure.licensing",
        "chart",
    )
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.yingji-chart rect.bar")
    assert len(bars) == 1
    assert bars[0].size["height"] > 100  # the only value is the tallest bar
    assert "877" in browser.find_element(By.CSS_SELECTOR, "svg.yingji-chart").text
