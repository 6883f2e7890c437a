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

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from demo import SAMPLES
from demo.manifest import load_manifest
from demo.server import Sites, serve_sites
from storage import Store
from storage.export import iter_reports
from storage.identity import agency_identity
from tests.system.sitecrawl import run_crawl

GROUP = ("heldout",)
EXACT = ("year", "template", "active_disclosure", "applications", "review_litigation")
#: the endless list's site: what its two reports and the way to them cost, plus the site
#: guard's per-template cap (YINGJI_MAX_PER_TEMPLATE) of list pages, plus slack for robots.txt
#: and the fallbacks; far below the 10^6 pages it claims
TRAP_SITE, TRAP_BUDGET = "aes", 60 + 20

NOT_YET: dict[str, str] = {}


def _keys() -> list[Any]:
    sites = load_manifest(GROUP)["sites"]
    return [
        pytest.param(s["key"], marks=pytest.mark.xfail(strict=True, reason=NOT_YET[s["key"]]))
        if s["key"] in NOT_YET
        else s["key"]
        for s in sites
    ]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sites, list[dict]]]:
    """One crawl of every held-out site; the sites stay up for the per-site assertions."""
    work = tmp_path_factory.mktemp("heldout")
    database = f"sqlite:///{work / 'yingji.db'}"
    with serve_sites(first_host=140, groups=GROUP) as sites:
        seeds = sites.seeds_csv(work / "seeds.csv")
        proc = run_crawl(seeds, database, work)
        assert proc.returncode == 0, proc.stderr[-3000:]
        with Store(database, upgrade=False) as store:
            yield sites, list(iter_reports(store))


def _sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text("utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("key", _keys())
def test_each_site_has_every_report_once_exactly_and_nothing_else(
    crawled: tuple[Sites, list[dict]], key: str
) -> None:
    sites, reports = crawled
    site = sites.sites[key]
    host = urlsplit(site.url).netloc
    region = site.spec["region"]
    mine = [r for r in reports if any(urlsplit(u).netloc == host for u in r["sources"])]
    stored = [(agency_identity(r["agency"], r["region"]).key, r["year"]) for r in mine]
    expected = {
        (agency_identity(rep["agency"], region).key, rep["year"]): rep
        for rep in sites.expected_reports()
        if rep["site"] == key
    }
    assert sorted(stored) == sorted(expected)  # each once, nothing else
    for report in mine:
        rep = expected[(agency_identity(report["agency"], report["region"]).key, report["year"])]
        sample = _sample(rep["sample"])
        assert {k: report[k] for k in EXACT} == {k: sample[k] for k in EXACT}
        assert report["status"] == "parsed"
        assert rep["url"] in report["sources"]


@pytest.mark.slow
def test_a_list_claiming_a_million_pages_costs_a_bounded_number_of_requests(
    crawled: tuple[Sites, list[dict]],
) -> None:
    sites, _ = crawled
    assert sites.requests(TRAP_SITE, "/aes/yjglj/xxgknb/list_1000000.html") <= 1
    assert 0 < sites.requests(TRAP_SITE) <= TRAP_BUDGET
