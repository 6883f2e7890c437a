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

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from demo.server import Sites
from tests.system.groupcrawl import assert_exact_reports, crawl_group, site_keys

GROUP = ("discovery",)

NOT_YET: dict[str, str] = {}


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Sites, list[dict[str, Any]], Path]]:
    """One crawl of every discovery site; the sites stay up for the per-site assertions.
    Also yields the working directory (the database, ``files/`` beside it)."""
    work = tmp_path_factory.mktemp("discovery")
    with crawl_group(GROUP, 80, work) as (sites, reports):
        yield sites, reports, work


@pytest.mark.slow
@pytest.mark.parametrize("key", site_keys(GROUP, NOT_YET))
def test_each_site_has_every_report_once_exactly_and_nothing_else(
    crawled: tuple[Sites, list[dict[str, Any]], Path], key: str
) -> None:
    sites, reports, _ = crawled
    assert_exact_reports(sites, reports, key)


@pytest.mark.slow
def test_every_page_of_an_article_over_several_pages_is_kept_as_a_raw_document(
    crawled: tuple[Sites, list[dict[str, Any]], Path],
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
