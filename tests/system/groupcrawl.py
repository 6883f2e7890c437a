"""One ``yingji crawl`` over a manifest group of fixture sites, judged site by site.

The discovery group and the held-out group are asserted alike: per site, the reports stored
from it are exactly its expected reports, each (agency, year) once, with the sample's exact
figures, and nothing else. A site the crawler cannot handle yet is listed with its reason and
marked ``xfail(strict=True)``, so the day it passes the entry must go.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
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

EXACT = ("year", "template", "active_disclosure", "applications", "review_litigation")


def site_keys(group: tuple[str, ...], not_yet: Mapping[str, str]) -> list[Any]:
    """The group's site keys as test parameters, those in ``not_yet`` as strict xfails."""
    return [
        pytest.param(s["key"], marks=pytest.mark.xfail(strict=True, reason=not_yet[s["key"]]))
        if s["key"] in not_yet
        else s["key"]
        for s in load_manifest(group)["sites"]
    ]


@contextmanager
def crawl_group(
    group: tuple[str, ...], first_host: int, work: Path
) -> Iterator[tuple[Sites, list[dict[str, Any]]]]:
    """Serve the group, crawl it into ``work/yingji.db`` and yield the sites (still up) and
    every stored report's export record."""
    database = f"sqlite:///{work / 'yingji.db'}"
    with serve_sites(first_host=first_host, groups=group) as sites:
        seeds = sites.seeds_csv(work / "seeds.csv")
        proc = run_crawl(seeds, database, work)
        assert proc.returncode == 0, proc.stderr[-3000:]
        with Store(database, upgrade=False) as store:
            yield sites, list(iter_reports(store))


def assert_exact_reports(sites: Sites, reports: list[dict[str, Any]], key: str) -> None:
    """The reports stored from site ``key`` are its expected ones, once each, exactly."""
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
        sample = json.loads((SAMPLES / f"{rep['sample']}.json").read_text("utf-8"))
        assert {k: report[k] for k in EXACT} == {k: sample[k] for k in EXACT}
        assert report["status"] == "parsed"
        assert rep["url"] in report["sources"]
