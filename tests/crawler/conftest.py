"""A real crawl of the bundled sites, run once per test session in a subprocess.

Scrapy's Twisted reactor cannot be restarted inside one process, so the crawl runs as
``python -m scrapy crawl yingji`` against ``serve_sites()`` with the pipelines off and a JSON-lines
feed; the tests read the feed, the spider's per-site states (YINGJI_SITES_FILE) and the server's
request and byte counters.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from demo.server import Sites, serve_sites

REPO = Path(__file__).resolve().parents[2]
#: Fast and small: no politeness delays on loopback, low caps so that traps end quickly.
TEST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0.01",  # > 0: see DOWNLOAD_DELAY in crawler/settings.py
    "DOWNLOAD_TIMEOUT": "5",
    "EXTENSIONS": "{}",
    "HTTPPROXY_ENABLED": "False",  # loopback only, whatever the environment says
    "ITEM_PIPELINES": "{}",
    "LOG_LEVEL": "INFO",
    "RETRY_TIMES": "2",
    "YINGJI_MAX_PER_TEMPLATE": "10",
    # the spider's own items (no pipelines run here), not yingji's export records
    "FEED_EXPORTERS": json.dumps({"jsonl": "scrapy.exporters.JsonLinesItemExporter"}),
    "FEED_EXPORT_FIELDS": json.dumps(
        ["site_name", "region", "site_url", "url", "title", "published", "attachments"]
    ),
}


@dataclass
class CrawlResult:
    returncode: int
    stderr: str
    items: list[dict[str, Any]]
    sites: dict[str, dict[str, Any]]  # seed URL -> SiteState.to_dict()
    requests: dict[str, Counter[str]]  # site key -> path -> requests served
    bytes_sent: dict[str, Counter[str]]
    max_in_flight: dict[str, int]  # site key -> most requests it served at once
    served: Sites


def run_crawl(
    sites: Sites, workdir: Path, args: list[str] | None = None, **settings: str
) -> CrawlResult:
    seeds = sites.seeds_csv(workdir / "seeds.csv")
    feed = workdir / "items.jsonl"
    states = workdir / "sites.json"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "yingji", "-a", f"seeds={seeds}"]
    for name, value in {**TEST_SETTINGS, **settings, "YINGJI_SITES_FILE": str(states)}.items():
        cmd += ["-s", f"{name}={value}"]
    cmd += [*(args or []), "-O", str(feed)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    items = (
        [json.loads(line) for line in feed.read_text("utf-8").splitlines() if line.strip()]
        if feed.exists()
        else []
    )
    return CrawlResult(
        returncode=proc.returncode,
        stderr=proc.stderr,
        items=items,
        sites=json.loads(states.read_text("utf-8")) if states.exists() else {},
        requests={k: Counter(s.counts) for k, s in sites.sites.items()},
        bytes_sent={k: Counter(s.bytes_sent) for k, s in sites.sites.items()},
        max_in_flight={k: s.max_in_flight for k, s in sites.sites.items()},
        served=sites,
    )


@pytest.fixture(scope="session")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrawlResult]:
    """One full crawl of every bundled site (a few seconds)."""
    with serve_sites() as sites:
        result = run_crawl(sites, tmp_path_factory.mktemp("crawl"))
        assert result.returncode == 0, result.stderr[-3000:]
        yield result
