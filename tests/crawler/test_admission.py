"""The spider enters sites as the crawl makes room (YINGJI_SITES_IN_PROGRESS): what it holds at
once is bounded by the setting, not the seed list (issue 12), and nothing is found differently."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.discovery import canonical_url
from demo.server import serve_sites
from tests.crawler.conftest import run_crawl

pytestmark = pytest.mark.slow  # two real crawls of the bundled sites


def _reports(crawl: Any) -> Counter[tuple[str, str]]:
    """Each report by its site and address on that site (every crawl has its own ports)."""
    return Counter(
        (item["site_name"], urlsplit(canonical_url(item["url"]))._replace(netloc="").geturl())
        for item in crawl.items
    )


def _statuses(crawl: Any) -> dict[str, str]:
    return {state["name"]: state["status"] for state in crawl.sites.values()}


def test_sites_entered_one_at_a_time_find_what_all_at_once_finds(
    crawl: Any, tmp_path: Path
) -> None:
    # two requests at a time: the downloader is full at once, so requests wait in the scheduler
    # and the start has to wait for room before each further site
    with serve_sites() as sites:
        bounded = run_crawl(sites, tmp_path, YINGJI_SITES_IN_PROGRESS="1", CONCURRENT_REQUESTS="2")
    assert bounded.returncode == 0, bounded.stderr[-3000:]
    assert "'yingji/start/waited'" in bounded.stderr, "seeds waited for room"
    assert _reports(bounded) == _reports(crawl)
    assert _statuses(bounded) == _statuses(crawl)


def test_all_sites_at_once_when_the_bound_is_off(tmp_path: Path) -> None:
    with serve_sites() as sites:
        unbounded = run_crawl(sites, tmp_path, YINGJI_SITES_IN_PROGRESS="0")
    assert unbounded.returncode == 0, unbounded.stderr[-3000:]
    assert "'yingji/start/waited'" not in unbounded.stderr
    assert unbounded.items
