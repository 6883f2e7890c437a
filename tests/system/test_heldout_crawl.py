"""End-to-end: the held-out sites (manifest group "heldout"), crawled as unseen sites would be.

The discovery sites (group "discovery") were built next to the code that handles them; these
were built afterwards, as a judge would: the same capabilities of issue 9 in other shapes
(Shaanxi, Hunan, Beijing, Inner Mongolia, Shanghai, Hubei, Ningxia and Gansu layouts; POST
list endpoints, records of HTML in CDATA, javascript: pagers, onclick rows and year tabs (one
feeding a JSON endpoint per year),
articles as directories or over ``?page=2``, extensionless URLs in nested sitemaps, a search
that needs its form's hidden inputs) and a site whose list never ends. One ``yingji crawl``
runs over all of them against a real SQLite database; per site, the reports stored must be
exactly its expected reports, each once with the sample's exact figures, and nothing else.

A site the crawler cannot handle yet goes into ``NOT_YET`` with the precise reason and is
marked ``xfail(strict=True)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from demo.server import Sites
from tests.system.groupcrawl import assert_exact_reports, crawl_group, site_keys

GROUP = ("heldout",)
#: the endless list's site: what its two reports and the way to them cost, plus the site
#: guard's per-template cap (YINGJI_MAX_PER_TEMPLATE) of list pages, plus slack for robots.txt
#: and the fallbacks; far below the 10^6 pages it claims
TRAP_SITE, TRAP_BUDGET = "aes", 60 + 20

NOT_YET: dict[str, str] = {}


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Sites, list[dict[str, Any]]]]:
    """One crawl of every held-out site; the sites stay up for the per-site assertions."""
    with crawl_group(GROUP, 140, tmp_path_factory.mktemp("heldout")) as result:
        yield result


@pytest.mark.slow
@pytest.mark.parametrize("key", site_keys(GROUP, NOT_YET))
def test_each_site_has_every_report_once_exactly_and_nothing_else(
    crawled: tuple[Sites, list[dict[str, Any]]], key: str
) -> None:
    assert_exact_reports(*crawled, key)


@pytest.mark.slow
def test_a_list_claiming_a_million_pages_costs_a_bounded_number_of_requests(
    crawled: tuple[Sites, list[dict[str, Any]]],
) -> None:
    sites, _ = crawled
    assert sites.requests(TRAP_SITE, "/aes/yjglj/xxgknb/list_1000000.html") <= 1
    assert 0 < sites.requests(TRAP_SITE) <= TRAP_BUDGET
