"""``yingji crawl`` end to end: its exit status tells a cron job that a run went wrong.

Two real crawls of the bundled sites into one database; before the second, one site that had
a report starts answering with a WAF block page. The first crawl exits 0; the second prints a
HEALTH line naming that site and exits 3, although the crawl itself finished.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.distributed.sitecrawl import run_crawl
from yingji.commands.crawl import EXIT_UNHEALTHY
from yingji.siteserver import serve_sites


@pytest.mark.slow
def test_a_site_that_goes_silent_makes_the_scheduled_crawl_fail(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'yingji.db'}"
    with serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")
        first = run_crawl(seeds, db, tmp_path, jobdir=tmp_path / "job")
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        assert "HEALTH" not in first.stdout and "health of run" in first.stdout

        sites.sites["yiyang"].spec["blocked"] = True  # a captcha page from now on
        second = run_crawl(seeds, db, tmp_path, jobdir=tmp_path / "job")
    assert second.returncode == EXIT_UNHEALTHY, second.stdout[-3000:] + second.stderr[-3000:]
    alerts = [line for line in second.stdout.splitlines() if line.startswith("HEALTH")]
    assert len(alerts) == 1
    assert alerts[0].startswith("HEALTH went_silent: 宜阳县人民政府")
    assert "blocked" in alerts[0]
