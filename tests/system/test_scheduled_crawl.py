"""``yingji crawl`` end to end: its exit status tells a cron job that a run went wrong.

Real crawls of the bundled sites into one database with one job directory, as a weekly job
runs them. The first crawl exits 0. The second is killed with SIGKILL part way and resumed:
the resumed crawl continues the killed crawl's run, counting the sites finished before the
kill, so it is healthy (exit 0, no HEALTH line) and there is one run for the two processes.
Before the last, one site that had a report starts answering with a WAF block page: it prints
a HEALTH line naming that site and exits 3, although the crawl itself finished.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from demo.server import serve_sites
from tests.system.sitecrawl import count, crawl_command, run_crawl
from yingji.commands.crawl import EXIT_UNHEALTHY

SLOW = {"DOWNLOAD_DELAY": "0.25", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
# sources the running crawl (the newest run) has seen
SEEN_BY_NEWEST_RUN = (
    "report_sources WHERE last_seen > (SELECT started_at FROM crawl_runs ORDER BY id DESC LIMIT 1)"
)


def _kill_midway(cmd: list[str], db: str, workdir: Path) -> None:
    """Run ``cmd`` and SIGKILL it once its run has seen two report sources."""
    proc = subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while count(db, "crawl_runs") < 2 or count(db, SEEN_BY_NEWEST_RUN) < 2:
        assert proc.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


@pytest.mark.slow
def test_a_site_that_goes_silent_makes_the_scheduled_crawl_fail(tmp_path: Path) -> None:
    db, job = f"sqlite:///{tmp_path / 'yingji.db'}", tmp_path / "job"
    with serve_sites() as sites:
        seeds = sites.seeds_csv(tmp_path / "seeds.csv")
        first = run_crawl(seeds, db, tmp_path, jobdir=job)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
        assert "HEALTH" not in first.stdout and "health of run 1: ok" in first.stdout

        _kill_midway(crawl_command(seeds, db, jobdir=job, settings=SLOW), db, tmp_path)
        resumed = run_crawl(seeds, db, tmp_path, jobdir=job)
        assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
        assert "HEALTH" not in resumed.stdout, resumed.stdout[-3000:]
        assert "health of run 2: ok" in resumed.stdout  # run 2 was killed and continued
        assert count(db, "crawl_runs") == 2

        sites.sites["yiyang"].spec["blocked"] = True  # a captcha page from now on
        # the same job directory after a finished crawl: a new crawl, every page asked again
        last = run_crawl(seeds, db, tmp_path, jobdir=job)
    assert last.returncode == EXIT_UNHEALTHY, last.stdout[-3000:] + last.stderr[-3000:]
    alerts = [line for line in last.stdout.splitlines() if line.startswith("HEALTH")]
    assert len(alerts) == 1
    assert alerts[0].startswith("HEALTH went_silent: 宜阳县人民政府")
    assert "blocked" in alerts[0]
