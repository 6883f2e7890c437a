"""End-to-end: one real crawl of the discovery sites (issue 9), the database asserted per site.

Each site of the manifest's "discovery" group exercises one capability of discovery (its
``capability`` text). One ``yingji crawl`` runs over all of them against a real SQLite
database; then, per site, the reports stored from that site must be exactly its expected
reports: each (agency, year) once, with the sample's exact figures, and nothing else.

Sites whose capability the crawler does not have yet are listed in ``NOT_YET`` with the
reason, marked ``xfail(strict=True)``: the test states what works, and the day a capability
lands its site passes and the strict xfail fails until the entry is removed.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text

from demo import SAMPLES
from demo.manifest import load_manifest
from demo.server import Sites, serve_sites
from storage import Store
from storage.export import iter_reports
from storage.identity import agency_identity
from tests.system.sitecrawl import run_crawl

GROUP = ("discovery",)
EXACT = ("year", "template", "active_disclosure", "applications", "review_litigation")

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
def crawled(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Sites, list[dict], Path]]:
    """One crawl of every discovery site; the sites stay up for the per-site assertions.
    Also yields the working directory (the database, ``files/`` beside it)."""
    work = tmp_path_factory.mktemp("discovery")
    database = f"sqlite:///{work / 'yingji.db'}"
    with serve_sites(first_host=80, groups=GROUP) as sites:
        seeds = sites.seeds_csv(work / "seeds.csv")
        proc = run_crawl(seeds, database, work)
        assert proc.returncode == 0, proc.stderr[-3000:]
        with Store(database, upgrade=False) as store:
            yield sites, list(iter_reports(store)), work


def _sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text("utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("key", _keys())
def test_each_site_has_every_report_once_exactly_and_nothing_else(
    crawled: tuple[Sites, list[dict], Path], key: str
) -> None:
    sites, reports, _ = crawled
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
def test_every_page_of_an_article_over_several_pages_is_kept_as_a_raw_document(
    crawled: tuple[Sites, list[dict], Path],
) -> None:
    """The joined body is what was parsed; each further page is a raw document of its own,
    under its own URL, its bytes in the file store as the site sent them. (The page's URL is
    a source of the joined body too, so ``yingji reparse`` groups the two.)"""
    sites, _, work = crawled
    multi = [r for r in sites.expected_reports() if len(r.get("pages", [])) > 1]
    assert multi  # the fixture sites have one
    engine = create_engine(f"sqlite:///{work / 'yingji.db'}")
    try:
        with engine.connect() as conn:
            for report in multi:
                site = sites.sites[report["site"]]
                for path in report["pages"][1:]:
                    url = site.url.rstrip("/") + path
                    rows = conn.execute(
                        text(
                            "SELECT d.path FROM documents d JOIN document_urls u"
                            " ON u.sha256 = d.sha256 WHERE u.url = :url"
                        ),
                        {"url": url},
                    ).all()
                    assert rows, url
                    with urllib.request.urlopen(url, timeout=10) as page:
                        sent = page.read()
                    got = [(work / "files" / p).read_bytes() for (p,) in rows]
                    # the page itself, and the joined body (the page is one of its sources)
                    assert sent in got and len(got) == 2, url
    finally:
        engine.dispose()
